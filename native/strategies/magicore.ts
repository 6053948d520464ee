// MAgICoRe (Chen et al. 2024): k samples; each gets an outcome score and per-step scores (the repo's reward
// models are replaced here by the critic's step-wise JSON verdict); reward = outcome + product of step scores.
// A problem is hard when the majority answer's mean reward is below the overall mean and the reward-weighted
// vote is uncertain; easy problems get a reward-weighted vote. Hard ones get up to 3 rounds of Reviewer
// (step-wise feedback on steps shown with "(Score: n/10)", focused on low-scoring steps) and Refiner, rescored
// and re-gated. Final: old + refined pool, top-k by reward, reward-weighted vote.
import { normalizeAnswer } from "../eval/answers.ts";
import { latestScore, type RunNode } from "../protocol/state.ts";
import type { RunContext } from "./context.ts";
import { splitSteps } from "./verdicts.ts";
import { int, type StrategyDefinition, MAX_LANES } from "./types.ts";

export interface Scored {
  id: string;
  answer: string | null;
  reward: number;
}

/** reward = outcome/10 + Π step/10 (the repo adds the ORM score to the product of PRM step scores). */
export function rewardOf(node: RunNode): number {
  const score = latestScore(node, "critic");
  if (!score || score.value === null) return 0;
  const steps = score.steps ?? [];
  const product = steps.length ? steps.reduce((p, s) => p * ((s.score ?? 0) / 10), 1) : score.value / 10;
  return score.value / 10 + product;
}

export interface GateResult {
  hard: boolean;
  confidence: number;
  majorityMeanReward: number;
  meanReward: number;
  votes: Map<string, { mass: number; first: string; answer: string }>;
}

/** The easy/hard gate: vote mass per answer, its normalised-entropy confidence, and the majority's mean reward. */
export function classify(pool: Scored[]): GateResult {
  const votes = new Map<string, { mass: number; first: string; answer: string; count: number; total: number }>();
  for (const item of pool) {
    if (item.answer === null) continue;
    const key = normalizeAnswer(item.answer);
    const entry = votes.get(key) ?? { mass: 0, first: item.id, answer: item.answer, count: 0, total: 0 };
    entry.mass += item.reward;
    entry.count++;
    entry.total += item.reward;
    votes.set(key, entry);
  }
  const meanReward = pool.length ? pool.reduce((s, p) => s + p.reward, 0) / pool.length : 0;
  const entries = [...votes.values()];
  const totalMass = entries.reduce((s, e) => s + e.mass, 0);
  let confidence = 1;
  if (entries.length > 1 && totalMass > 0) {
    const entropy = -entries.reduce((s, e) => (e.mass > 0 ? s + (e.mass / totalMass) * Math.log(e.mass / totalMass) : s), 0);
    confidence = 1 - entropy / Math.log(entries.length);
  } else if (entries.length === 0) {
    confidence = 0;
  }
  const majority = [...entries].sort((a, b) => b.count - a.count)[0];
  const majorityMeanReward = majority ? majority.total / majority.count : 0;
  return { hard: majorityMeanReward < meanReward && confidence < 0.5, confidence, majorityMeanReward, meanReward, votes };
}

function weightedVote(ctx: RunContext, pool: Scored[], iteration: number, step: string): string {
  const gate = classify(pool);
  const ranked = [...gate.votes.values()].sort((a, b) => b.mass - a.mass);
  const winner = ranked[0];
  const node = ctx.addComputedNode({
    role: "vote",
    step,
    iteration,
    parents: pool.map((p) => p.id),
    text: ranked.length ? ranked.map((e) => `${e.answer}: reward mass ${e.mass.toFixed(2)}`).join("\n") : "no candidate stated an answer",
    answer: winner?.answer ?? null,
  });
  for (const item of pool) {
    const mass = item.answer === null ? 0 : gate.votes.get(normalizeAnswer(item.answer))?.mass ?? 0;
    const total = ranked.reduce((s, e) => s + e.mass, 0);
    ctx.setScore(item.id, { value: total > 0 ? mass / total : 0, verdict: "unknown", source: "vote", byNodeId: node.id });
  }
  return winner?.first ?? pool[0]!.id;
}

