// Weighted best-of-N, pinned to search-and-learn's score.py: aggregate_scores (min, prod, last) and
// find_answer_with_largest_sum beside find_majority_answer and the naive argmax. Six samples are built so that the
// three rules disagree: "7" has the single best solution, "5" the largest score sum, "3" the most votes.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { GenerateRequest } from "../llm/backend.ts";
import { lastUser, scriptedRun } from "../../test/support/scripted-run.ts";
import { aggregateStepScores } from "./step-scores.ts";

test("aggregate_scores: min is the weakest step, prod multiplies, last is the latest step", () => {
  const scores = [0.5, 0.2, 0.8];
  assert.equal(aggregateStepScores(scores, "min"), 0.2);
  assert.ok(Math.abs(aggregateStepScores(scores, "product") - 0.08) < 1e-12);
  assert.equal(aggregateStepScores(scores, "last"), 0.8);
  assert.throws(() => aggregateStepScores([], "last"), /at least one step score/);
});

// Each sample's answer and the critic's score (0–10) for each of its two steps.
const samples: Array<{ answer: string; steps: [number, number] }> = [
  { answer: "7", steps: [9, 9] },
  { answer: "5", steps: [6, 6] },
  { answer: "5", steps: [1, 5] },
  { answer: "3", steps: [1, 1] },
  { answer: "3", steps: [1, 1] },
  { answer: "3", steps: [1, 1] },
];
const solution = (i: number) => `Work for sample s${i}.\nThe answer is ${samples[i]!.answer}`;
const verify = (request: GenerateRequest) => {
  const i = Number(/sample s(\d+)/.exec(lastUser(request))![1]);
  const steps = samples[i]!.steps.map((score) => ({ why: "checked", verdict: score >= 5 ? "correct" : "wrong", score }));
  return JSON.stringify({ steps, finalCorrect: true, score: 5, critique: "" });
};

const run = (params: Record<string, unknown>) =>
  scriptedRun({ strategy: "weighted-best-of-n", params: { n: 6, ...params }, actor: (_r, call) => solution(call), critic: verify });

test("weighted best-of-N: the answer with the largest sum of last-step scores wins, not the most votes or the best single solution", async () => {
  const result = await run({});
  const winner = result.state.nodes[result.state.selectedNodeId!]!;
  assert.equal(winner.answer, "5", "5 weighs 0.6 + 0.5 = 1.1; 7 weighs 0.9; 3 weighs 0.3");
  assert.ok(winner.text.includes("sample s1"), "the heavier of 5's solutions stands for it");
  const vote = result.nodes.find((n) => n.role === "vote")!;
  assert.equal(vote.parents.length, 6);
  assert.match(vote.text, /5: weight 1\.100 · 2\/6 votes/);
  assert.match(vote.text, /3: weight 0\.300 · 3\/6 votes/);
  assert.match(vote.text, /weighted picks 5; majority picks 3; best single solution n1 \(0\.900, 7\)/);
  // Every sample is judged step by step (the stepwise schema), once.
  assert.equal(result.critic.requests.length, 6);
  assert.ok(result.critic.requests.every((r) => JSON.stringify(r.jsonSchema).includes('"steps"')));
});

test("weighted best-of-N: min aggregation lets the weak first step of a 5 count, and 7 wins", async () => {
  const result = await run({ aggregate: "min" });
  assert.equal(result.state.nodes[result.state.selectedNodeId!]!.answer, "7", "by min, 5 weighs 0.6 + 0.1 = 0.7 < 0.9");
});

test("weighted best-of-N: product aggregation: 5 weighs 0.36 + 0.05, below 7's 0.81", async () => {
  const result = await run({ aggregate: "product" });
  assert.equal(result.state.nodes[result.state.selectedNodeId!]!.answer, "7");
  assert.match(result.nodes.find((n) => n.role === "vote")!.text, /5: weight 0\.410/);
});

test("weighted best-of-N: the majority and naive rules are the repo's pred_maj and pred_naive", async () => {
  const majority = await run({ final: "majority" });
  assert.equal(majority.state.nodes[majority.state.selectedNodeId!]!.answer, "3");
  const naive = await run({ final: "naive" });
  assert.equal(naive.state.nodes[naive.state.selectedNodeId!]!.answer, "7");
});

test("weighted best-of-N: an unknown aggregate is refused in the user's words", async () => {
  await assert.rejects(run({ aggregate: "mean" }), /must be one of last, min, product, got 'mean'/);
});
