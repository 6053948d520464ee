import { test } from "node:test";
import assert from "node:assert/strict";
import type { RunEvent } from "./events.ts";
import { ancestorsOf, applyRunEvent, computeBudgets, emptyRunState, foldRunEvents, scoreAuthor } from "./state.ts";

const model = { path: "/m.gguf", name: "m", sizeBytes: 1, sampling: { temperature: 0, maxTokens: 8 } };
const events: RunEvent[] = [
  { type: "run-started", at: 1, runId: "r", strategy: "s", params: {}, models: { actor: model, critic: model }, seed: 3, task: { question: "q" } },
  { type: "node-added", at: 2, nodeId: "a", parents: [], role: "draft", step: "sample", iteration: 0, model: "actor" },
  { type: "node-added", at: 2, nodeId: "b", parents: [], role: "draft", step: "sample", iteration: 0, model: "actor" },
  { type: "token-delta", nodeId: "a", text: "The answer " },
  { type: "token-delta", nodeId: "a", text: "is 4" },
  { type: "node-completed", at: 3, nodeId: "a", text: "The answer is 4", answer: "4", tokensIn: 10, tokensOut: 5, wallMs: 7, status: "done" },
  { type: "node-completed", at: 3, nodeId: "b", text: "The answer is 5", answer: "5", tokensIn: 10, tokensOut: 6, wallMs: 7, status: "done" },
  { type: "node-added", at: 4, nodeId: "v", parents: ["a", "b"], role: "vote", step: "majority-vote", iteration: 1, model: null },
  { type: "score-set", at: 5, nodeId: "a", score: { value: 0.5, verdict: "unknown", source: "vote", byNodeId: "v" } },
];

test("the fold builds nodes, children of several parents, streamed text and scores", () => {
  const state = foldRunEvents(events.slice(0, 5));
  assert.equal(state.nodes.a!.text, "The answer is 4");
  assert.equal(state.nodes.a!.status, "running");
  const full = foldRunEvents(events);
  assert.deepEqual(full.children, { a: ["v"], b: ["v"] });
  assert.deepEqual(full.order, ["a", "b", "v"]);
  assert.equal(full.nodes.a!.scores[0]!.value, 0.5);
  assert.deepEqual([...ancestorsOf(full, "v")].sort(), ["a", "b", "v"]);
});

test("the fold is pure: earlier states are left as they were", () => {
  const before = foldRunEvents(events.slice(0, 4));
  const snapshot = JSON.stringify(before);
  applyRunEvent(before, events[4]!);
  assert.equal(JSON.stringify(before), snapshot);
  assert.equal(applyRunEvent(emptyRunState, { type: "token-delta", nodeId: "zz", text: "x" }), emptyRunState);
});

test("budgets: the critical path to the selected node (parallel branches once) and every node", () => {
  const full = foldRunEvents(events);
  const parts = { promptTokensEvaluated: 20, promptTokensReused: 0, thoughtTokens: 0, answerTokens: 11 };
  assert.deepEqual(computeBudgets(full, "a"), { selectedPathTokens: 15, totalTokens: 31, ...parts });
  assert.deepEqual(computeBudgets(full, "v"), { selectedPathTokens: 16, totalTokens: 31, ...parts }, "the vote waits for its longest parent");
  const chain = foldRunEvents([
    ...events.slice(0, 7),
    { type: "node-added", at: 4, nodeId: "c", parents: ["a"], role: "critique", step: "c", iteration: 0, model: "critic" },
    { type: "node-completed", at: 4, nodeId: "c", text: "{}", answer: null, tokensIn: 20, tokensOut: 10, wallMs: 1, status: "done" },
    { type: "node-added", at: 4, nodeId: "r", parents: ["a", "c"], role: "refine", step: "r", iteration: 1, model: "actor" },
    { type: "node-completed", at: 4, nodeId: "r", text: "x", answer: "4", tokensIn: 30, tokensOut: 5, wallMs: 1, status: "done" },
  ]);
  assert.equal(computeBudgets(chain, "r").selectedPathTokens, 15 + 30 + 35, "a refinement chain counts every step");
});

test("search snapshots are kept in order for replay", () => {
  const state = foldRunEvents([...events, { type: "search-snapshot", at: 6, iteration: 1, expandedNodeId: "a", stats: { a: { visits: 1, value: 0.5 } } }]);
  assert.deepEqual(state.snapshots, [{ iteration: 1, expandedNodeId: "a", stats: { a: { visits: 1, value: 0.5 } } }]);
});

test("a failed run marks nodes still running as aborted", () => {
  const state = foldRunEvents([...events, { type: "run-failed", at: 9, reason: "boom", code: "engine-crashed" }]);
  assert.equal(state.status, "failed");
  assert.equal(state.nodes.v!.status, "aborted");
  assert.equal(state.nodes.a!.status, "done");
  assert.deepEqual(state.failure, { reason: "boom", code: "engine-crashed" });
});