export const magicore: StrategyDefinition = {
  name: "magicore",
  title: "MAgICoRe",
  paper: "Chen et al. 2024, MAgICoRe: Multi-Agent, Iterative, Coarse-to-Fine Refinement for Reasoning (arXiv:2409.12147)",
  summary: "Sample k, score outcomes and steps, refine only hard problems with a step-aware Reviewer and a Refiner, reward-weighted vote.",
  params: [
    { name: "k", type: "integer", default: 8, min: 1, max: 64, description: "samples (the repo uses 40)" },
    { name: "temperature", type: "number", default: 0.8, min: 0, max: 2, description: "sampling temperature" },
    { name: "maxIterations", type: "integer", default: 3, min: 0, max: 10, description: "review → refine rounds for hard problems" },
    { name: "lowStepScore", type: "integer", default: 6, min: 0, max: 10, description: "steps scoring below this get the Reviewer's attention" },
    { name: "topK", type: "integer", default: 8, min: 1, max: 128, description: "final pool size (by reward) for the weighted vote" },
  ],
  actorLanes: (params) => Math.min(int(params, "k"), MAX_LANES),
  async run(ctx, params) {
    const k = int(params, "k");
    const lowStep = int(params, "lowStepScore");
    const scoreOne = async (id: string, iteration: number, lane: string) => {
      await ctx.critique(id, { mode: "stepwise", iteration, lane, step: "score" });
      const node = ctx.node(id);
      return { id, answer: node.answer, reward: rewardOf(node) } satisfies Scored;
    };
    let current = await ctx.map([...Array(k).keys()], async (i) => {
      const sample = await ctx.draft({ step: "sample", lane: `solver-${i % MAX_LANES}`, temperature: params.temperature as number });
      return scoreOne(sample.id, 0, `critic-${i % MAX_LANES}`);
    });
    const everything: Scored[] = [...current];
    for (let iteration = 1; iteration <= int(params, "maxIterations"); iteration++) {
      const gate = classify(current);
      ctx.addComputedNode({
        role: "select",
        step: "gate",
        iteration,
        parents: current.map((c) => c.id),
        text: `${gate.hard ? "hard" : "easy"}: vote confidence ${gate.confidence.toFixed(2)} (hard below 0.5), majority mean reward ${gate.majorityMeanReward.toFixed(2)} vs mean ${gate.meanReward.toFixed(2)}`,
        answer: null,
      });
      if (!gate.hard || !ctx.withinBudget()) break;
      current = await ctx.map(current, async (item, i) => {
        const node = ctx.node(item.id);
        const score = latestScore(node, "critic");
        const steps = splitSteps(node.text);
        const shown = steps.map((step, s) => `Step ${s + 1}: ${step} (Score: ${score?.steps?.[s]?.score ?? "?"}/10)`).join("\n");
        const low = (score?.steps ?? []).filter((s) => (s.score ?? 10) < lowStep).map((s) => s.index + 1);
        const review = await ctx.ask({
          role: "critique",
          step: "review",
          iteration,
          parents: [item.id],
          model: "critic",
          system: "You are a Reviewer. Give step-wise feedback on the solution. Do not propose a new solution.",
          user: `Problem:\n${ctx.task.question}\n\nSolution with a score for each step:\n${shown}\n\n${low.length ? `Focus on steps ${low.join(", ")}, which scored below ${lowStep}.` : "Check every step."} For each problematic step, say what is wrong and how to fix it.`,
          lane: `critic-${i % MAX_LANES}`,
          extract: false,
        });
        const refined = await ctx.ask({
          role: "refine",
          step: "refine",
          iteration,
          parents: [item.id, review.id],
          model: "actor",
          system: "You are a Refiner. Fix the solution using the reviewer's feedback. Reason step by step, one step per line, and end with 'The answer is <answer>'.",
          user: `Problem:\n${ctx.task.question}\n\nSolution:\n${node.text}\n\nReviewer feedback:\n${review.text}`,
          lane: `solver-${i % MAX_LANES}`,
        });
        return scoreOne(refined.id, iteration, `critic-${i % MAX_LANES}`);
      });
      everything.push(...current);
    }
    const pool = [...everything].sort((a, b) => b.reward - a.reward).slice(0, int(params, "topK"));
    return { nodeId: weightedVote(ctx, pool, int(params, "maxIterations") + 1, "reward-weighted-vote") };
  },
};
