// Eigen-1 (Tang et al. 2025): parallel solvers; a critic per solution that checks it and writes a corrected
// one; Hierarchical Solution Refinement (each candidate in turn is the anchor, repaired with the others as
// references, taking only improvements that address the anchor's weak points); Quality-Aware Iterative
// Reasoning (a judge scores logic, answer and explanation 0–5, weighted 0.2/0.6/0.2; candidates below the
// threshold get a targeted re-critique and repair); a selector picks one without deferring to the majority.
import { latestScore, type RunNode } from "../protocol/state.ts";
import type { RunContext } from "./context.ts";
import { prompts } from "./prompts.ts";
import { int, type StrategyDefinition, MAX_LANES } from "./types.ts";

const aspect = { enum: [0, 1, 2, 3, 4, 5] };
const WEIGHTS = { logic: 0.2, answer: 0.6, explanation: 0.2 };

interface Quality {
  logic: number;
  answer: number;
  explanation: number;
  suggestion: string;
}

async function judgeQuality(ctx: RunContext, node: RunNode, iteration: number, lane: string) {
  return ctx.judge<Quality>(node.id, {
    step: "quality",
    iteration,
    user: `Problem:\n${ctx.task.question}\n\nSolution:\n${node.text}\n\nScore the solution from 0 to 5 on 'logic' (soundness of the reasoning), 'answer' (correctness of the final answer) and 'explanation' (clarity), and give one concrete 'suggestion' for improving it.`,
    schema: { type: "object", properties: { logic: aspect, answer: aspect, explanation: aspect, suggestion: { type: "string", maxLength: 300 } } },
    lane,
    // The weighted 0–5 quality, shown on the 0–10 scale the other critics use.
    toScore: (value, by) => {
      if (!value) return { value: null, verdict: "unparseable", source: "critic", byNodeId: by };
      const quality = value.logic * WEIGHTS.logic + value.answer * WEIGHTS.answer + value.explanation * WEIGHTS.explanation;
      return { value: Math.round(quality * 20) / 10, verdict: value.answer >= 3 ? "correct" : "incorrect", source: "critic", byNodeId: by };
    },
  });
}

export const eigen1: StrategyDefinition = {
  name: "eigen-1",
  title: "Eigen-1 (HSR + QAIR)",
  paper: "Tang et al. 2025, Eigen-1: Adaptive Multi-Agent Refinement with Monitor-Based RAG for Scientific Reasoning (arXiv:2509.21193)",
  summary: "Parallel solvers, correcting critics, anchor-and-reference repair of each candidate, quality-scored targeted re-critique, and a final selector.",
  params: [
    { name: "solvers", type: "integer", default: 5, min: 2, max: 16, description: "parallel solvers" },
    { name: "threshold", type: "number", default: 3, min: 0, max: 5, description: "QAIR: weighted quality (0–5) below this gets a targeted re-critique" },
    { name: "qairRounds", type: "integer", default: 1, min: 0, max: 5, description: "QAIR rounds" },
  ],
  actorLanes: (params) => Math.min(int(params, "solvers"), MAX_LANES),
  async run(ctx, params) {
    const n = int(params, "solvers");
    const solutions = await ctx.map([...Array(n).keys()], (i) => ctx.draft({ step: "solver", lane: `solver-${i % MAX_LANES}`, temperature: 0.8 }));
    // Critics that correct: each checks one solution and writes a corrected version.
    const corrected = await ctx.map(solutions, (solution, i) =>
      ctx.ask({
        role: "refine",
        step: "critic-correct",
        iteration: 1,
        parents: [solution.id],
        model: "critic",
        system: "You check a solution and write a corrected version. Keep what is right, fix what is wrong.",
        user: `Problem:\n${ctx.task.question}\n\nSolution:\n${solution.text}\n\nWrite the corrected solution, step by step, ending with 'The answer is <answer>'.`,
        lane: `critic-${i % MAX_LANES}`,
      }),
    );
    // Hierarchical Solution Refinement: each candidate is the anchor once, the others are references.
    let candidates = await ctx.map(corrected, (anchor, i) => {
      const references = corrected.filter((c) => c.id !== anchor.id);
      return ctx.ask({
        role: "refine",
        step: "hsr-anchor",
        iteration: 2,
        parents: [anchor.id, ...references.map((r) => r.id)],
        model: "actor",
        system: prompts.solverSystem,
        user: `Problem:\n${ctx.task.question}\n\nAnchor solution:\n${anchor.text}\n\n${references.map((r, j) => `Reference ${j + 1}:\n${r.text}`).join("\n\n")}\n\nRepair the anchor using the references. Only use improvements that address the anchor's weak points: complete missing logic, fix numbers, replace a wrong method, improve the explanation.`,
        lane: `solver-${i % MAX_LANES}`,
      });
    });
    // Quality-Aware Iterative Reasoning.
    for (let round = 0; round < int(params, "qairRounds") && ctx.withinBudget(); round++) {
      const judged = await ctx.map(candidates, (c, i) => judgeQuality(ctx, c, 3 + round, `critic-${i % MAX_LANES}`));
      candidates = await ctx.map(candidates, async (candidate, i) => {
        const { value, score } = judged[i]!;
        if (score.value !== null && score.value / 2 >= (params.threshold as number)) return candidate;
        return ctx.ask({
          role: "refine",
          step: "qair-repair",
          iteration: 3 + round,
          parents: [candidate.id, judged[i]!.node.id],
          model: "actor",
          system: prompts.solverSystem,
          user: `Problem:\n${ctx.task.question}\n\nSolution:\n${candidate.text}\n\nA judge rated it logic ${value?.logic ?? "?"}/5, answer ${value?.answer ?? "?"}/5, explanation ${value?.explanation ?? "?"}/5 and suggests: ${value?.suggestion ?? "check every step"}\n\nRewrite the solution addressing this.`,
          lane: `solver-${i % MAX_LANES}`,
        });
      });
    }
    // Candidates repaired in the last round have not been judged yet; the selector needs every one scored.
    await ctx.map(candidates, (c, i) => (latestScore(ctx.node(c.id), "critic") ? Promise.resolve(null) : judgeQuality(ctx, ctx.node(c.id), 9, `critic-${i % MAX_LANES}`)));
    const pool = [...solutions, ...candidates];
    const choice = await ctx.judge<{ reasoning: string; choice: number }>(null, {
      step: "selector",
      iteration: 10,
      parents: pool.map((p) => p.id),
      user: `Problem:\n${ctx.task.question}\n\n${pool.map((p, i) => `Candidate ${i + 1}:\n${ctx.node(p.id).text}`).join("\n\n")}\n\nChoose the best candidate on its own merits. Do not be influenced by how many candidates share an answer.`,
      schema: { type: "object", properties: { reasoning: { type: "string", maxLength: 300 }, choice: { enum: pool.map((_, i) => i + 1) } } },
      lane: "selector",
      toScore: (value, by) => ({ value: null, verdict: value === null ? "unparseable" : "unknown", source: "critic", byNodeId: by }),
    });
    const picked = choice.value ? pool[choice.value.choice - 1] : undefined;
    // An unreadable selection falls back to the best quality score.
    return { nodeId: picked?.id ?? ctx.selectByScore(candidates.map((c) => c.id), 11, false).id };
  },
};
