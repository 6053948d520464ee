// Critic-guided refinement (Critic-V, Zhang et al. 2024): a separate critic judges the latest answer seeing
// only the question and that answer; if it is not correct the actor continues its own conversation with
// "Reflection on former answer: <critique>" and answers again. The last answer is also critiqued so the
// final selection can compare it with the unrefined draft.
import type { ChatMessage } from "../protocol/events.ts";
import { fill, prompts, solverMessages } from "./prompts.ts";
import { selectByScoreSeeded } from "./seeded-select.ts";
import { defineStrategy } from "./types.ts";
import { growingConversation, judging } from "./context-need.ts";

export const criticGuided = defineStrategy({
  name: "critic-guided",
  title: "Critic-guided refinement (Critic-V)",
  paper: "Zhang et al. 2024, Critic-V: VLM Critics Help Catch VLM Errors in Multimodal Reasoning (arXiv:2411.18203)",
  summary: "A separate critic reviews each answer; the actor revises with the critic's reflection until judged correct.",
  params: [
    { name: "revisions", type: "integer", default: 1, min: 0, max: 10, description: "actor revisions at most (the card's 2 rounds = 1 critique + 1 revision)" },
  ],
  // The actor's conversation keeps every answer and every reflection; the critic reads one answer.
  contextNeeded: (params, budgets) => Math.max(growingConversation(budgets, params.revisions, budgets.critic.answer), judging(budgets)),
  contextKnobs: ["revisions"],
  actorLanes: () => 1,
  async run(ctx, params) {
    const revisions = params.revisions;
    let answer = await ctx.draft({ lane: "reasoner" });
    const pool = [answer.id];
    const conversation: ChatMessage[] = [...solverMessages(ctx.task.question), { role: "assistant", content: answer.text }];
    let stop: "accepted" | "max-iterations" | undefined;
    for (let round = 0; ; round++) {
      const critique = await ctx.critique(answer.id, { mode: "holistic", iteration: round, lane: "critic" });
      if (critique.verdict.correct === true) stop = "accepted";
      else if (round >= revisions) stop = "max-iterations";
      if (stop || !ctx.withinBudget()) break;
      const instruction = fill(prompts.criticVReflection, { feedback: ctx.feedback(critique) });
      answer = await ctx.refine({
        candidateId: answer.id,
        critiqueId: critique.node.id,
        conversation,
        instruction,
        iteration: round + 1,
        lane: "reasoner",
        step: "revise",
      });
      pool.push(answer.id);
      conversation.push({ role: "user", content: instruction }, { role: "assistant", content: answer.text });
    }
    // The best-scored answer (the draft included); a tie in score is drawn with the run's seed.
    return { nodeId: selectByScoreSeeded(ctx, pool, revisions + 1).id, ...(stop ? { stop } : {}) };
  },
});
