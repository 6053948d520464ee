// DeepConf pinned to facebookresearch/deepconf: analysis_offline.py's filter (the (100 − η)th percentile of the
// answered traces' confidence, numpy's linear interpolation) and weighted vote, and deepconf-online.py's warm-up
// threshold, early stop and vote (warm-up traces at or above the threshold, later traces that were not stopped),
// with the paper's consensus stop. Scripted traces give one confidence per word.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ScriptedReply } from "../llm/scripted-backend.ts";
import { scriptedRun } from "../../test/support/scripted-run.ts";
import { percentile, weightedTally } from "./deepconf.ts";
import { decodeConfidence, encodeConfidence, firstLowWindowEnd, groupConfidences, traceConfidence } from "../protocol/token-confidence.ts";

/** Eight words: "Step a b c. The answer is X"; a flat confidence unless a list is given. */
const trace = (answer: string | null, confidence: number | number[]): ScriptedReply => ({
  text: answer === null ? "I cannot tell what comes next here" : `Step a b c. The answer is ${answer}`,
  confidence: Array.isArray(confidence) ? confidence : Array(8).fill(confidence),
});

test("token confidence: a byte per token in quarters, windows as compute_least_grouped, trace measures as analysis_offline.py", () => {
  assert.deepEqual(decodeConfidence(encodeConfidence([0, 0.25, 9.9, 63.75, 80])), [0, 0.25, 10, 63.75, 63.75]);
  assert.deepEqual(decodeConfidence(encodeConfidence([1, 2])), [1, 2], "lengths that are not a multiple of three survive the padding");
  assert.deepEqual(groupConfidences([1, 2, 3, 4], 2), [1.5, 2.5, 3.5]);
  assert.deepEqual(groupConfidences([1, 2, 3], 8), [2], "shorter than the window: one group of all tokens");
  const values = [5, 5, 0, 0, 5, 5, 5, 5, 5, 5, 5, 5];
  assert.equal(traceConfidence(values, "lowest-group", 2), 0);
  assert.equal(traceConfidence(values, "tail", 2), 5);
  assert.equal(traceConfidence(values, "mean", 2), 50 / 12);
  // 11 windows: the lowest 10% is int(1.1) = 1 window, the lowest one.
  assert.equal(traceConfidence(values, "bottom-10", 2), 0);
  assert.equal(firstLowWindowEnd([9, 9, 1, 1], 2, 5), 3, "the window ending at the 4th token is the first below 5");
  assert.equal(firstLowWindowEnd([1], 2, 5), null, "no full window, no stop");
  assert.equal(percentile([1, 2, 3, 4], 75), 3.25, "numpy's linear interpolation");
  assert.deepEqual(
    weightedTally(
      [
        { id: "a", key: "1", weight: 2 },
        { id: "b", key: "2", weight: 1 },
        { id: "c", key: "2", weight: 1.5 },
      ],
      1,
    ).winner,
    "2",
  );
});

// Offline: "3" has the most votes but the least confidence; trace 0 ("7") starts unsure and ends sure, so the
// tail keeps it and the lowest group drops it.
const offlineTraces = [
  trace("7", [0, 0, 9.75, 9.75, 9.75, 9.75, 9.75, 9.75]),
  trace("7", 9.5),
  trace("5", 10),
  trace("3", 1),
  trace("3", 1.5),
  trace("3", 2),
  trace("3", 2.5),
  trace("5", 8.5),
  trace("5", 4),
  trace(null, 12),
];
const offline = (params: Record<string, unknown>) =>
  scriptedRun({
    strategy: "deepconf",
    params: { mode: "offline", n: 10, keepPercent: 30, window: 2, ...params },
    actor: (_request, call) => offlineTraces[call]!,
  });

test("DeepConf offline: the top η% of answered traces by tail confidence vote, weighted by it", async () => {
  const result = await offline({ measure: "tail" });
  assert.ok(
    result.actor.requests.every((r) => r.confidence !== undefined && r.confidence.stopBelow === undefined),
    "every trace asks for confidence, none stops",
  );
  // Answered tails sorted: 1 1.5 2 2.5 4 8.5 9.5 9.75 10; the 70th percentile is 8.5 + 0.6 × 1 = 9.1.
  const vote = result.nodes.find((n) => n.role === "vote")!;
  assert.match(vote.text, /kept 3\/9 answered traces: tail confidence ≥ 9\.100 \(top 30%\)/);
  assert.match(vote.text, /7: weight 19\.250 · 2 votes/);
  assert.equal(result.state.nodes[result.state.selectedNodeId!]!.answer, "7");
  const pruned = result.nodes.filter((n) => n.pruned).map((n) => n.id);
  assert.deepEqual(pruned, ["n4", "n5", "n6", "n7", "n8", "n9", "n10"], "below the cut, and the trace with no answer");
  assert.match(result.state.nodes.n10!.pruned!, /no answer/);
});

