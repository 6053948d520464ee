// MAgICoRe (Chen et al. 2024; dinobby/MAgICoRE refine.py): k samples; each gets an outcome reward (ORM) and
// per-step rewards (PRM) — here the critic's step-wise JSON verdict, on a 0–1 scale — and reward = ORM + Π PRM.
// The gate follows refine.py: a problem is hard when (1) the rewards of the samples agreeing with the majority
// answer, z-normalised against the dataset-wide mean and std, average below 0, and (2) the ORM vote or the PRM
// vote is uncertain: confidence 2·(1 − sigmoid(H)) below 0.5, H the entropy of the vote mass. Easy problems get
// a reward-weighted vote. Hard ones get up to `maxIterations` rounds in which every solution is shown with
// "(Score: n/10)" after each step to a Reviewer and then, with the Reviewer's feedback, to a Refiner; the
// refinements are rescored and re-gated. Final: the last gated set plus its refinement, top-k by reward, a
// reward-weighted vote.
import { answerKey } from "../grading/checkers.ts";
import type { Task } from "../protocol/events.ts";
import { latestScore, type RunNode } from "../protocol/state.ts";
import type { RunContext } from "./context.ts";
import { refinerMessages, reviewerMessages } from "./magicore-prompts.ts";
import { MAX_STEPS, splitSteps } from "./verdicts.ts";
import { MAX_LANES, defineStrategy, type ParamSpec, type ParamsOf } from "./types.ts";
import { output, judging, textTokens } from "./context-need.ts";

export interface Scored {
  id: string;
  answer: string | null;
  /** Outcome reward in [0, 1]: the critic's overall score / 10. */
  orm: number;
  /** Process reward in [0, 1]: the step scores / 10, aggregated (the repo: their product). */
  prm: number;
  reward: number;
}

export type StepAggregate = "product" | "min" | "mean";

/** The repo's PRM aggregation is np.product of the step scores; min and mean are options that spare long solutions. */
export function aggregateSteps(stepScores: number[], how: StepAggregate): number {
  if (stepScores.length === 0) return 0;
  if (how === "min") return Math.min(...stepScores);
  if (how === "mean") return stepScores.reduce((a, b) => a + b, 0) / stepScores.length;
  return stepScores.reduce((a, b) => a * b, 1);
}

/** ORM and PRM of a scored candidate; a candidate without an answer gets PRM [0], as annotate.py does. */
export function rewardOf(node: RunNode, how: StepAggregate = "product"): Scored {
  const score = latestScore(node, "critic");
  const orm = score?.value == null ? 0 : score.value / 10;
  const steps = (score?.steps ?? []).map((s) => (s.score ?? 0) / 10);
  const prm = node.answer === null ? 0 : aggregateSteps(steps.length ? steps : [orm], how);
  return { id: node.id, answer: node.answer, orm, prm, reward: orm + prm };
}

export interface RewardStats {
  mean: number;
  std: number;
  /** "dataset": given by the experiment or the parameters; "problem": this problem's own samples (fallback). */
  source: "dataset" | "problem";
}

