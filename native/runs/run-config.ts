// The one place a RunConfig is made. Every front door (the engine's startRun, `refinery run`, `serve --openai`, an
// experiment's cell and its pre-pass) says what it was asked as a startRun request and where the run goes; this
// module checks the request with the contract's schema and the same checks for every caller, in the caller's
// words, and fills the defaults, so one request gives one run whichever door it came through.
import type { z } from "zod";
import { validateRequest, type requestSchemas } from "../protocol/contract.ts";
import type { ModelRole } from "../protocol/events.ts";
import type { Audience } from "../protocol/field-labels.ts";
import { getStrategy } from "../strategies/registry.ts";
import { resolveStrategyParams, StrategyParamError } from "../strategies/types.ts";
import { checkTask, RunInputError, type ModelConfig, type RunConfig } from "./runner.ts";
import { withUnusedCriticOnActor } from "./unused-critic.ts";

/** What a run was asked as: the contract's startRun request, checked. */
export type RunRequest = z.output<(typeof requestSchemas)["startRun"]>;

/** A request as a caller holds it: a model may carry settings the contract does not send (an experiment's replicas). */
export type RunRequestLike = Pick<RunConfig, "strategy" | "params" | "actor" | "critic" | "task" | "seed" | "maxTotalTokens" | "parallel" | "force">;

/** Where and how this process runs the request: none of it is the user's request, all of it the caller's. */
export type RunPlace = Omit<RunConfig, keyof RunRequestLike | "runId"> & {
  runId?: string;
  /** Load settings the contract does not carry (a chat wrapper, the server's own load), laid over each role's. */
  load?: Partial<Record<ModelRole, ModelConfig["load"]>>;
  /**
   * Keep the critic's own model when the strategy never calls it. Only an experiment does: its cells and their
   * records name the pair as configured, and the pool loads the pair as configured.
   */
  keepUnusedCritic?: boolean;
};

/**
 * Checks a run request: the schema (a field named as the audience knows it), a task with a question, a strategy
 * that exists and parameters it accepts. Throws RunInputError with the field's contract path.
 */
export function parseRunRequest(input: unknown, audience: Audience): RunRequest {
  const valid = validateRequest("startRun", input, audience);
  if (!valid.ok) throw new RunInputError(valid.error, valid.field);
  const request = valid.value;
  checkTask(request.task, audience);
  let resolved: Record<string, unknown>;
  try {
    resolved = resolveStrategyParams(getStrategy(request.strategy), request.params ?? {});
  } catch (error) {
    if (!(error instanceof StrategyParamError)) throw error;
    throw new RunInputError(error.message, error.field);
  }
  if (!request.params) return request;
  // The parameters given, each as its declared type: the CLI's "2" and the form's 2 are one run.
  const params = Object.fromEntries(Object.keys(request.params).map((name) => [name, resolved[name] as string | number | boolean]));
  return { ...request, params };
}

/** The RunConfig of a request already checked (an experiment's column was checked when the experiment started). */
export function runConfigFrom(request: RunRequestLike, place: RunPlace): RunConfig {
  const { load, keepUnusedCritic, ...where } = place;
  const roles = {
    ...request,
    actor: withLoad(request.actor, load?.actor),
    critic: withLoad(request.critic, load?.critic),
  };
  // A critic the strategy never calls is not loaded: it runs on the actor's copy (unused-critic.ts).
  const { actor, critic } = keepUnusedCritic ? roles : withUnusedCriticOnActor(roles);
  return {
    strategy: request.strategy,
    ...(request.params ? { params: request.params } : {}),
    actor,
    critic,
    task: request.task,
    seed: request.seed ?? 0,
    parallel: request.parallel ?? true,
    ...(request.maxTotalTokens !== undefined ? { maxTotalTokens: request.maxTotalTokens } : {}),
    ...(request.force ? { force: true } : {}),
    ...definedOnly(where),
  };
}

/** A request from any front door, checked in its words, as the run it starts. */
export function buildRunConfig(input: unknown, place: RunPlace, audience: Audience): RunConfig {
  return runConfigFrom(parseRunRequest(input, audience), place);
}

/** A role's model with the caller's load settings over the request's, and no empty settings (an empty form and none are one run). */
function withLoad(model: ModelConfig, extra: ModelConfig["load"] | undefined): ModelConfig {
  const { sampling, load, ...rest } = model;
  const merged = { ...load, ...extra };
  return {
    ...rest,
    ...(sampling && Object.keys(sampling).length ? { sampling } : {}),
    ...(Object.keys(merged).length ? { load: merged } : {}),
  };
}

/** Settings a caller left undefined are absent, so two configs of one run compare equal whoever built them. */
function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
