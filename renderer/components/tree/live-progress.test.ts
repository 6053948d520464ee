import { test } from "node:test";
import assert from "node:assert/strict";
import { applyRunEvent, emptyRunState } from "../../../native/protocol/state.ts";
import { liveProgress, liveProgressText } from "./live-progress.ts";

test("a streaming node counts its tokens, the time since it was added and its rate since the first token", () => {
  let run = applyRunEvent(emptyRunState, {
    type: "node-added",
    at: 1_000,
    nodeId: "a",
    parents: [],
    role: "draft",
    step: "draft",
    iteration: 0,
    model: "actor",
  });
  assert.equal(liveProgressText(liveProgress(run.nodes.a!, 3_000)), "0 tok · 2.00 s");
  run = applyRunEvent(run, { type: "token-delta", nodeId: "a", text: "The answer", at: 5_000, tokens: 2 });
  run = applyRunEvent(run, { type: "token-delta", nodeId: "a", text: " is", at: 6_000 });
  run = applyRunEvent(run, { type: "token-delta", nodeId: "a", text: " 4", at: 7_000, tokens: 17 });
  const progress = liveProgress(run.nodes.a!, 15_000);
  assert.deepEqual(progress, { tokens: 20, elapsedMs: 14_000, tokensPerSecond: 2 });
  assert.equal(liveProgressText(progress), "20 tok · 14.0 s · 2.0 tok/s");
});
