import { test } from "node:test";
import assert from "node:assert/strict";
import {
  answerIsCorrect,
  answerKey,
  candidateIsCorrect,
  checkerKind,
  choiceOf,
  choicesInQuestion,
  gradeResponse,
  questionWithChoices,
  referenceChoice,
} from "./checkers.ts";

const choices = ["uracil", "thymine", "guanine", "adenine"];
const inQuestion = "What is the complementary base to cytosine in DNA?\nAnswer Choices: (A) uracil (B) thymine (C) guanine (D) adenine";

test("multiple-choice answers are read as letters, parenthesised letters, 'option B' or the option's text", () => {
  for (const [answer, letter] of [
    ["C", "C"],
    ["(c)", "C"],
    ["C) guanine", "C"],
    ["c.", "C"],
    ["guanine", "C"],
    ["\\text{(B)}", "B"],
    ["option D", "D"],
    ["Option (D)", "D"],
    ["the correct option is D", "D"],
    ["I think (B) is right", "B"],
    ["E", null],
    ["a guess", null],
    ["Adenine", "D"],
    ["(A) or (B)", null],
  ] as const) {
    assert.equal(choiceOf(answer, choices), letter, answer);
  }
  assert.equal(referenceChoice("2", choices), "C");
  assert.equal(referenceChoice("thymine", choices), "B");
  const task = { question: "q", reference: "C", choices };
  assert.equal(checkerKind(task), "choice");
  assert.equal(answerIsCorrect(task, "(C) guanine"), true);
  assert.equal(answerIsCorrect(task, "D"), false);
  assert.equal(answerIsCorrect(task, null), false);
  assert.equal(questionWithChoices(inQuestion, choices), inQuestion);
});

test("options written in the question make a letter reference a multiple-choice task", () => {
  assert.deepEqual(choicesInQuestion(inQuestion), choices);
  assert.deepEqual(choicesInQuestion("Which is a fruit?\nA. stone\nB. apple\nC. cloud"), ["stone", "apple", "cloud"]);
  assert.equal(choicesInQuestion("Cytosine (C) pairs with guanine (G)."), null, "a stray letter in brackets is not a list of options");
  const task = { question: inQuestion, reference: "C" };
  assert.equal(checkerKind(task), "choice");
  for (const [text, answer, correct] of [
    ["Therefore, the answer is (C).", "C", true],
    ["The correct answer is \\boxed{C}.", "C", true],
    ["Therefore, the correct answer is:\n\n\\boxed{(C) guanine}", "C", true],
    ["The answer is guanine.", "C", true],
    ["The correct option is B.", "B", false],
    ["Therefore, the answer is (D).", "D", false],
  ] as const) {
    assert.deepEqual(gradeResponse(task, { text }), { answer, extractedBy: text.includes("boxed") ? "boxed" : "phrase", correct }, text);
  }
});

test("votes group answers by option letter for multiple choice, by normalised value otherwise", () => {
  const task = { question: inQuestion, reference: "C" };
  assert.deepEqual(
    ["(C) guanine", "C", "guanine", "\\boxed{C}", "B", null, "no idea"].map((a) => answerKey(task, a)),
    ["C", "C", "C", "C", "B", null, null],
  );
  assert.deepEqual(
    ["18.00", "18", "\\frac{1}{2}"].map((a) => answerKey({ question: "q", reference: "18" }, a)),
    ["18", "18", "0.5"],
  );
});

test("a solution that names no answer falls back to the option it mentions last, marked as such", () => {
  const task = { question: inQuestion, reference: "C" };
  assert.deepEqual(gradeResponse(task, { text: "Adenine (A) pairs with thymine, so cytosine pairs with **guanine (C)**." }), {
    answer: "C",
    extractedBy: "option-mention",
    correct: true,
  });
  // An answer that is stated but is no option stays wrong: it does not fall back to a mention.
  assert.deepEqual(gradeResponse(task, { text: "It pairs with guanine.\nThe answer is \\boxed{41}." }), { answer: "41", extractedBy: "boxed", correct: false });
});

