// A judge call at a temperature of the strategy's choosing: MCTSr's sampled rewards, GRA's reviewers and RLAC's
// claims must differ between calls (each node has its own seed), which the critic's greedy settings prevent.
import type { JsonSchema } from "../llm/backend.ts";
import { parseJsonLoose } from "../llm/json-output.ts";
import type { ModelRole, Score } from "../protocol/events.ts";
import type { RunNode } from "../protocol/state.ts";
import type { RunContext } from "./context.ts";

export interface SampledJudgeOptions<T> {
  step: string;
  iteration: number;
  model?: ModelRole;
  system?: string;
  user: string;
  schema: JsonSchema;
  lane: string;
  /** undefined: the model's own sampling temperature. */
  temperature?: number;
  /** The procedure requires this temperature: a matched sampling policy keeps it. */
  temperatureRequired?: boolean;
  parents?: string[];
  toScore: (value: T | null, nodeId: string) => Score;
}

/** A constrained-JSON judgement whose value becomes a score on the candidate (none when candidateId is null). */
export async function sampledJudge<T>(
  ctx: RunContext,
  candidateId: string | null,
  options: SampledJudgeOptions<T>,
): Promise<{ node: RunNode; value: T | null; score: Score }> {
  const model = options.model ?? "critic";
  const node = await ctx.ask({
    role: "critique",
    step: options.step,
    iteration: options.iteration,
    parents: options.parents ?? (candidateId ? [candidateId] : []),
    model,
    ...(options.system ? { system: options.system } : {}),
    user: options.user,
    lane: options.lane,
    jsonSchema: options.schema,
    // JSON must close: the critic's token limit, the longer of the two when the actor judges.
    maxTokens: Math.max(ctx.options.sampling.critic.maxTokens, ctx.options.sampling[model].maxTokens),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.temperatureRequired ? { temperatureRequired: true } : {}),
    extract: false,
  });
  const parsed = parseJsonLoose<T>(node.text);
  const value = parsed.ok && typeof parsed.value === "object" && parsed.value !== null ? parsed.value : null;
  const score = options.toScore(value, node.id);
  if (candidateId) ctx.setScore(candidateId, score);
  return { node, value, score };
}
