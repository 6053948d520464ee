// Eigen-1 (Tang et al. 2025; tangxiangru/Eigen-1 agents/agent.py, Eigen1Agent.forward): parallel solvers; a
// critic per solution that checks it and writes a corrected one; Hierarchical Solution Refinement (each
// corrected candidate in turn is the anchor, repaired with the others as references, taking only improvements
// that address the anchor's weak points); Quality-Aware Iterative Reasoning (a judge scores logic, answer and
// explanation 0–5, weighted 0.2/0.6/0.2; a candidate below the threshold goes back to the critic together with
// the judge's suggestion — `_forward_critic(query, solution, suggestion)`); and a selector that picks one of
// exactly the final candidates, one per solver, without deferring to the majority.
import type { RunNode } from "../protocol/state.ts";
import type { RunContext } from "./context.ts";
import { anchorRepairPrompt, criticPrompt, qualityPrompt, selectorPrompt } from "./eigen1-prompts.ts";
import { selectByScoreSeeded } from "./seeded-select.ts";
import { sampledJudge } from "./sampled-judge.ts";
import { prompts } from "./prompts.ts";
import { MAX_LANES, defineStrategy } from "./types.ts";
import { strictObject } from "./verdicts.ts";
import { judging, output, textTokens } from "./context-need.ts";

const aspect = { enum: [0, 1, 2, 3, 4, 5] };
const WEIGHTS = { logic: 0.2, answer: 0.6, explanation: 0.2 };

interface Quality {
  analysis: string;
  suggestion: string;
  logic: number;
  answer: number;
  explanation: number;
}

/** The judge explains and suggests before it scores: constrained decoding emits fields in this order. */
export const qualitySchema = strictObject({
  analysis: { type: "string", maxLength: 1000 },
  suggestion: { type: "string", maxLength: 600 },
  logic: aspect,
  answer: aspect,
  explanation: aspect,
});

/** The selector verifies before it chooses. (llama.cpp refuses a string of 2000 or more repetitions.) */
export const selectorSchema = (candidates: number) =>
  strictObject({ verification: { type: "string", maxLength: 1500 }, choice: { enum: Array.from({ length: candidates }, (_, i) => i + 1) } });

export const weightedQuality = (q: Pick<Quality, "logic" | "answer" | "explanation">) =>
  q.logic * WEIGHTS.logic + q.answer * WEIGHTS.answer + q.explanation * WEIGHTS.explanation;

function judgeQuality(ctx: RunContext, node: RunNode, iteration: number, lane: string) {
  return ctx.judge<Quality>(node.id, {
    step: "quality",
    iteration,
    user: qualityPrompt(ctx.task.question, node.text),
    schema: qualitySchema,
    lane,
    // The weighted 0–5 quality, shown on the 0–10 scale the other critics use.
    toScore: (value, by) => {
      if (!value || ![value.logic, value.answer, value.explanation].every((v) => typeof v === "number"))
        return { value: null, verdict: "unparseable", source: "critic", byNodeId: by };
      return { value: Math.round(weightedQuality(value) * 20) / 10, verdict: value.answer >= 3 ? "correct" : "incorrect", source: "critic", byNodeId: by };
    },
  });
}

/**
 * The critic role: checks one solution and writes a corrected one; in QAIR it also gets the judge's suggestion.
 * Sampled at the repo's LLMAgent temperature, as its solver is.
 */
function criticCorrect(
  ctx: RunContext,
  solution: RunNode,
  options: { step: string; iteration: number; lane: string; temperature: number; suggestion?: string; judgeId?: string },
) {
  return ctx.ask({
    role: "refine",
    step: options.step,
    iteration: options.iteration,
    parents: options.judgeId ? [solution.id, options.judgeId] : [solution.id],
    model: "critic",
    user: criticPrompt(ctx.task.question, solution.text, options.suggestion),
    lane: options.lane,
    temperature: options.temperature,
  });
}

/**
 * QAIR: judge the candidates still pending, keep those at or above the threshold, send the rest back to the critic.
 * Returns the final candidates as agent.py hands them to the selector: those that passed, in the round they passed,
 * then the last repairs.
 */
async function qualityAwareRounds(
  ctx: RunContext,
  candidates: RunNode[],
  rounds: number,
  threshold: number,
  temperature: number,
): Promise<{ pool: RunNode[]; stop?: "accepted" | "max-iterations" }> {
  const final = [...candidates];
  const passed: number[] = [];
  let pending = final.map((_, index) => index);
  for (let round = 0; round < rounds && pending.length > 0 && ctx.withinBudget(); round++) {
    const judged = await ctx.map(pending, (index) => judgeQuality(ctx, final[index]!, 3 + round, `critic-${index % MAX_LANES}`));
    const failing = pending.filter((_, j) => {
      const value = judged[j]!.value;
      // An unreadable judgement cannot vouch for a candidate: it is repaired like a failing one.
      const readable = value !== null && [value.logic, value.answer, value.explanation].every((v) => typeof v === "number");
      return !readable || weightedQuality(value) < threshold;
    });
    passed.push(...pending.filter((index) => !failing.includes(index)));
    const repaired = await ctx.map(failing, (index) => {
      const judge = judged[pending.indexOf(index)]!;
      return criticCorrect(ctx, final[index]!, {
        step: "qair-repair",
        iteration: 3 + round,
        lane: `critic-${index % MAX_LANES}`,
        temperature,
        suggestion: judge.value?.suggestion ?? "Check every step.",
        judgeId: judge.node.id,
      });
    });
    failing.forEach((index, j) => (final[index] = repaired[j]!));
    // As in the repo, a repaired candidate is judged again only if another round follows.
    pending = failing;
  }
  const pool = [...passed, ...pending].map((index) => final[index]!);
  // Every candidate passed the judge (accepted), or some were still failing when the rounds ran out.
  if (rounds === 0) return { pool };
  return { pool, stop: pending.length === 0 ? "accepted" : "max-iterations" };
}

