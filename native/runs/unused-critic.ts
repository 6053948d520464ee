// A critic the strategy never calls with these parameters (single pass, self-consistency, Self-Refine with the
// actor's feedback) is not loaded: the critic role runs on the actor's model, with the critic's own sampling
// settings. `refinery run` and the app's Start decide it here, so both load the same models for the same run.
import { getStrategy } from "../strategies/registry.ts";
import { resolveStrategyParams, strategyCallsCritic } from "../strategies/types.ts";

/** Whether the strategy calls the critic model with these parameters (defaults applied). */
export function criticIsCalled(strategy: string, params: Record<string, unknown> | undefined): boolean {
  const definition = getStrategy(strategy);
  return strategyCallsCritic(definition, resolveStrategyParams(definition, params ?? {}));
}

interface RoleModel {
  path: string;
  load?: unknown;
}

/** The run as it loads: unchanged when the critic is called, else with the critic role on the actor's model. */
export function withUnusedCriticOnActor<M extends RoleModel, R extends { strategy: string; params?: Record<string, unknown>; actor: M; critic: M }>(
  request: R,
): R {
  if (criticIsCalled(request.strategy, request.params)) return request;
  const { load: _criticLoad, ...critic } = request.critic;
  return { ...request, critic: { ...critic, path: request.actor.path, ...(request.actor.load === undefined ? {} : { load: request.actor.load }) } };
}
