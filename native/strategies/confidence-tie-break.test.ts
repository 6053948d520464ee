// Confidence as a tie-break (tieBreak=confidence) in self-consistency, best-of-N and weighted best-of-N: where the
// vote or argmax ties, the answer whose traces' mean token confidences sum highest wins (DeepConf's
// confidence-weighted vote, read only among the tied); the seed draws only what is still tied. Off by default: the
// samples then ask for no confidence and the seed draws the tie. Scripted traces give one confidence per word.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { GenerateRequest } from "../llm/backend.ts";
import type { ScriptedReply } from "../llm/scripted-backend.ts";
import { holistic, lastUser, scriptedRun } from "../../test/support/scripted-run.ts";

/** Ten words: "Step 1: think. Step 2: compute. The answer is N" with one confidence per word. */
const trace = (answer: string, confidence: number[]): ScriptedReply => ({
  text: `Step 1: think.\nStep 2: compute.\nThe answer is ${answer}`,
  confidence,
});
const flat = (value: number) => Array(10).fill(value);
/** Mean 4.5 with a dip to 0: ranked by its lowest token, it would be the least confident of all. */
const dipped = [5, 5, 5, 5, 5, 5, 5, 5, 5, 0];

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

// "5" and "7" tie 2–2. By the sum of mean confidences "5" leads (4.5 + 4.5 = 9 against 8 + 0.5 = 8.5); the most
// confident single trace, the sum of lowest tokens (0 + 4.5) or the least confident answer would all pick "7".
const tiedVote = [trace("5", dipped), trace("7", flat(8)), trace("5", flat(4.5)), trace("7", flat(0.5))];

const winners = async (strategy: string, params: Record<string, unknown>, actor: (call: number) => ScriptedReply, critic?: (r: GenerateRequest) => string) => {
  const picks = new Set<string | null>();
  for (const seed of SEEDS) {
    const run = await scriptedRun({ strategy, params, actor: (_r, call) => actor(call), ...(critic ? { critic } : {}), seed });
    picks.add(run.state.nodes[run.state.selectedNodeId!]!.answer);
  }
  return picks;
};

test("self-consistency: a tied vote goes to the answer whose traces' mean confidences sum highest, whatever the seed", async () => {
  assert.deepEqual(await winners("self-consistency", { n: 4, tieBreak: "confidence" }, (call) => tiedVote[call]!), new Set(["5"]));
  assert.deepEqual(await winners("self-consistency", { n: 4 }, (call) => tiedVote[call]!), new Set(["5", "7"]), "by default the seed draws the tie");
  const run = await scriptedRun({ strategy: "self-consistency", params: { n: 4, tieBreak: "confidence" }, actor: (_r, call) => tiedVote[call]! });
  const vote = run.nodes.find((n) => n.role === "vote")!;
  assert.match(vote.text, /tie between 5, 7 broken by confidence: 5 9\.00, 7 8\.50/);
  assert.doesNotMatch(vote.text, /drawn at random/);
  assert.ok(
    run.actor.requests.every((r) => r.confidence !== undefined),
    "every sample asks for confidence",
  );
  const plain = await scriptedRun({ strategy: "self-consistency", params: { n: 4 }, actor: (_r, call) => tiedVote[call]! });
  assert.ok(
    plain.actor.requests.every((r) => r.confidence === undefined),
    "by default no sample pays for confidence",
  );
});

test("self-consistency: confidence only breaks ties; a majority stands against more confident traces", async () => {
  const majority = [trace("5", flat(1)), trace("5", flat(1)), trace("7", flat(9))];
  assert.deepEqual(await winners("self-consistency", { n: 3, tieBreak: "confidence" }, (call) => majority[call]!), new Set(["5"]));
});

test("best-of-N: equal critic scores go to the more confident sample by its mean token confidence", async () => {
  // Sample 0 has the higher mean (8.1) and the lowest single token (0); sample 1 is flat at 6.
  const samples = [trace("5", [9, 9, 9, 9, 9, 9, 9, 9, 9, 0]), trace("7", flat(6))];
  const params = { n: 2, tieBreak: "confidence" };
  assert.deepEqual(
    await winners(
      "best-of-n",
      params,
      (call) => samples[call]!,
      () => holistic(true, 8),
    ),
    new Set(["5"]),
  );
  assert.deepEqual(
    await winners(
      "best-of-n",
      { n: 2 },
      (call) => samples[call]!,
      () => holistic(true, 8),
    ),
    new Set(["5", "7"]),
  );
  const run = await scriptedRun({ strategy: "best-of-n", params, actor: (_r, call) => samples[call]!, critic: () => holistic(true, 8) });
  assert.match(run.nodes.find((n) => n.role === "select")!.text, /tie between n\d, n\d broken by confidence: n\d 8\.10, n\d 6\.00/);
});

test("weighted best-of-N: answers of equal weight go to the larger sum of confidences, not the more confident mean", async () => {
  // "5": two solutions scored 4/10 (weight 0.8), mean confidence 3 each (sum 6); "7": one solution scored 8/10
  // (weight 0.8), mean confidence 5. The sum picks "5"; a per-answer mean or max would pick "7".
  const samples = [
    { answer: "5", score: 4, confidence: flat(3) },
    { answer: "7", score: 8, confidence: flat(5) },
    { answer: "5", score: 4, confidence: flat(3) },
  ];
  const actor = (call: number): ScriptedReply => ({
    text: `Work for sample s${call}.\nThe answer is ${samples[call]!.answer}`,
    confidence: samples[call]!.confidence,
  });
  const critic = (request: GenerateRequest) => {
    const i = Number(/sample s(\d+)/.exec(lastUser(request))![1]);
    return JSON.stringify({ steps: [{ why: "checked", verdict: "correct", score: samples[i]!.score }], finalCorrect: true, score: 5, critique: "" });
  };
  assert.deepEqual(await winners("weighted-best-of-n", { n: 3, tieBreak: "confidence" }, actor, critic), new Set(["5"]));
  assert.deepEqual(await winners("weighted-best-of-n", { n: 3 }, actor, critic), new Set(["5", "7"]), "by default the seed draws the tie");
  const run = await scriptedRun({ strategy: "weighted-best-of-n", params: { n: 3, tieBreak: "confidence" }, actor: (_r, call) => actor(call), critic });
  assert.match(run.nodes.find((n) => n.role === "vote")!.text, /tie between 5, 7 broken by confidence: 5 6\.00, 7 5\.00/);
});