test("a thinking node: thought and answer deltas fold apart, and the cost charges evaluated prompt tokens, not the reused prefix", () => {
  const state = foldRunEvents([
    ...events.slice(0, 1),
    { type: "node-added", at: 1, nodeId: "t", parents: [], role: "refine", step: "refine", iteration: 1, model: "actor" },
    { type: "token-delta", nodeId: "t", text: "Let me add ", segment: "thought" },
    { type: "token-delta", nodeId: "t", text: "2 and 2.", segment: "thought" },
    { type: "token-delta", nodeId: "t", text: "It is 4." },
  ]);
  assert.equal(state.nodes.t!.thought, "Let me add 2 and 2.");
  assert.equal(state.nodes.t!.text, "It is 4.");
  const done = foldRunEvents(
    [
      {
        type: "node-completed",
        at: 2,
        nodeId: "t",
        text: "It is 4.",
        answer: "4",
        tokensIn: 300,
        tokensOut: 40,
        thought: "Let me add 2 and 2.",
        thoughtTokens: 30,
        tokensEvaluated: 20,
        tokensReused: 280,
        thoughtCut: true,
        wallMs: 1,
        status: "done",
      },
    ],
    state,
  );
  const node = done.nodes.t!;
  assert.deepEqual([node.thought, node.thoughtTokens, node.tokensEvaluated, node.tokensReused, node.thoughtCut], ["Let me add 2 and 2.", 30, 20, 280, true]);
  assert.deepEqual(computeBudgets(done, "t"), {
    selectedPathTokens: 60,
    totalTokens: 60,
    promptTokensEvaluated: 20,
    promptTokensReused: 280,
    thoughtTokens: 30,
    answerTokens: 10,
  });
});

test("a batch folds to what the events give one by one, leaves its starting state alone and keeps untouched nodes", () => {
  const finished: RunEvent = { type: "run-finished", at: 6, selectedNodeId: "a", answer: "4", correct: null, budgets: null as never };
  const all = [
    ...events,
    finished,
    { type: "token-delta", nodeId: "b", text: " late" } as RunEvent,
    { type: "token-delta", nodeId: "zz", text: "?" } as RunEvent,
  ];
  const oneByOne = all.reduce(applyRunEvent, emptyRunState);
  for (let split = 0; split <= all.length; split++) {
    const start = foldRunEvents(all.slice(0, split));
    const startCopy = structuredClone(start);
    const batched = foldRunEvents(all.slice(split), start);
    assert.deepEqual(batched, oneByOne, `split at ${split}`);
    assert.deepEqual(start, startCopy, `the state before the batch is unchanged (split at ${split})`);
  }
  const before = foldRunEvents(events.slice(0, 7));
  const after = foldRunEvents([{ type: "token-delta", nodeId: "a", text: "!" }], before);
  assert.equal(after.nodes.b, before.nodes.b, "a node the batch did not touch is the same object");
  assert.notEqual(after.nodes.a, before.nodes.a);
  // Streamed tokens leave the tree's shape alone, so the layout built on it is not redone for them.
  assert.equal(after.order, before.order);
  assert.equal(after.children, before.children);
});

test("a run the user stopped folds to cancelled, not failed; its running nodes are aborted", () => {
  const running = foldRunEvents(events.slice(0, 4));
  const cancelled = applyRunEvent(running, { type: "run-failed", at: 9, reason: "cancelled by the user", code: "cancelled" });
  assert.equal(cancelled.status, "cancelled");
  assert.deepEqual(cancelled.failure, { reason: "cancelled by the user", code: "cancelled" });
  assert.equal(cancelled.nodes.a!.status, "aborted");
  assert.equal(cancelled.endedAt, 9);
  const failed = applyRunEvent(running, { type: "run-failed", at: 9, reason: "the model crashed", code: "model-error" });
  assert.equal(failed.status, "failed");
});

test("a score is credited to the model that wrote its critique: the actor's own feedback says actor", () => {
  const state = foldRunEvents([
    ...events.slice(0, 2),
    { type: "node-added", at: 3, nodeId: "f", parents: ["a"], role: "critique", step: "feedback", iteration: 0, model: "actor" },
    { type: "score-set", at: 4, nodeId: "a", score: { value: 10, verdict: "incorrect", source: "critic", byNodeId: "f" } },
  ]);
  assert.equal(scoreAuthor(state, state.nodes.a!.scores[0]!), "actor");
  assert.equal(scoreAuthor(state, { value: 0.5, verdict: "unknown", source: "vote" }), "vote");
});

test("a pruned branch keeps its node and carries the reason, in the event-by-event fold and the batch fold alike", () => {
  const pruned: RunEvent[] = [...events, { type: "node-pruned", at: 6, nodeId: "b", reason: "not among the best 1 of 2" }];
  const state = foldRunEvents(pruned);
  assert.equal(state.nodes.b!.pruned, "not among the best 1 of 2");
  assert.equal(state.nodes.a!.pruned, undefined);
  assert.deepEqual(state.order, ["a", "b", "v"]);
  assert.deepEqual(
    pruned.reduce((s, e) => applyRunEvent(s, e), emptyRunState),
    state,
  );
});
