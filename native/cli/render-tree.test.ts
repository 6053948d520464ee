import { test } from "node:test";
import assert from "node:assert/strict";
import type { RunEvent } from "../protocol/events.ts";
import { foldRunEvents } from "../protocol/state.ts";
import { renderTree } from "./render-tree.ts";

const node = (nodeId: string, role: "draft" | "critique", parents: string[] = []): RunEvent[] => [
  {
    type: "node-added",
    at: 1,
    nodeId,
    parents,
    role,
    step: role === "critique" ? "reward" : "draft",
    iteration: 0,
    model: role === "draft" ? "actor" : "critic",
  },
  {
    type: "node-completed",
    at: 2,
    nodeId,
    text: role === "draft" ? "The answer is 4" : '{"analysis":"ok","score":-35}',
    answer: null,
    tokensIn: 1,
    tokensOut: 1,
    wallMs: 1,
    status: "done",
  },
];

test("replay prints an MCTSr reward in its own units, and a critic's score as verdict then /10", () => {
  const state = foldRunEvents([
    ...node("n1", "draft"),
    ...node("n2", "critique", ["n1"]),
    { type: "score-set", at: 3, nodeId: "n1", score: { value: 3.3, reward: -35, verdict: "unknown", source: "critic", byNodeId: "n2" } },
    ...node("n3", "draft"),
    ...node("n4", "critique", ["n3"]),
    { type: "score-set", at: 4, nodeId: "n3", score: { value: 10, verdict: "incorrect", source: "critic", byNodeId: "n4" } },
  ]);
  const text = renderTree(state);
  assert.match(text, /n1 .*\[critic reward -35 of −100…100\]/);
  assert.doesNotMatch(text, /3\.3\/10/);
  assert.match(text, /n3 .*\[critic ✗ 10\/10 incorrect\]/);
});