export const eigen1 = defineStrategy({
  name: "eigen-1",
  title: "Eigen-1 (HSR + QAIR)",
  paper: "Tang et al. 2025, Eigen-1: Adaptive Multi-Agent Refinement with Monitor-Based RAG for Scientific Reasoning (arXiv:2509.21193)",
  summary:
    "Parallel solvers, correcting critics, anchor-and-reference repair of each candidate, quality-scored re-critique with the judge's suggestion, and a selector over the final candidates.",
  params: [
    { name: "solvers", type: "integer", default: 5, min: 2, max: 16, description: "parallel solvers" },
    { name: "temperature", type: "number", default: 0.5, min: 0, max: 2, description: "solver temperature (the repo's LLMAgent default)" },
    {
      name: "threshold",
      type: "number",
      default: 3,
      min: 0,
      max: 5,
      description: "QAIR: weighted quality (0–5) below this goes back to the critic with the judge's suggestion",
    },
    { name: "qairRounds", type: "integer", default: 1, min: 0, max: 5, description: "QAIR rounds (the repo's max_try)" },
    {
      name: "criticTemperature",
      type: "number",
      default: 0.5,
      min: 0,
      max: 2,
      description: "temperature of the correcting critic, QAIR's repairs and the selector (the repo's LLMAgent default)",
    },
  ],
  // The anchor repair reads every corrected candidate; the selector reads every final one.
  contextNeeded: (params, budgets) => {
    const n = params.solvers;
    const candidate = Math.max(budgets.actor.answer, budgets.critic.answer);
    const anchor = budgets.prompt + textTokens(anchorRepairPrompt("", "", [])) + n * candidate + output(budgets.actor);
    const repair = budgets.prompt + textTokens(criticPrompt("", "", "")) + candidate + budgets.critic.answer + output(budgets.critic);
    return Math.max(anchor, repair, judging(budgets, n, textTokens(selectorPrompt("", []))), judging(budgets, 1, textTokens(qualityPrompt("", ""))));
  },
  contextKnobs: ["solvers"],
  actorLanes: (params) => Math.min(params.solvers, MAX_LANES),
  async run(ctx, params) {
    const n = params.solvers;
    const solutions = await ctx.map([...Array(n).keys()], (i) =>
      ctx.draft({ step: "solver", lane: `solver-${i % MAX_LANES}`, temperature: params.temperature }),
    );
    const corrected = await ctx.map(solutions, (solution, i) =>
      criticCorrect(ctx, solution, { step: "critic-correct", iteration: 1, lane: `critic-${i % MAX_LANES}`, temperature: params.criticTemperature }),
    );
    // Hierarchical Solution Refinement: each candidate is the anchor once, the others are references.
    const refined = await ctx.map(corrected, (anchor, i) => {
      const references = corrected.filter((c) => c.id !== anchor.id);
      return ctx.ask({
        role: "refine",
        step: "hsr-anchor",
        iteration: 2,
        parents: [anchor.id, ...references.map((r) => r.id)],
        model: "actor",
        user: anchorRepairPrompt(
          ctx.task.question,
          anchor.text,
          references.map((r) => r.text),
        ),
        lane: `solver-${i % MAX_LANES}`,
      });
    });
    const { pool, stop } = await qualityAwareRounds(ctx, refined, params.qairRounds, params.threshold, params.criticTemperature);
    const choice = await sampledJudge<{ verification: string; choice: number }>(ctx, null, {
      step: "selector",
      iteration: 10,
      parents: pool.map((p) => p.id),
      user: selectorPrompt(
        ctx.task.question,
        pool.map((p) => p.text),
      ),
      schema: selectorSchema(pool.length),
      lane: "selector",
      system: prompts.criticSystem,
      temperature: params.criticTemperature,
      toScore: (value, by) => ({ value: null, verdict: value === null ? "unparseable" : "unknown", source: "critic", byNodeId: by }),
    });
    const picked = choice.value ? pool[choice.value.choice - 1] : undefined;
    // An unreadable selection falls back to the best judged quality (unjudged candidates rank last).
    return {
      nodeId:
        picked?.id ??
        selectByScoreSeeded(
          ctx,
          pool.map((c) => c.id),
          11,
        ).id,
      ...(stop ? { stop } : {}),
    };
  },
});
