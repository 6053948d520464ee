// How an experiment samples: "paper" keeps each strategy's documented temperatures (Best-of-N and self-consistency
// at 0.8, GLoRe's greedy draft, MCTSr at 0.95…), "matched" gives every actor generation one temperature and every
// critic generation another, so an accuracy gap between columns is the method's, not the sampling's — except where a
// procedure requires its value (a greedy draft, MCTSr's 0.95), which the record names.

export type SamplingPolicy = { kind: "paper" } | { kind: "matched"; actorTemperature: number; criticTemperature?: number };

/** The matched actor temperature when none is given: the actor's default temperature in the run defaults. */
export const MATCHED_DEFAULT_TEMPERATURE = 0.7;

/** Reads "paper", "matched" or "matched:T" (T from 0 to 2); throws a sentence the user can act on. */
export function parseSamplingPolicy(text: string, name = "--sampling"): SamplingPolicy {
  const trimmed = text.trim();
  if (trimmed === "paper") return { kind: "paper" };
  const match = /^matched(?::(.*))?$/.exec(trimmed);
  if (!match) throw new Error(`${name} takes paper, matched or matched:T (a temperature from 0 to 2); got '${text}'`);
  if (match[1] === undefined) return { kind: "matched", actorTemperature: MATCHED_DEFAULT_TEMPERATURE };
  const t = Number(match[1]);
  if (match[1].trim() === "" || !Number.isFinite(t) || t < 0 || t > 2)
    throw new Error(`${name} matched:T needs a temperature from 0 to 2 after the colon; got '${match[1]}'`);
  return { kind: "matched", actorTemperature: t };
}

/** What one role's generations actually used in a run: every temperature, and the ones a procedure fixed. */
export interface RoleSampling {
  temperatures: number[];
  /** Temperatures the strategy's procedure requires, kept even under a matched policy (e.g. MCTSr's 0.95). */
  required?: number[];
  topP?: number;
  topK?: number;
}

/** The sampling a run used, recorded with its end. */
export interface EffectiveSampling {
  policy: "paper" | "matched";
  actor: RoleSampling;
  critic: RoleSampling;
  /** How each generation's seed is made. */
  seedRule: string;
}

export const SEED_RULE = "run seed (experiment seed + item) mixed with the node's ordinal";

/** "T 0.7, 0.8 · top-p 0.95" for a column header. */
export function roleSamplingLabel(role: RoleSampling): string {
  const temps = role.temperatures.map((t) => `${t}${role.required?.includes(t) ? " (required)" : ""}`).join(", ");
  return [temps ? `T ${temps}` : "no generations", role.topP !== undefined ? `top-p ${role.topP}` : "", role.topK !== undefined ? `top-k ${role.topK}` : ""]
    .filter(Boolean)
    .join(" · ");
}
