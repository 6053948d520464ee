import { test } from "node:test";
import assert from "node:assert/strict";
import type { RunEvent } from "../protocol/events.ts";
import { foldRunEvents } from "../protocol/state.ts";
import { EventBatcher } from "./event-batcher.ts";

test("merged deltas keep their token count and first time, and a thought never merges into the answer", () => {
  const sent: RunEvent[][] = [];
  const batcher = new EventBatcher((_, events) => sent.push(events), 1_000_000);
  batcher.push("r", { type: "node-added", at: 100, nodeId: "a", parents: [], role: "draft", step: "draft", iteration: 0, model: "actor" });
  batcher.push("r", { type: "token-delta", nodeId: "a", text: "think ", segment: "thought", at: 200 });
  batcher.push("r", { type: "token-delta", nodeId: "a", text: "more", segment: "thought", at: 250 });
  batcher.push("r", { type: "token-delta", nodeId: "a", text: "The answer", at: 300 });
  batcher.push("r", { type: "token-delta", nodeId: "a", text: " is 4", at: 400 });
  batcher.flush();
  assert.equal(sent.length, 1);
  assert.deepEqual(
    sent[0]!.filter((e) => e.type === "token-delta"),
    [
      { type: "token-delta", nodeId: "a", text: "think more", segment: "thought", at: 200, tokens: 2 },
      { type: "token-delta", nodeId: "a", text: "The answer is 4", at: 300, tokens: 2 },
    ],
  );
  const node = foldRunEvents(sent[0]!).nodes.a!;
  assert.equal(node.thought, "think more");
  assert.equal(node.text, "The answer is 4");
  assert.equal(node.streamedTokens, 4);
  assert.equal(node.status, "running");
  assert.equal(node.firstTokenAt, 200);
  assert.equal(node.addedAt, 100);
});
