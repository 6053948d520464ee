// Critic evaluations: the run setup's critic (and, for RealCritic self-critique, its actor) on a benchmark file.
import { actorPath, criticPath } from "../selectors.ts";
import { stateOf, type ActionContext } from "./context.ts";

export function createCriticEvalActions(ctx: ActionContext) {
  const state = () => stateOf(ctx);

  async function startCriticEval() {
    state().clearErrors("compare");
    const { setup, criticEvalForm: form } = state();
    const result = await ctx.bridge.startCriticEval({
      mode: form.mode,
      dataset: form.dataset.trim(),
      critic: criticPath(setup),
      ...(Number(form.limit) > 0 ? { limit: Number(form.limit) } : {}),
      ...(Number(form.maxTokens) > 0 ? { maxTokens: Number(form.maxTokens) } : {}),
      ...(form.mode === "realcritic" && form.actorSolves && actorPath(setup) ? { actor: actorPath(setup) } : {}),
      ...(form.metaCritique ? { metaCritique: true } : {}),
    });
    if (!result.ok) state().pushError("compare", result.error);
  }

  async function cancelCriticEval(evalId: string) {
    const result = await ctx.bridge.cancelCriticEval({ evalId });
    if (!result.ok) state().pushError("compare", result.error);
  }

  return { startCriticEval, cancelCriticEval };
}