test("DeepConf offline: by lowest-group confidence the unsure start drops trace 0 and 5 wins", async () => {
  const result = await offline({ measure: "lowest-group" });
  // Sorted: 0 1 1.5 2 2.5 4 8.5 9.5 10; the 70th percentile is 4 + 0.6 × 4.5 = 6.7.
  const vote = result.nodes.find((n) => n.role === "vote")!;
  assert.match(vote.text, /lowest-group confidence ≥ 6\.700/);
  assert.match(vote.text, /5: weight 18\.500 · 2 votes/);
  assert.equal(result.state.nodes[result.state.selectedNodeId!]!.answer, "5");
  assert.match(result.state.nodes.n1!.pruned!, /confidence 0\.000 below the top 30% cut 6\.700/);
});

// Online: warm-up lowest-group confidences 8 6 4 2; η = 25 puts the threshold at their 75th percentile, 6.5.
const onlineTraces = [
  trace("7", 8),
  trace("7", 6),
  trace("5", 4),
  trace("3", 2),
  trace("5", [9, 9, 9, 1, 9, 9, 9, 9]),
  trace("5", 9),
  trace("5", 7),
  trace("3", 5.5),
];

test("DeepConf online: warm-up sets the threshold, later traces stop at the first window below it and do not vote", async () => {
  const result = await scriptedRun({
    strategy: "deepconf",
    params: { mode: "online", n: 8, warmup: 4, keepPercent: 25, window: 2, consensus: 1 },
    actor: (_request, call) => onlineTraces[call]!,
  });
  const requests = result.actor.requests;
  assert.ok(
    requests.slice(0, 4).every((r) => r.confidence?.stopBelow === undefined),
    "warm-up traces run to their end",
  );
  assert.deepEqual(requests[4]!.confidence, { stopBelow: { window: 2, threshold: 6.5 } });
  const node = (id: string) => result.state.nodes[id]!;
  // Trace n5's window (9 + 1) / 2 = 5 at its 4th word is below 6.5: it ends there; n8's every window is 5.5.
  assert.equal(node("n5").confidenceStop, true);
  assert.equal(node("n5").tokensOut, 4);
  assert.equal(node("n8").confidenceStop, true);
  assert.equal(node("n8").tokensOut, 2);
  assert.notEqual(node("n6").confidenceStop, true);
  // Voting: warm-up n1 (8 ≥ 6.5), n6 (9) and n7 (7); n2 (6) is below the threshold.
  const vote = result.nodes.find((n) => n.role === "vote")!;
  assert.match(vote.text, /5: weight 16\.000 · 2 votes\n7: weight 8\.000 · 1 votes/);
  assert.match(node("n2").pruned!, /below the threshold 6\.500/);
  assert.match(vote.text, /threshold 6\.500: the 75th percentile of 4 warm-up traces/);
  // 8 traces of the warm-up's mean 8 words would be 64; 4 × 8 + 4 + 8 + 8 + 2 = 54 were generated.
  assert.match(vote.text, /tokens: 54 generated, ≈10 saved \(16%\)/);
  assert.equal(result.state.nodes[result.state.selectedNodeId!]!.answer, "5");
});

test("DeepConf online: sampling stops once the leading answer holds the consensus share of the weight", async () => {
  const result = await scriptedRun({
    strategy: "deepconf",
    params: { mode: "online", n: 10, warmup: 2, keepPercent: 50, window: 2, consensus: 0.95 },
    actor: () => trace("7", 8),
  });
  // Two warm-up traces, then one batch of four (the lanes): all "7", a share of 1 ≥ 0.95.
  assert.equal(result.actor.requests.length, 6);
  assert.match(result.nodes.find((n) => n.role === "vote")!.text, /6\/10 traces generated, stopped at consensus ≥ 0\.95/);
});

test("DeepConf online refuses a warm-up as large as the budget, in the form's words", async () => {
  await assert.rejects(
    scriptedRun({ strategy: "deepconf", params: { n: 8, warmup: 8 }, actor: () => trace("7", 8) }),
    /Warmup: must be fewer than N \(8\), got 8/,
  );
});
