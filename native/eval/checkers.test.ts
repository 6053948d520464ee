import { test } from "node:test";
import assert from "node:assert/strict";
import { answerIsCorrect, candidateIsCorrect, checkerKind, choiceOf, questionWithChoices, referenceChoice } from "./checkers.ts";

const choices = ["uracil", "thymine", "guanine", "adenine"];

test("multiple-choice answers are read as letters, parenthesised letters or the option's text", () => {
  for (const [answer, letter] of [["C", "C"], ["(c)", "C"], ["C) guanine", "C"], ["c.", "C"], ["guanine", "C"], ["\\text{(B)}", "B"], ["option D", "D"], ["I think (B) is right", "B"], ["E", null], ["a guess", null], ["Adenine", "D"]] as const) {
    assert.equal(choiceOf(answer, choices), letter, answer);
  }
  assert.equal(referenceChoice("2", choices), "C");
  assert.equal(referenceChoice("thymine", choices), "B");
  const task = { question: "q", reference: "C", choices };
  assert.equal(checkerKind(task), "choice");
  assert.equal(answerIsCorrect(task, "(C) guanine"), true);
  assert.equal(answerIsCorrect(task, "D"), false);
  assert.equal(answerIsCorrect(task, null), false);
  assert.equal(questionWithChoices("Pick one.\nAnswer Choices: (A) uracil (B) thymine (C) guanine (D) adenine", choices), "Pick one.\nAnswer Choices: (A) uracil (B) thymine (C) guanine (D) adenine");
});

test("answer tasks compare values; tasks without a reference are unjudged", () => {
  assert.equal(answerIsCorrect({ question: "q", reference: "Total: 1,234\n#### 1234" }, "1234.0"), true);
  assert.equal(answerIsCorrect({ question: "q", reference: "\\frac{1}{2}" }, "0.5"), true);
  assert.equal(answerIsCorrect({ question: "q" }, "5"), null);
});

test("code candidates are judged by running the task's tests", async () => {
  const task = { question: "def add(a, b):", tests: { language: "python" as const, code: "def check(f):\n    assert f(2, 3) == 5\n", entryPoint: "add" } };
  assert.equal(checkerKind(task), "code");
  assert.equal(await candidateIsCorrect(task, { text: "```python\ndef add(a, b):\n    return a + b\n```", answer: null }), true);
  assert.equal(await candidateIsCorrect(task, { text: "```python\ndef add(a, b):\n    return a - b\n```", answer: null }), false);
  assert.equal(await candidateIsCorrect({ question: "q", reference: "B", choices }, { text: "The answer is (B).", answer: null }), true);
});
