// MAgICoRe's decisions, worked out the way dinobby/MAgICoRE refine.py computes them: reward = ORM + np.product(PRM
// steps); condition 1 — the mean of std_normalize(reward, dataset mean, dataset std) over the samples agreeing
// with the majority is below 0; condition 2 — 2·(1 − sigmoid(scipy.stats.entropy(vote masses))) < 0.5 for the
// ORM votes or for the PRM votes; hard when both hold. The expected numbers below were computed with those
// formulas (plain Python, natural log), not with Refinery's code.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { GenerateRequest } from "../llm/backend.ts";
import { lastUser, scriptedRun } from "../../test/support/scripted-run.ts";
import { aggregateSteps, classify, majorityAnswer, rewardStatistics, voteConfidence, type Scored } from "./magicore.ts";

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} ≠ ${expected}`);
const sample = (id: string, answer: string, orm: number, steps: number[]): Scored => {
  const prm = aggregateSteps(steps, "product");
  return { id, answer, orm, prm, reward: orm + prm };
};

// Five samples; the majority is 5 (three votes). Rewards 1.629, 1.0, 1.51, 0.54, 1.7.
const five = [
  sample("a", "5", 0.9, [0.9, 0.9, 0.9]),
  sample("b", "5", 0.6, [0.8, 0.5]),
  sample("c", "7", 0.7, [0.9, 0.9]),
  sample("d", "5", 0.3, [0.6, 0.4]),
  sample("e", "9", 0.8, [0.9, 1.0]),
];
const six = [...five, sample("f", "3", 0.8, [0.9])];

test("MAgICoRe gate (refine.py): below average but three answers is still a confident vote → easy", () => {
  assert.equal(majorityAnswer(five), "5");
  const gate = classify(five, "5", { mean: 1.2, std: 0.3 });
  close(gate.majorityZ, -0.4788888888888887, "mean z of the majority");
  close(gate.ormConfidence, 0.5366783523128216, "ORM confidence");
  close(gate.prmConfidence, 0.5103541080547713, "PRM confidence");
  assert.equal(gate.belowAverage, true);
  assert.equal(gate.hard, false, "2·(1 − sigmoid(H)) stays above 0.5 until the vote spreads over more than three answers");
});

test("MAgICoRe gate: a fourth answer makes both votes uncertain → hard; dataset statistics decide condition 1", () => {
  const hard = classify(six, "5", { mean: 1.2, std: 0.3 });
  close(hard.ormConfidence, 0.42802366793773916, "ORM confidence");
  close(hard.prmConfidence, 0.40733507588495743, "PRM confidence");
  assert.equal(hard.hard, true);
  // The same problem in a dataset whose rewards run lower: the majority is above average, so it is easy.
  const easier = classify(six, "5", { mean: 0.8, std: 0.3 });
  close(easier.majorityZ, 0.8544444444444443, "mean z against the lower dataset mean");
  assert.equal(easier.hard, false);
  // The single-run fallback: this problem's own rewards (np.mean, np.std).
  const own = rewardStatistics(six.map((s) => s.reward));
  close(own.mean, 1.3465, "mean");
  close(own.std, 0.4333911820361216, "population std");
  close(classify(six, "5", own).majorityZ, -0.6695260048980008, "mean z against the problem's own samples");
});

test("MAgICoRe gate: no sample agrees with the majority → condition 1 does not hold (numpy: nan < 0 is false)", () => {
  const gate = classify([sample("x", "42", 0.1, [0.1]), sample("y", "43", 0.1, [0.1]), sample("z", "44", 0.1, [0.1]), sample("w", "45", 0.1, [0.1])], "5", {
    mean: 1,
    std: 0.5,
  });
  assert.ok(Number.isNaN(gate.majorityZ));
  assert.equal(gate.hard, false);
  close(voteConfidence([1, 1, 1, 1]), 2 * (1 - 1 / (1 + Math.exp(-Math.log(4)))), "uniform over 4: 0.4");
});

test("MAgICoRe gate: a confident ORM vote does not make it easy when the PRM vote is uncertain (either one low → hard)", () => {
  // The ORM mass sits on 5 (2.7 of 3.0); the PRM mass spreads evenly over four answers (0.3 each).
  const pool = [
    sample("a", "5", 0.9, [0.1]),
    sample("b", "5", 0.9, [0.1]),
    sample("c", "5", 0.9, [0.1]),
    sample("d", "7", 0.1, [0.3]),
    sample("e", "9", 0.1, [0.3]),
    sample("f", "11", 0.1, [0.3]),
  ];
  const gate = classify(pool, "5", { mean: 1.5, std: 0.3 });
  close(gate.majorityZ, -1.6666666666666667, "mean z of the majority");
  close(gate.ormConfidence, 0.785892643629523, "ORM confidence");
  close(gate.prmConfidence, 0.4, "PRM confidence: uniform over 4");
  assert.equal(gate.hard, true, "refine.py: hard when below average and (ORM or PRM confidence < 0.5)");
});

test("MAgICoRe reward: the repo's product of step scores, with min and mean as options", () => {
  const twelve = Array(12).fill(0.9);
  close(aggregateSteps(twelve, "product"), 0.9 ** 12, "product");
  close(aggregateSteps(twelve, "min"), 0.9, "min");
  close(aggregateSteps([0.5, 1], "mean"), 0.75, "mean");
});

// End to end: k = 4 samples answering 5, 7, 9, 3 (the majority is 5, first seen on a 1:1:1:1 tie). Step and
// overall scores per answer give rewards 0.42, 1.529, 1.212, 0.943; ORM confidence 0.4176, PRM 0.4509.
const sampleScores: Record<string, { steps: number[]; score: number }> = {
  "5": { steps: [6, 5, 4], score: 3 },
  "7": { steps: [9, 9, 9], score: 8 },
  "9": { steps: [8, 8, 8], score: 7 },
  "3": { steps: [7, 7, 7], score: 6 },
  "42": { steps: [10, 10, 10], score: 10 },
  "11": { steps: [1, 1, 1], score: 1 },
};
const solution = (n: string) => `Step 1: read.\nStep 2: compute.\nThe answer is ${n}`;
const isReviewer = (r: GenerateRequest) => r.messages[0]!.content.startsWith("Your task is to provide step-by-step feedback");
const isRefiner = (r: GenerateRequest) => r.messages[0]!.content.startsWith("Your task is to fix the error");

function magicoreRun(params: Record<string, unknown>, refined = "42") {
  let drawn = 0;
  return scriptedRun({
    strategy: "magicore",
    params: { k: 4, ...params },
    actor: (r) => (isRefiner(r) ? solution(refined) : solution(["5", "7", "9", "3"][drawn++]!)),
    critic: (r) => {
      if (isReviewer(r)) return "Let's review the steps with lower scores and identify the errors.\nStep 3 is wrong: recompute.";
      const n = [...lastUser(r).matchAll(/The answer is (\d+)/g)].at(-1)![1]!;
      const { steps, score } = sampleScores[n]!;
      return JSON.stringify({
        steps: steps.map((s) => ({ why: "w", verdict: s >= 6 ? "correct" : "wrong", score: s })),
        critique: "c",
        finalCorrect: score >= 6,
        score,
      });
    },
  });
}

test("MAgICoRe: a hard problem (dataset statistics) is reviewed with step scores and the one-shot example, refined, re-gated", async () => {
  const run = await magicoreRun({ rewardMean: 1, rewardStd: 0.5 });
  const gates = run.nodes.filter((n) => n.step === "gate");
  assert.deepEqual(
    gates.map((g) => g.text.split(":")[0]),
    ["hard", "easy"],
  );
  assert.match(gates[0]!.text, /mean z-reward -1\.160 \(below average; dataset mean 1\.000, std 0\.500\)/);
  assert.match(gates[0]!.text, /ORM vote confidence 0\.418, PRM vote confidence 0\.451/);
  // Re-gated against the first samples' majority (5), which no refinement states: condition 1 fails → easy.
  const review = run.critic.requests.find(isReviewer)!;
  assert.match(review.messages[0]!.content, /Pay attention to the steps having scores lower than 6/);
  assert.match(review.messages[0]!.content, /### Question:\nTobias is buying a new pair of shoes/);
  assert.match(review.messages[1]!.content, /^Let's review the steps with lower scores and identify the errors\.\n\nStep 1: This step is correct/);
  assert.match(
    lastUser(review),
    /### Current Solution:\nStep 1: read\. \(Score: 6\/10\)\n\nStep 2: compute\. \(Score: 5\/10\)\n\nStep 3: The answer is 5 \(Score: 4\/10\)/,
  );
  const refiner = run.actor.requests.find(isRefiner)!;
  assert.match(refiner.messages[1]!.content, /### Revised Solution:[\s\S]*Step 4: Calculate the number of driveways shoveled/);
  assert.match(
    lastUser(refiner),
    /\(Score: 5\/10\)[\s\S]*### Teacher Feedback:\nLet's review the steps with lower scores/,
    "the Refiner sees the step scores and the feedback",
  );
  assert.deepEqual({ actor: run.actor.requests.length, critic: run.critic.requests.length }, { actor: 8, critic: 4 + 4 + 4 });
  const vote = run.nodes.find((n) => n.step === "reward-weighted-vote")!;
  assert.deepEqual(
    vote.parents.map((id) => run.state.nodes[id]!.answer),
    ["42", "42", "42", "42"],
    "easy at the second gate: the vote is over that gate's set",
  );
  assert.equal(run.state.answer, "42");
});

test("MAgICoRe: the same samples in a dataset with lower rewards are easy — no refinement, the reward mass picks 7", async () => {
  const run = await magicoreRun({ rewardMean: 0.2, rewardStd: 0.5 });
  assert.match(run.nodes.find((n) => n.step === "gate")!.text, /^easy: majority 5 has mean z-reward 0\.440 \(not below average/);
  assert.equal(run.actor.requests.length, 4);
  assert.equal(run.state.stopReason, "accepted", "the gate found it easy");
  assert.equal(run.state.answer, "7");
});

test("MAgICoRe: after the last iteration the gated set and its refinements pool, top-k by reward; no statistics → this problem's samples", async () => {
  const run = await magicoreRun({ maxIterations: 1 });
  const gate = run.nodes.find((n) => n.step === "gate")!;
  assert.match(
    gate.text,
    /^hard: majority 5 has mean z-reward -1\.490 \(below average; this problem's samples \(mean 1\.026, std 0\.407; no dataset statistics given\)\)/,
  );
  const vote = run.nodes.find((n) => n.step === "reward-weighted-vote")!;
  assert.equal(vote.parents.length, 4, "top k of the 8");
  assert.equal(run.state.stopReason, "max-iterations", "still hard after the last iteration");
  assert.ok(
    vote.parents.every((id) => run.state.nodes[id]!.step === "refine"),
    "the refinements (reward 2.0) outrank every sample",
  );
});

test("MAgICoRe: refinements that score worse leave the unrefined samples on top of the final pool, and 7 wins", async () => {
  // Rewards: samples 0.42, 1.529, 1.212, 0.943; each refinement (answer 11) 0.1 + 0.1³ = 0.101.
  const run = await magicoreRun({ maxIterations: 1 }, "11");
  assert.match(run.nodes.find((n) => n.step === "gate")!.text, /^hard/);
  assert.equal(run.nodes.filter((n) => n.step === "refine").length, 4);
  const vote = run.nodes.find((n) => n.step === "reward-weighted-vote")!;
  assert.deepEqual(
    vote.parents.map((id) => [run.state.nodes[id]!.step, run.state.nodes[id]!.answer]),
    [
      ["sample", "7"],
      ["sample", "9"],
      ["sample", "3"],
      ["sample", "5"],
    ],
    "the gated set and its refinements pool; top 4 by reward are the samples",
  );
  assert.equal(run.state.answer, "7");
});
