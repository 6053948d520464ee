// Judge evaluations: a judge model against a human-labelled file, from the compare tab; progress and the figures
// arrive as judge-eval events.
import type { JudgeEvalEvent } from "../../../native/protocol/judge-agreement.ts";
import { judgingStoreOf } from "../judging.ts";
import { stateOf, type ActionContext } from "./context.ts";

export function createJudgeEvalActions(ctx: ActionContext) {
  const judging = () => judgingStoreOf(ctx.store).getState();

  async function startJudgeEval() {
    stateOf(ctx).clearErrors("compare");
    const form = judging().judgeEvalForm;
    const result = await ctx.bridge.startJudgeEval({
      dataset: form.dataset.trim(),
      judge: form.judge.trim(),
      ...(form.mode ? { mode: form.mode } : {}),
      ...(form.limit.trim() ? { limit: Number(form.limit.trim()) } : {}),
      ...(form.maxTokens.trim() ? { maxTokens: Number(form.maxTokens.trim()) } : {}),
    });
    if (!result.ok) stateOf(ctx).pushError("compare", result.error);
  }

  async function cancelJudgeEval(evalId: string) {
    const result = await ctx.bridge.cancelJudgeEval({ evalId });
    if (!result.ok) stateOf(ctx).pushError("compare", result.error);
  }

  function onJudgeEvalEvent(event: JudgeEvalEvent) {
    judging().setJudgeEval(event);
  }

  return { startJudgeEval, cancelJudgeEval, onJudgeEvalEvent };
}
