import { test } from "node:test";
import assert from "node:assert/strict";
import { answerNumber, answersMatch, extractAnswer, lastBoxed, normalizeAnswer, referenceAnswer } from "./answers.ts";

test("extracts GSM8K, boxed and phrased answers, preferring the most explicit", () => {
  assert.equal(extractAnswer("She has 3 + 4 = 7 apples.\n#### 7"), "7");
  assert.equal(extractAnswer("so $x = \\boxed{\\frac{1}{2}}$."), "\\frac{1}{2}");
  assert.equal(extractAnswer("First 2. Then 5.\nThe answer is 1,234."), "1,234");
  assert.equal(extractAnswer("Final answer: **42**"), "42");
  assert.equal(extractAnswer("no conclusion here"), null);
  assert.equal(lastBoxed("\\boxed{1} then \\boxed{\\sqrt{2}}"), "\\sqrt{2}");
  assert.equal(lastBoxed("\\boxed{unclosed"), null);
});

test("normalises numbers with commas, currency, units, percent and fractions", () => {
  assert.equal(answerNumber("1,234"), 1234);
  assert.equal(answerNumber("$18"), 18);
  assert.equal(answerNumber("18 dollars"), 18);
  assert.equal(answerNumber("\\frac{3}{4}"), 0.75);
  assert.equal(answerNumber("3/4"), 0.75);
  assert.equal(answerNumber("50\\%"), 50);
  assert.equal(answerNumber("x + 1"), null);
  assert.equal(normalizeAnswer("18.00"), "18");
  assert.equal(normalizeAnswer("\\left( 3, \\dfrac{\\pi}{2} \\right)"), "(3,\\frac{\\pi}{2})");
});

test("checks answers against references", () => {
  assert.ok(answersMatch("18", referenceAnswer("Janet sells 16 - 3 - 4 = 9 eggs... 9 * 2 = 18\n#### 18")));
  assert.ok(answersMatch("1,000.0", "1000"));
  assert.ok(answersMatch("\\frac{1}{2}", "0.5"));
  assert.ok(answersMatch("\\left(3, \\frac{\\pi}{2}\\right)", "(3,\\frac{\\pi}{2})"));
  assert.ok(!answersMatch("17", "18"));
  assert.ok(!answersMatch(null, "18"));
});
