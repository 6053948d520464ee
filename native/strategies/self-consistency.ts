// Self-consistency (Wang et al. 2023): n sampled reasoning paths, majority vote on the extracted answers
// (option letters on multiple-choice tasks); a tie between answers is drawn with the run's seed.
import { tieBreakParam, type TieBreak } from "./confidence-tie-break.ts";
import { voteSeeded } from "./seeded-select.ts";
import { MAX_LANES, defineStrategy } from "./types.ts";
import { oneCall } from "./context-need.ts";

export const selfConsistency = defineStrategy({
  name: "self-consistency",
  title: "Self-consistency",
  paper: "Wang et al. 2023, Self-Consistency Improves Chain of Thought Reasoning in Language Models (arXiv:2203.11171)",
  summary: "Sample n answers and take the majority answer.",
  params: [
    { name: "n", type: "integer", default: 5, min: 1, max: 64, description: "samples" },
    { name: "temperature", type: "number", default: 0.8, min: 0, max: 2, description: "sampling temperature" },
    tieBreakParam,
  ],
  usesCritic: false,
  contextNeeded: (_params, budgets) => oneCall(budgets),
  actorLanes: (params) => Math.min(params.n, MAX_LANES),
  async run(ctx, params) {
    const n = params.n;
    const temperature = params.temperature;
    const samples = await ctx.map([...Array(n).keys()], (i) =>
      ctx.draft({ step: "sample", lane: `sample-${i % MAX_LANES}`, temperature, confidence: params.tieBreak === "confidence" }),
    );
    const { winnerId } = voteSeeded(
      ctx,
      samples.map((s) => s.id),
      1,
      params.tieBreak as TieBreak,
    );
    return { nodeId: winnerId };
  },
});
