// Best-of-N: n samples, the critic scores each, the best score wins (or, with selectBy, the verdict first); ties are drawn with the run's seed (the
// earliest sample winning every tie would favour the single-pass answer). With a threshold, sampling stops
// early once a sample reaches it (as DSPy's BestOfN does); that mode samples one at a time.
import { SELECT_RULE_STEPS, SELECT_RULES, type SelectRule } from "../protocol/select-rule.ts";
import type { RunNode } from "../protocol/state.ts";
import { tieBreakParam, type TieBreak } from "./confidence-tie-break.ts";
import { selectByScoreSeeded } from "./seeded-select.ts";
import { defineStrategy, MAX_LANES } from "./types.ts";
import { judging, oneCall } from "./context-need.ts";

export const bestOfN = defineStrategy({
  name: "best-of-n",
  title: "Best-of-N (critic-scored)",
  paper: "baseline; e.g. Cobbe et al. 2021 (verifiers), DSPy BestOfN",
  summary: "Sample n answers, score each with the critic, keep the best.",
  params: [
    { name: "n", type: "integer", default: 4, min: 1, max: 64, description: "samples" },
    { name: "temperature", type: "number", default: 0.8, min: 0, max: 2, description: "sampling temperature for the samples" },
    { name: "threshold", type: "integer", default: 0, min: 0, max: 10, description: "stop early once a sample scores at least this (0: never)" },
    {
      name: "selectBy",
      type: "string",
      default: "score",
      choices: SELECT_RULES,
      description: "the pick: score (the highest critic score, the papers' rule) or verdict-then-score (✓ before ✗, then score)",
    },
    tieBreakParam,
  ],
  contextNeeded: (_params, budgets) => Math.max(oneCall(budgets), judging(budgets)),
  actorLanes: (params) => Math.min(params.n, MAX_LANES),
  async run(ctx, params) {
    const n = params.n;
    const threshold = params.threshold;
    const temperature = params.temperature;
    const samples: RunNode[] = [];
    const scoreOne = async (index: number) => {
      const sample = await ctx.draft({ step: "sample", lane: `sample-${index % MAX_LANES}`, temperature, confidence: params.tieBreak === "confidence" });
      samples.push(sample);
      const critique = await ctx.critique(sample.id, { mode: "holistic", iteration: 0, lane: `critic-${index % MAX_LANES}` });
      return critique.verdict.score ?? -1;
    };
    // With a threshold, a sample scoring at it ends sampling (accepted); without one all n are the procedure.
    let stop: "accepted" | undefined;
    if (threshold > 0) {
      for (let i = 0; i < n && ctx.withinBudget(); i++)
        if ((await scoreOne(i)) >= threshold) {
          stop = "accepted";
          break;
        }
    } else {
      await ctx.map([...Array(n).keys()], (i) => scoreOne(i));
    }
    const pool = [...samples].sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1))).map((s) => s.id);
    const rule = params.selectBy as SelectRule;
    return { nodeId: selectByScoreSeeded(ctx, pool, 1, SELECT_RULE_STEPS[rule], rule, params.tieBreak as TieBreak).id, ...(stop ? { stop } : {}) };
  },
});
