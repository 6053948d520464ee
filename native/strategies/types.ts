// What a strategy is: parameters with the card's defaults, the paper it follows, and a run function that
// builds nodes through the RunContext primitives and returns the selected candidate.
import type { RunContext } from "./context.ts";
import { paramLabel } from "../protocol/field-labels.ts";
import type { RunState } from "../protocol/state.ts";

export interface ParamSpec {
  name: string;
  type: "integer" | "number" | "boolean" | "string";
  default: number | boolean | string;
  description: string;
  min?: number;
  max?: number;
  choices?: readonly string[];
}

export type StrategyParams = Record<string, number | boolean | string>;

export interface Selection {
  nodeId: string;
  /** Why the strategy's loop ended, when it has one: the critic accepted the answer, or the iterations ran out. */
  stop?: "accepted" | "max-iterations";
}

/** Tokens one call may take, per role: the prompt allowance, the answer budget and the thinking budget. */
export interface ContextBudgets {
  prompt: number;
  actor: { answer: number; thought: number };
  critic: { answer: number; thought: number };
}

/**
 * The most generations a strategy runs side by side on one model: parallel samples share this many lanes
 * (sequences), and an experiment loads its models with this many per concurrent item at most.
 */
export const MAX_LANES = 4;

export interface StrategyDefinition<P = StrategyParams> {
  name: string;
  title: string;
  paper: string;
  summary: string;
  params: ParamSpec[];
  /** Parallel lanes the actor can use at once (sizes the context's sequences). */
  actorLanes(params: P): number;
  /**
   * Context (tokens per sequence) the strategy's longest conversation needs with these budgets; a run that
   * would not fit is refused before it starts (context-need.ts has the building blocks).
   */
  contextNeeded(params: P, budgets: ContextBudgets): number;
  /** The parameters the need grows with, named in the refusal so the user knows which to lower. */
  contextKnobs?: readonly (keyof P & string)[];
  /** false for strategies that never call the critic (its budgets and context then do not bound the run). Omitted: true. */
  usesCritic?: false;
  /**
   * Whether the critic model writes anything with these parameters (its sampling settings may still apply, as
   * when Self-Refine's actor writes feedback within the critic's budget). false: the critic is not loaded apart.
   * Omitted: whenever usesCritic is not false.
   */
  callsCritic?(params: P): boolean;
  /** Checks beyond each parameter's own range (a pipeline's nested strategies), before anything runs. */
  validate?(params: P): void;
  /** Whether these parameters let the run see what grades it (e.g. feedback from the grading tests): an upper bound. */
  usesOracle?(params: P): boolean;
  /** Whether an oracle switch among these parameters reads the task's reference answer (nested strategies' too). */
  needsReference?(params: P): boolean;
  run(ctx: RunContext, params: P): Promise<Selection>;
  /**
   * Statistics over the whole dataset that each run needs (MAgICoRE's reward mean and std): an experiment runs
   * `params(params)` once per item first — a cheap run whose generations the real cells replay from the cache —
   * and passes what `fold` makes of those runs to every cell as parameters. Skipped unless `needed` says so.
   */
  datasetPrepass?: {
    needed(params: P): boolean;
    params(params: P): StrategyParams;
    fold(states: readonly RunState[], params: P): Record<string, number>;
  };
}

export class StrategyParamError extends Error {
  /** The contract path of the parameter at fault (params.<name>), when one is. */
  readonly field?: string;
  constructor(message: string, param?: string) {
    super(message);
    this.name = "StrategyParamError";
    if (param) this.field = `params.${param}`;
  }
}

/** A parameter's own rule broken: named as the run form shows it ("Max iterations: …"). */
function paramError(spec: ParamSpec, rule: string): StrategyParamError {
  return new StrategyParamError(`${paramLabel(spec.name)}: ${rule}`, spec.name);
}

/** What a number parameter accepts, in words: "a whole number from 0 to 16". */
function numberRule(spec: ParamSpec): string {
  const kind = spec.type === "integer" ? "a whole number" : "a number";
  if (spec.min !== undefined && spec.max !== undefined) return `must be ${kind} from ${spec.min} to ${spec.max}`;
  if (spec.min !== undefined) return `must be ${kind}, at least ${spec.min}`;
  if (spec.max !== undefined) return `must be ${kind}, at most ${spec.max}`;
  return `must be ${kind}`;
}

/** resolveParams plus the strategy's own checks: everything that can be rejected before a run starts. */
export function resolveStrategyParams(strategy: StrategyDefinition, given: Record<string, unknown>): StrategyParams {
  const params = resolveParams(strategy, given);
  strategy.validate?.(params);
  return params;
}

/** Fills defaults, converts CLI strings, and rejects unknown names and out-of-range values with a clear message. */
export function resolveParams(strategy: StrategyDefinition, given: Record<string, unknown>): StrategyParams {
  const known = new Map(strategy.params.map((spec) => [spec.name, spec]));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) {
      throw new StrategyParamError(`unknown parameter '${name}' for strategy ${strategy.name} (known: ${[...known.keys()].join(", ") || "none"})`);
    }
  }
  const params: StrategyParams = {};
  for (const spec of strategy.params) {
    const raw = given[spec.name];
    params[spec.name] = raw === undefined ? spec.default : coerce(spec, raw);
  }
  return params;
}

function coerce(spec: ParamSpec, raw: unknown): number | boolean | string {
  if (spec.type === "boolean") {
    if (typeof raw === "boolean") return raw;
    if (raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0") return false;
    throw paramError(spec, `must be true or false, got '${String(raw)}'`);
  }
  if (spec.type === "string") {
    const value = String(raw);
    if (spec.choices && !spec.choices.includes(value)) throw paramError(spec, `must be one of ${spec.choices.join(", ")}, got '${value}'`);
    return value;
  }
  const text = String(raw).trim();
  const value = typeof raw === "number" ? raw : text === "" ? Number.NaN : Number(text);
  const outOfRange = (spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max);
  if (!Number.isFinite(value) || (spec.type === "integer" && !Number.isInteger(value)) || outOfRange) {
    throw paramError(spec, `${numberRule(spec)}, got '${String(raw)}'`);
  }
  return value;
}

/** The run-time value a declared parameter has: its type, or the union of its choices. */
type ValueOf<S extends ParamSpec> = S["type"] extends "boolean"
  ? boolean
  : S["type"] extends "string"
    ? S extends { choices: readonly (infer C extends string)[] }
      ? C
      : string
    : number;

/** The parameters a strategy declares, as the object its functions receive (names and types from the declaration). */
export type ParamsOf<S extends readonly ParamSpec[]> = { readonly [K in S[number] as K["name"]]: ValueOf<K> };

/** A strategy whose functions read their parameters by the names and types its `params` declare. */
export type TypedStrategy<S extends readonly ParamSpec[]> = Omit<StrategyDefinition<ParamsOf<S>>, "params"> & { params: S };

/**
 * Declares a strategy: its functions see `params.n` typed by the declaration, so a renamed or retyped parameter
 * fails to compile instead of reading undefined at run time. The registry holds it as a plain definition.
 */
export function defineStrategy<const S extends readonly ParamSpec[]>(definition: TypedStrategy<S>): StrategyDefinition {
  return definition as unknown as StrategyDefinition;
}

/** Whether the critic model is called by this strategy with these parameters (see callsCritic). */
export function strategyCallsCritic(strategy: StrategyDefinition, params: StrategyParams): boolean {
  if (strategy.usesCritic === false) return false;
  return strategy.callsCritic ? strategy.callsCritic(params) : true;
}
