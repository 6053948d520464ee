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

  /** Opens one row of a finished evaluation as a tree: its run record in the evaluation's folder. */
  async function openCriticEvalRun(runId: string, folder: string, ticket = ctx.views.request()) {
    const result = await ctx.bridge.loadRun({ runId, experiment: folder });
    if (!ctx.views.isLatest(ticket)) return;
    if (!result.ok) {
      state().pushError("compare", `cannot open the critic evaluation's row ${runId}: ${result.error}`);
      return;
    }
    state().replaceRun(runId, result.value);
    state().showRun(runId, null, folder);
    state().setView("run");
  }

  return { startCriticEval, cancelCriticEval, openCriticEvalRun };
}