/** Mean and population std (np.mean, np.std) of rewards: the repo takes each problem's first sample. */
export function rewardStatistics(rewards: number[]): { mean: number; std: number } {
  const mean = rewards.reduce((a, b) => a + b, 0) / Math.max(1, rewards.length);
  const variance = rewards.reduce((s, r) => s + (r - mean) ** 2, 0) / Math.max(1, rewards.length);
  return { mean, std: Math.sqrt(variance) };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** scipy.stats.entropy of unnormalised masses (natural log); NaN when the masses sum to 0, as scipy gives. */
export function entropyOf(masses: number[]): number {
  const total = masses.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return Number.NaN;
  return -masses.reduce((s, m) => (m > 0 ? s + (m / total) * Math.log(m / total) : s), 0);
}

/** refine.py's confidence of a vote: 2·(1 − sigmoid(H)); 1 for a unanimous vote, towards 0 as it spreads. */
export const voteConfidence = (masses: number[]) => 2 * (1 - sigmoid(entropyOf(masses)));

/** A task with no options: answers grouped as any vote groups plain answers. */
const plainTask: Task = { question: "" };
/** The vote's group of an answer (the one answerKey of every vote); answers naming nothing pool together. */
const keyOf = (task: Task, answer: string | null) => answerKey(task, answer) ?? "\u0000none";

export interface GateResult {
  hard: boolean;
  /** Mean z-normalised reward of the samples agreeing with the majority (NaN when none agrees). */
  majorityZ: number;
  belowAverage: boolean;
  ormConfidence: number;
  prmConfidence: number;
}

/** refine.py's gate. NaN comparisons are false, as in numpy: no agreeing sample or zero std is "not below". */
export function classify(pool: Scored[], majority: string | null, stats: { mean: number; std: number }, task = plainTask): GateResult {
  const majorityKey = answerKey(task, majority);
  const agreeing = pool.filter((p) => majorityKey !== null && answerKey(task, p.answer) === majorityKey);
  const z = agreeing.map((p) => (p.reward - stats.mean) / stats.std);
  const majorityZ = z.length ? z.reduce((a, b) => a + b, 0) / z.length : Number.NaN;
  const belowAverage = majorityZ < 0;
  const orm = new Map<string, number>();
  const prm = new Map<string, number>();
  for (const p of pool) {
    orm.set(keyOf(task, p.answer), (orm.get(keyOf(task, p.answer)) ?? 0) + p.orm);
    prm.set(keyOf(task, p.answer), (prm.get(keyOf(task, p.answer)) ?? 0) + p.prm);
  }
  const ormConfidence = voteConfidence([...orm.values()]);
  const prmConfidence = voteConfidence([...prm.values()]);
  return { hard: belowAverage && (ormConfidence < 0.5 || prmConfidence < 0.5), majorityZ, belowAverage, ormConfidence, prmConfidence };
}

/** The majority answer of the first samples (utils.merge_samples: Counter.most_common, first seen on a tie). */
export function majorityAnswer(pool: Scored[], task = plainTask): string | null {
  const counts = new Map<string, { count: number; answer: string }>();
  for (const p of pool) {
    const key = answerKey(task, p.answer);
    if (key === null) continue;
    const entry = counts.get(key) ?? { count: 0, answer: p.answer! };
    entry.count++;
    counts.set(key, entry);
  }
  let best: { count: number; answer: string } | null = null;
  for (const entry of counts.values()) if (!best || entry.count > best.count) best = entry;
  return best?.answer ?? null;
}

/** The dataset-wide statistics when given (rewardStd > 0), else this problem's own samples. */
export function statisticsFor(params: ParamsOf<typeof magicoreParams>, firstSamples: Scored[]): RewardStats {
  const std = params.rewardStd;
  if (std > 0) return { mean: params.rewardMean, std, source: "dataset" };
  return { ...rewardStatistics(firstSamples.map((s) => s.reward)), source: "problem" };
}

/** The final vote (refine.py): top-k by reward, each answer's mass the sum of ORM + PRM; empty answers do not vote. */
function weightedVote(ctx: RunContext, pool: Scored[], topK: number, iteration: number): string {
  const top = [...pool].sort((a, b) => b.reward - a.reward).slice(0, topK);
  const votes = new Map<string, { mass: number; first: string; answer: string }>();
  for (const item of top) {
    const key = answerKey(ctx.task, item.answer);
    if (key === null) continue;
    const entry = votes.get(key) ?? { mass: 0, first: item.id, answer: item.answer! };
    entry.mass += item.reward;
    votes.set(key, entry);
  }
  // Sorted by reward first, so a tie in mass goes to the answer of the best-rewarded candidate (max() over the
  // repo's insertion-ordered dict does the same).
  const ranked = [...votes.values()].sort((a, b) => b.mass - a.mass);
  const winner = ranked[0];
  const total = ranked.reduce((s, e) => s + e.mass, 0);
  const node = ctx.addComputedNode({
    role: "vote",
    step: "reward-weighted-vote",
    iteration,
    parents: top.map((p) => p.id),
    text: ranked.length ? ranked.map((e) => `${e.answer}: reward mass ${e.mass.toFixed(3)}`).join("\n") : "no candidate stated an answer",
    answer: winner?.answer ?? null,
  });
  for (const item of top) {
    const key = answerKey(ctx.task, item.answer);
    const mass = key === null ? 0 : (votes.get(key)?.mass ?? 0);
    ctx.setScore(item.id, { value: total > 0 ? mass / total : 0, verdict: "unknown", source: "vote", byNodeId: node.id });
  }
  return winner?.first ?? top[0]!.id;
}

/** A solution as the Reviewer and Refiner see it: each step followed by its score (PRM.add_process_reward). */
export function withStepScores(node: RunNode): string {
  const score = latestScore(node, "critic");
  return splitSteps(node.text)
    .map((step, s) => `Step ${s + 1}: ${step.replace(/^Step \d+:\s*/, "")} (Score: ${score?.steps?.[s]?.score ?? "?"}/10)`)
    .join("\n\n");
}

function gateText(gate: GateResult, stats: RewardStats, majority: string | null): string {
  const fmt = (x: number) => (Number.isNaN(x) ? "n/a" : x.toFixed(3));
  const statsText =
    stats.source === "dataset"
      ? `dataset mean ${fmt(stats.mean)}, std ${fmt(stats.std)}`
      : `this problem's samples (mean ${fmt(stats.mean)}, std ${fmt(stats.std)}; no dataset statistics given)`;
  return (
    `${gate.hard ? "hard" : "easy"}: majority ${majority ?? "none"} has mean z-reward ${fmt(gate.majorityZ)} (${gate.belowAverage ? "below" : "not below"} average; ${statsText}); ` +
    `ORM vote confidence ${fmt(gate.ormConfidence)}, PRM vote confidence ${fmt(gate.prmConfidence)} (hard when below average and either is under 0.5)`
  );
}

async function reviewAndRefine(ctx: RunContext, item: Scored, iteration: number, i: number, params: ParamsOf<typeof magicoreParams>): Promise<RunNode> {
  const node = ctx.node(item.id);
  const shown = withStepScores(node);
  const review = await ctx.generate({
    role: "critique",
    step: "review",
    iteration,
    parents: [item.id],
    model: "critic",
    messages: reviewerMessages(ctx.task.question, shown, params.lowStepScore),
    lane: `critic-${i % MAX_LANES}`,
    extract: false,
  });
  return ctx.generate({
    role: "refine",
    step: "refine",
    iteration,
    parents: [item.id, review.id],
    model: "actor",
    messages: refinerMessages(ctx.task.question, shown, review.text),
    lane: `solver-${i % MAX_LANES}`,
  });
}

const magicoreParams = [
  { name: "k", type: "integer", default: 8, min: 1, max: 64, description: "samples (the repo uses 40)" },
  { name: "temperature", type: "number", default: 0.8, min: 0, max: 2, description: "sampling temperature" },
  { name: "maxIterations", type: "integer", default: 3, min: 0, max: 10, description: "review → refine rounds for hard problems" },
  { name: "lowStepScore", type: "integer", default: 6, min: 0, max: 10, description: "the Reviewer is told to look at steps scoring below this" },
  { name: "topK", type: "integer", default: 0, min: 0, max: 128, description: "final pool size (by reward) for the weighted vote; 0: k, as the repo" },
  {
    name: "stepAggregate",
    type: "string",
    default: "product",
    choices: ["product", "min", "mean"],
    description: "how step scores make the PRM reward (the repo: product)",
  },
  { name: "rewardMean", type: "number", default: 0, description: "dataset-wide mean reward for the gate's z-normalisation (with rewardStd)" },
  { name: "rewardStd", type: "number", default: 0, min: 0, description: "dataset-wide reward std; 0: not given, use this problem's samples" },
] as const satisfies readonly ParamSpec[];

export const magicore = defineStrategy({
  name: "magicore",
  title: "MAgICoRe",
  paper: "Chen et al. 2024, MAgICoRe: Multi-Agent, Iterative, Coarse-to-Fine Refinement for Reasoning (arXiv:2409.12147)",
  summary: "Sample k, score outcomes and steps, refine only hard problems with a step-aware Reviewer and a Refiner, reward-weighted vote.",
  params: magicoreParams,
  // The Reviewer and the Refiner read the one-shot example, a solution with its step scores and (Refiner) the review.
  contextNeeded: (_params, budgets) => {
    const shots = (messages: { content: string }[]) => textTokens(messages.map((m) => m.content).join(""));
    const scored = budgets.actor.answer + 8 * MAX_STEPS;
    const review = budgets.prompt + shots(reviewerMessages("", "", 0)) + scored + output(budgets.critic);
    const refine = budgets.prompt + shots(refinerMessages("", "", "")) + scored + budgets.critic.answer + output(budgets.actor);
    return Math.max(review, refine, judging(budgets));
  },
  actorLanes: (params) => Math.min(params.k, MAX_LANES),
  // refine.py's statistics: each problem's first sample, its reward. A one-sample run per item gives exactly that
  // sample and its score, which the real run (same seed, same prompts) then replays from the experiment's cache.
  datasetPrepass: {
    needed: (params) => params.rewardStd === 0,
    params: (params) => ({ ...params, k: 1, maxIterations: 0 }),
    fold: (states, params) => {
      const rewards = states.flatMap((state) => {
        const first = state.order.map((id) => state.nodes[id]!).find((n) => n.step === "sample" && n.status === "done");
        return first ? [rewardOf(first, params.stepAggregate as StepAggregate).reward] : [];
      });
      const { mean, std } = rewardStatistics(rewards);
      return { rewardMean: mean, rewardStd: std };
    },
  },
  async run(ctx, params) {
    const k = params.k;
    const how = params.stepAggregate as StepAggregate;
    const scoreOne = async (id: string, iteration: number, lane: string) => {
      await ctx.critique(id, { mode: "stepwise", iteration, lane, step: "score" });
      return rewardOf(ctx.node(id), how);
    };
    const first = await ctx.map([...Array(k).keys()], async (i) => {
      const sample = await ctx.draft({ step: "sample", lane: `solver-${i % MAX_LANES}`, temperature: params.temperature });
      return scoreOne(sample.id, 0, `critic-${i % MAX_LANES}`);
    });
    const stats = statisticsFor(params, first);
    const majority = majorityAnswer(first, ctx.task);
    let gated = first;
    let pool = first;
    // The gate judging the problem easy ends refinement (accepted); otherwise the iterations run out.
    let stop: "accepted" | "max-iterations" = "max-iterations";
    for (let iteration = 1; iteration <= params.maxIterations; iteration++) {
      const gate = classify(gated, majority, stats, ctx.task);
      ctx.addComputedNode({ role: "select", step: "gate", iteration, parents: gated.map((c) => c.id), text: gateText(gate, stats, majority), answer: null });
      pool = gated;
      if (!gate.hard) stop = "accepted";
      if (!gate.hard || !ctx.withinBudget()) break;
      const refined = await ctx.map(gated, async (item, i) =>
        scoreOne((await reviewAndRefine(ctx, item, iteration, i, params)).id, iteration, `critic-${i % MAX_LANES}`),
      );
      // refine.py pools the gated solutions with their refinements (iter n + iter n+1) for the final vote.
      pool = [...gated, ...refined];
      gated = refined;
    }
    const topK = params.topK || k;
    return { nodeId: weightedVote(ctx, pool, topK, params.maxIterations + 1), stop };
  },
});
