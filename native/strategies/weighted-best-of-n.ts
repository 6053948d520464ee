// Weighted best-of-N (search-and-learn: best_of_n.py samples, score.py picks): n samples, the critic judges each
// one step by step (the step verifier), step scores are aggregated (last, min or product) and every distinct
// answer collects the sum of its solutions' scores; the heaviest answer wins.
import { tieBreakParam, type TieBreak } from "./confidence-tie-break.ts";
import { judging, oneCall } from "./context-need.ts";
import { STEP_AGGREGATES, type StepAggregate } from "./step-scores.ts";
import { verifyKParam, verifySteps } from "./step-verifier.ts";
import { MAX_LANES, defineStrategy } from "./types.ts";
import { FINAL_RULES, type FinalRule, verifierVote } from "./verifier-vote.ts";

export const weightedBestOfN = defineStrategy({
  name: "weighted-best-of-n",
  title: "Weighted best-of-N (step verifier)",
  paper: "Snell et al. 2024 (arXiv:2408.03314); Beeching, Tunstall & Rush 2024, Scaling test-time compute with open models (huggingface/search-and-learn)",
  summary: "Sample n answers, score each step with the critic, sum the scores per distinct answer, keep the heaviest.",
  params: [
    { name: "n", type: "integer", default: 4, min: 1, max: 64, description: "samples (the repo's n)" },
    { name: "temperature", type: "number", default: 0.8, min: 0, max: 2, description: "sampling temperature" },
    { name: "aggregate", type: "string", default: "last", choices: STEP_AGGREGATES, description: "step scores → one score: last, min or product" },
    verifyKParam,
    {
      name: "final",
      type: "string",
      default: "weighted",
      choices: FINAL_RULES,
      description: "the pick: weighted vote, majority, or the best single solution (naive)",
    },
    tieBreakParam,
  ],
  actorLanes: (params) => Math.min(params.n, MAX_LANES),
  // A solution (every step of it, for the searches) within one answer's budget, then read by the step verifier.
  contextNeeded: (_params, budgets) => Math.max(oneCall(budgets), judging(budgets)),
  async run(ctx, params) {
    const n = params.n;
    const samples = await ctx.map([...Array(n).keys()], async (i) => {
      const sample = await ctx.draft({
        step: "sample",
        lane: `sample-${i % MAX_LANES}`,
        temperature: params.temperature,
        confidence: params.tieBreak === "confidence",
      });
      await verifySteps(ctx, sample.id, { k: params.verifyK, iteration: 0, lane: `critic-${i % MAX_LANES}` });
      return sample.id;
    });
    const ordered = [...samples].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    const { winnerId } = verifierVote(ctx, ordered, params.aggregate as StepAggregate, params.final as FinalRule, 1, params.tieBreak as TieBreak);
    return { nodeId: winnerId };
  },
});