test("answer tasks compare values; numeric ones fall back to the last number; no reference is unjudged", () => {
  assert.equal(answerIsCorrect({ question: "q", reference: "Total: 1,234\n#### 1234" }, "1234.0"), true);
  assert.equal(answerIsCorrect({ question: "q", reference: "\\frac{1}{2}" }, "0.5"), true);
  assert.equal(answerIsCorrect({ question: "Find \\int \\frac{1}{x^2} dx.", reference: "-\\frac{1}{x} + C" }, "C - 1/x"), true);
  assert.equal(answerIsCorrect({ question: "q" }, "5"), null);
  assert.deepEqual(gradeResponse({ question: "q", reference: "540" }, { text: "So, James runs a total of 540 meters a week." }), {
    answer: "540",
    extractedBy: "last-number",
    correct: true,
  });
  assert.deepEqual(gradeResponse({ question: "q", reference: "\\frac{7}{2}" }, { text: "So it is 3.5 in the end." }), {
    answer: "3.5",
    extractedBy: "last-number",
    correct: true,
  });
  // Not a number: no guessing from the last number.
  assert.deepEqual(gradeResponse({ question: "q", reference: "2\\sqrt{2}" }, { text: "So it is 2.83 in the end." }), {
    answer: null,
    extractedBy: "none",
    correct: false,
  });
  assert.deepEqual(gradeResponse({ question: "q", reference: "18" }, { text: "#### 17", answer: "18" }), { answer: "18", extractedBy: "given", correct: true });
});

test("code candidates are judged by running the task's tests", async () => {
  const task = { question: "def add(a, b):", tests: { language: "python" as const, code: "def check(f):\n    assert f(2, 3) == 5\n", entryPoint: "add" } };
  assert.equal(checkerKind(task), "code");
  assert.equal(await candidateIsCorrect(task, { text: "```python\ndef add(a, b):\n    return a + b\n```", answer: null }), true);
  assert.equal(await candidateIsCorrect(task, { text: "```python\ndef add(a, b):\n    return a - b\n```", answer: null }), false);
  assert.equal(await candidateIsCorrect({ question: "q", reference: "B", choices }, { text: "The answer is (B).", answer: null }), true);
});

test("'(A) … and (B) …' in a question's stem is not its list of options", () => {
  const question =
    "Two statements: (A) mitochondria make ATP and (B) chloroplasts make glucose. Which are true?\nAnswer Choices: (A) only the first (B) only the second (C) both (D) neither";
  assert.deepEqual(choicesInQuestion(question), ["only the first", "only the second", "both", "neither"]);
  const task = { question, reference: "C" };
  assert.deepEqual(gradeResponse(task, { text: "Both statements hold, so the answer is (C)." }), { answer: "C", extractedBy: "phrase", correct: true });
  assert.equal(answerIsCorrect(task, "(D)"), false);
  assert.deepEqual(choicesInQuestion("Is (C) or (A) larger?\nA. 3\nB. 5\nC. 7"), ["3", "5", "7"]);
  assert.deepEqual(
    choicesInQuestion("Compare (A) the mean and (B) the median.\nAnswer Choices: (A) equal (B) unequal"),
    ["equal", "unequal"],
    "the last of equally long runs",
  );
});

test("what the question asks shapes the verdict: a percent, the decimals to give, a justified yes/no", () => {
  const percent = { question: "Of 80 people, 50 cycle. What percent of them cycle?", reference: "62.5" };
  assert.equal(gradeResponse(percent, { text: "50/80 = 0.625, so the answer is \\boxed{0.625}." }).correct, true);
  assert.equal(answerIsCorrect({ question: "What is 50 divided by 80?", reference: "62.5" }, "0.625"), false);
  const decimals = { question: "Evaluate $\\int_0^1 e^{x^2} dx$ to two decimal places.", reference: "1.46265" };
  assert.equal(answerIsCorrect(decimals, "1.46"), true);
  assert.equal(answerIsCorrect(decimals, "1.47"), false);
  assert.equal(answerIsCorrect({ question: "Evaluate the sum.", reference: "1.4903 \\times 10^{4}" }, "14904"), false);
  const subspace = {
    question: "Is $W = \\{(x, y) : x \\ge 0\\}$ a subspace of $\\mathbb{R}^2$?",
    reference: "No. It is not closed under scalar multiplication.",
  };
  assert.equal(gradeResponse(subspace, { text: "Scaling by -1 leaves W.\n\nThe answer is: \\boxed{\\text{No}}" }).correct, true);
  assert.equal(answerIsCorrect(subspace, "Yes"), false);
});
