// The experiment command's progress line: the cells in flight are counted, a pause says so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { progressLine } from "./experiment-commands.ts";

const progress = { done: 7, total: 15, running: 1, paused: false, etaSeconds: 42.4, tokensPerSecond: 12.3, cacheHits: 2, skippedRecords: [] };

test("the progress line counts the running cells and says when it is paused", () => {
  assert.equal(progressLine(progress), "7/15 cells · 1 running · 42 s left · 12 tokens/s · 2 cached generations");
  assert.match(progressLine({ ...progress, running: 0, paused: true }), /^7\/15 cells · 0 running · PAUSED \(p resumes\) · 42 s left/);
});
