// Keep-if-better (EVOLVE, Zeng et al. 2025): multi-turn self-refinement where a revision replaces the current answer
// only if the critic's score for it rises; a revision that does not is pruned (kept in the tree, drawn faded) and
// the next round revises the current answer again. The answer is the last one kept.
import { judging, WRAPPER_TOKENS } from "./context-need.ts";
import { openEndedPrompts } from "./open-ended-prompts.ts";
import { fill, solverMessages } from "./prompts.ts";
import { defineStrategy } from "./types.ts";

export const keepIfBetter = defineStrategy({
  name: "keep-if-better",
  title: "Keep-if-better refinement (EVOLVE)",
  paper: "Zeng et al. 2025, EVOLVE (paper): multi-turn self-refinement where a revision is kept only if its reward rises",
  summary: "The critic scores each revision; it replaces the current answer only if its score is higher, otherwise it is pruned.",
  params: [{ name: "rounds", type: "integer", default: 3, min: 1, max: 10, description: "revisions tried" }],
  // Each revision reads the question, the current answer and its critique; the critic reads one answer.
  contextNeeded: (_params, budgets) =>
    Math.max(budgets.prompt + 2 * budgets.actor.answer + budgets.critic.answer + 2 * WRAPPER_TOKENS + budgets.actor.thought, judging(budgets)),
  actorLanes: () => 1,
  async run(ctx, params) {
    const rounds = params.rounds;
    let current = await ctx.draft({ lane: "actor" });
    let critique = await ctx.critique(current.id, { mode: "holistic", iteration: 0, lane: "critic" });
    let score = critique.verdict.score ?? -1;
    for (let round = 1; round <= rounds && ctx.withinBudget(); round++) {
      const revision = await ctx.refine({
        candidateId: current.id,
        critiqueId: critique.node.id,
        conversation: [...solverMessages(ctx.task.question), { role: "assistant", content: current.text }],
        instruction: fill(openEndedPrompts.reviseWithFeedback, { feedback: ctx.feedback(critique) }),
        iteration: round,
        lane: "actor",
        step: "revise",
      });
      const judged = await ctx.critique(revision.id, { mode: "holistic", iteration: round, lane: "critic" });
      const revised = judged.verdict.score ?? -1;
      if (revised > score) {
        current = revision;
        critique = judged;
        score = revised;
      } else {
        ctx.prune(revision.id, `its score ${judged.verdict.score ?? "(unreadable)"} did not rise above ${score < 0 ? "(unreadable)" : score}`);
      }
    }
    return { nodeId: current.id, stop: "max-iterations" };
  },
});
