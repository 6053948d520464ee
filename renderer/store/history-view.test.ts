import { test } from "node:test";
import assert from "node:assert/strict";
import type { RunSummary } from "../../native/protocol/contract.ts";
import { defaultHistoryView, durationOf, historyChoices, visibleRuns } from "./history-view.ts";

const run = (runId: string, patch: Partial<RunSummary>): RunSummary => ({
  runId,
  strategy: "self-refine",
  question: "What is 2+2?",
  status: "finished",
  createdAt: "2026-01-01T10:00:00.000Z",
  endedAt: "2026-01-01T10:00:10.000Z",
  actor: "qwen.gguf",
  critic: "qwen.gguf",
  answer: "4",
  correct: true,
  ...patch,
});

const runs = [
  run("a", { createdAt: "2026-01-01T10:00:00.000Z", endedAt: "2026-01-01T10:05:00.000Z" }),
  run("b", { createdAt: "2026-01-02T10:00:00.000Z", strategy: "best-of-n", critic: "judge @ host:8000" }),
  run("c", { createdAt: "2026-01-03T10:00:00.000Z", status: "failed", question: "Prove Fermat", endedAt: undefined }),
];
const ids = (list: RunSummary[]) => list.map((r) => r.runId);

test("newest first by default; oldest, longest and shortest reorder; a run without an end sorts last by duration", () => {
  assert.deepEqual(ids(visibleRuns(runs, defaultHistoryView)), ["c", "b", "a"]);
  assert.deepEqual(ids(visibleRuns(runs, { ...defaultHistoryView, sort: "oldest" })), ["a", "b", "c"]);
  assert.deepEqual(ids(visibleRuns(runs, { ...defaultHistoryView, sort: "longest" })), ["a", "b", "c"]);
  assert.deepEqual(ids(visibleRuns(runs, { ...defaultHistoryView, sort: "shortest" })), ["c", "b", "a"]);
  assert.equal(durationOf(runs[0]!), 300_000);
  assert.equal(durationOf(runs[2]!), null);
});

test("search matches every word in the question, models, strategy or answer; filters narrow by strategy, model, status", () => {
  assert.deepEqual(ids(visibleRuns(runs, { ...defaultHistoryView, search: "fermat" })), ["c"]);
  assert.deepEqual(ids(visibleRuns(runs, { ...defaultHistoryView, search: "judge 2+2" })), ["b"]);
  assert.deepEqual(ids(visibleRuns(runs, { ...defaultHistoryView, strategy: "best-of-n" })), ["b"]);
  assert.deepEqual(ids(visibleRuns(runs, { ...defaultHistoryView, model: "judge @ host:8000" })), ["b"]);
  assert.deepEqual(ids(visibleRuns(runs, { ...defaultHistoryView, status: "failed" })), ["c"]);
  assert.deepEqual(historyChoices(runs).models, ["judge @ host:8000", "qwen.gguf"]);
});
