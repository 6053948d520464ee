// Which stop reason a finished run records when several facts hold.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decideStopReason } from "./stop-reason.ts";

test("a budget or limit the run hit outranks the strategy's own reason; otherwise the strategy says, or finished", () => {
  const none = { budgetRefused: false, contextCut: false, selectedAnswerCut: false };
  assert.equal(decideStopReason(none), "finished");
  assert.equal(decideStopReason({ ...none, declared: "accepted" }), "accepted");
  assert.equal(decideStopReason({ ...none, declared: "max-iterations" }), "max-iterations");
  assert.equal(decideStopReason({ ...none, declared: "max-iterations", budgetRefused: true, contextCut: true }), "token-budget");
  assert.equal(decideStopReason({ ...none, declared: "accepted", contextCut: true, selectedAnswerCut: true }), "context-full");
  assert.equal(decideStopReason({ ...none, declared: "accepted", selectedAnswerCut: true }), "answer-cut");
});
