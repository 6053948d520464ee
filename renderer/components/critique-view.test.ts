import { test } from "node:test";
import assert from "node:assert/strict";
import type { RunEvent } from "../../native/protocol/events.ts";
import { foldRunEvents } from "../../native/protocol/state.ts";
import { readCritique } from "./critique-view.ts";
import { whitespaceOnlyNote } from "./tree/whitespace.ts";

const added = (nodeId: string, role: "draft" | "critique", parents: string[] = []): RunEvent => ({
  type: "node-added",
  at: 1,
  nodeId,
  parents,
  role,
  step: role,
  iteration: 0,
  model: role === "draft" ? "actor" : "critic",
});
const completed = (nodeId: string, text: string, tokensOut = 5): RunEvent => ({
  type: "node-completed",
  at: 2,
  nodeId,
  text,
  answer: null,
  tokensIn: 1,
  tokensOut,
  wallMs: 1,
  status: "done",
});

test("a stepwise critique reads as its verdict, score, first error and each step's why, taken from its candidate's score", () => {
  const critique = JSON.stringify({
    steps: [
      { why: "adds correctly", verdict: "correct", score: 9 },
      { why: "6 × 4 is not 20", verdict: "wrong", score: 1 },
    ],
    critique: "The product is wrong.",
    finalCorrect: false,
    score: 2,
  });
  const run = foldRunEvents([
    added("n1", "draft"),
    completed("n1", "Step 1: 2+2=4\nStep 2: 6×4=20"),
    added("n2", "critique", ["n1"]),
    completed("n2", critique),
    {
      type: "score-set",
      at: 3,
      nodeId: "n1",
      score: { value: 2, verdict: "incorrect", source: "critic", byNodeId: "n2", firstErrorStep: 1, steps: [] },
    },
  ]);
  const reading = readCritique(run.nodes.n2!, run)!;
  assert.equal(reading.candidateId, "n1");
  assert.equal(reading.score?.verdict, "incorrect");
  assert.equal(reading.score?.firstErrorStep, 1);
  assert.equal(reading.text, "The product is wrong.");
  assert.deepEqual(
    reading.steps.map((s) => [s.verdict, s.score, s.why]),
    [
      ["correct", 9, "adds correctly"],
      ["wrong", 1, "6 × 4 is not 20"],
    ],
  );
  assert.equal(readCritique(run.nodes.n1!, run), null, "a draft is not a critique");
});

test("a critique cut off before its JSON closed and without a score has no structured reading (the raw text stays)", () => {
  const run = foldRunEvents([added("n1", "draft"), completed("n1", "4"), added("n2", "critique", ["n1"]), completed("n2", '{"critique": "The ans')]);
  assert.equal(readCritique(run.nodes.n2!, run), null);
});

test("whitespace-only output says how many tokens came; empty or real text says nothing", () => {
  assert.equal(whitespaceOnlyNote({ status: "done", text: " \n\n  ", tokensOut: 48, thoughtTokens: 0 }), "(48 tokens, whitespace only)");
  assert.equal(whitespaceOnlyNote({ status: "done", text: "\n", tokensOut: 31, thoughtTokens: 30 }), "(1 token, whitespace only)");
  assert.equal(whitespaceOnlyNote({ status: "done", text: "", tokensOut: 0, thoughtTokens: 0 }), null);
  assert.equal(whitespaceOnlyNote({ status: "done", text: "4", tokensOut: 1, thoughtTokens: 0 }), null);
  assert.equal(whitespaceOnlyNote({ status: "running", text: "  ", tokensOut: 0, thoughtTokens: 0 }), null);
});
