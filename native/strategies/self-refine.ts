// Self-Refine (Madaan et al. 2023): one model drafts, gives itself feedback with a score, and refines with the
// whole history of (answer, feedback) pairs, until the feedback says the answer is fine or the iterations run
// out. Returns the best-scored answer; the unrefined draft stays in the pool.
import type { ChatMessage } from "../protocol/events.ts";
import { fill, prompts, solverMessages } from "./prompts.ts";
import { int, str, type StrategyDefinition } from "./types.ts";

export const selfRefine: StrategyDefinition = {
  name: "self-refine",
  title: "Self-Refine",
  paper: "Madaan et al. 2023, Self-Refine: Iterative Refinement with Self-Feedback (arXiv:2303.17651)",
  summary: "One model drafts, critiques itself with a score, and refines using all earlier feedback.",
  params: [
    { name: "maxIterations", type: "integer", default: 4, min: 0, max: 16, description: "refinements at most" },
    { name: "stopScore", type: "integer", default: 9, min: 0, max: 10, description: "stop once feedback scores the answer at least this (0..10)" },
    { name: "feedbackModel", type: "string", default: "actor", choices: ["actor", "critic"], description: "who writes the feedback: the same model (the paper) or the critic" },
  ],
  actorLanes: () => 2,
  // The solver's conversation carries every answer and every feedback (answers only: thoughts are not kept),
  // and its last turn may think again before answering.
  contextNeeded: (params, budgets) => {
    const iterations = int(params, "maxIterations");
    // Feedback is written within the critic's answer budget whoever writes it; 64 tokens for the instruction.
    return budgets.prompt + (iterations + 1) * budgets.actor.answer + iterations * (budgets.critic.answer + 64) + budgets.actor.thought;
  },
  async run(ctx, params) {
    const maxIterations = int(params, "maxIterations");
    const stopScore = int(params, "stopScore");
    const feedbackModel = str(params, "feedbackModel") as "actor" | "critic";
    let candidate = await ctx.draft({ lane: "solver" });
    const pool = [candidate.id];
    const conversation: ChatMessage[] = [...solverMessages(ctx.task.question), { role: "assistant", content: candidate.text }];
    for (let iteration = 0; ; iteration++) {
      const critique = await ctx.critique(candidate.id, { mode: "holistic", model: feedbackModel, iteration, lane: "feedback", step: "feedback" });
      const { verdict } = critique;
      const fine = verdict.correct === true && (verdict.score ?? 0) >= stopScore;
      if (fine || iteration >= maxIterations || !ctx.withinBudget()) break;
      candidate = await ctx.refine({
        candidateId: candidate.id,
        critiqueId: critique.node.id,
        conversation,
        instruction: fill(prompts.refineWithFeedback, { feedback: ctx.feedback(critique) }),
        iteration: iteration + 1,
        lane: "solver",
      });
      pool.push(candidate.id);
      conversation.push({ role: "user", content: fill(prompts.refineWithFeedback, { feedback: ctx.feedback(critique) }) }, { role: "assistant", content: candidate.text });
    }
    return { nodeId: ctx.selectByScore(pool, maxIterations + 1, true).id };
  },
};
