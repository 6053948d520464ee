import { test } from "node:test";
import assert from "node:assert/strict";
import {
  answerNumber,
  answersMatch,
  asksForPercent,
  matchOptionsFor,
  extractAnswer,
  extractFinalAnswer,
  lastBoxed,
  lastNumber,
  normalizeAnswer,
  referenceAnswer,
} from "./answers.ts";

const read = (text: string, numeric = false) => extractFinalAnswer(text, { numeric });

test("reads GSM8K hashes, the last box and answer phrases", () => {
  assert.deepEqual(read("She has 3 + 4 = 7 apples.\n#### 7"), { answer: "7", extractedBy: "hashes" });
  assert.deepEqual(read("so $x = \\boxed{\\frac{1}{2}}$."), { answer: "\\frac{1}{2}", extractedBy: "boxed" });
  assert.deepEqual(read("First \\boxed{1}, then \\fbox{\\sqrt{2}}."), { answer: "\\sqrt{2}", extractedBy: "boxed" });
  assert.deepEqual(read("First 2. Then 5.\nThe answer is 1,234."), { answer: "1,234", extractedBy: "phrase" });
  assert.equal(extractAnswer("The answer is:\n\n\\[\n\\boxed{7}\n\\]"), "7");
  assert.equal(extractAnswer("The answer is:\n\n\\[\n7\n\\]"), "7");
  assert.equal(extractAnswer("The final answer is \\[ \\boxed{\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}} \\]"), "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}");
  assert.equal(extractAnswer("Thus \\boxed{5x - 3}."), "5x - 3", "a box is not cut at a minus sign");
  assert.equal(lastBoxed("\\boxed{unclosed"), null);
  assert.equal(extractAnswer("no conclusion here"), null);
});

test("strips Markdown bold and LaTeX delimiters from phrased answers", () => {
  assert.equal(extractAnswer("**The answer is 18**"), "18");
  assert.equal(extractAnswer("**Final Answer:** 18"), "18");
  assert.equal(extractAnswer("**Final Answer:** The final answer is $\\boxed{18}$"), "18");
  assert.equal(extractAnswer("The answer is \\(18\\)."), "18");
  assert.equal(extractAnswer("So the answer is $-\\frac{3}{4}$."), "-\\frac{3}{4}");
  assert.equal(extractAnswer("Final answer: **42**"), "42");
  assert.equal(extractAnswer("The answer is 2**3 = 8."), "8", "Python's power operator is not emphasis");
});

test("an answer line keeps its value and drops what explains it", () => {
  assert.equal(extractAnswer("Final answer: x = 18"), "18");
  assert.equal(extractAnswer("The answer is 18 (since 6*3=18)."), "18");
  assert.equal(extractAnswer("The answer is 6 \\times 3 = 18."), "18");
  assert.equal(extractAnswer("The answer is 18, which is the number of eggs."), "18");
  assert.equal(extractAnswer("The final answer is 7. I hope it is correct."), "7");
  assert.equal(extractAnswer("The answer is y = 2x + 1."), "y = 2x + 1", "an equation in x stays an equation");
  assert.equal(extractAnswer("Thus the answer is 3.5 dollars."), "3.5 dollars");
});

test("the statement nearest the end wins; remarks about the answer are not answers", () => {
  assert.deepEqual(read("I get \\boxed{5} at first. But wait, recheck: the final answer is 7."), { answer: "7", extractedBy: "phrase" });
  assert.equal(extractAnswer("The answer is 18. The answer is also consistent with the problem statement."), "18");
  assert.equal(extractAnswer("The answer is 12.\nWe can check that the answer is correct."), "12");
  assert.equal(extractAnswer("Therefore, the answer is (D)."), "(D)");
  assert.equal(extractAnswer("So \\boxed{3}. Let's verify the answer: substituting 3 gives 9 = 9."), "3", "checking an answer states none");
  assert.equal(extractAnswer("\\boxed{12}\nThe answer is consistent with every condition that the problem states about the boxes and the apples."), "12");
});

test("a Markdown heading of four hashes is not GSM8K's answer line", () => {
  assert.deepEqual(read("#### Step 1\nWe compute 5.\n#### Step 2\nSo the total is 12 apples.", true), { answer: "12", extractedBy: "last-number" });
  assert.deepEqual(read("#### Step 2: total\nThus \\boxed{(-\\infty, 4)}"), { answer: "(-\\infty, 4)", extractedBy: "boxed" });
});

test("a numeric task's answer stated as a sentence gives its one number", () => {
  assert.equal(extractAnswer("**Answer:** Verna received $7.00 in change.", { numeric: true }), "7.00");
  assert.equal(
    extractAnswer("The answer is \\boxed{4 blue boxes and 6 red boxes}", { numeric: true }),
    "4 blue boxes and 6 red boxes",
    "two numbers: no guess",
  );
  assert.equal(extractAnswer("**Answer:** Verna received $7.00 in change."), "Verna received $7.00", "cut where the explanation starts");
});

test("numeric tasks fall back to the last number, marked as a fallback; others get no answer", () => {
  assert.deepEqual(read("So, James runs a total of 540 meters a week.", true), { answer: "540", extractedBy: "last-number" });
  assert.deepEqual(read("The total cost is $1,200.", true), { answer: "1200", extractedBy: "last-number" });
  assert.deepEqual(read("So, James runs a total of 540 meters a week."), { answer: null, extractedBy: "none" });
  assert.deepEqual(read("No numbers at all.", true), { answer: null, extractedBy: "none" });
  assert.equal(lastNumber("ratio \\frac{3}{4} of it"), "3/4");
});

test("normalises numbers with commas, currency, units, percent, degrees and fractions", () => {
  assert.equal(answerNumber("1,234"), 1234);
  assert.equal(answerNumber("$18"), 18);
  assert.equal(answerNumber("18 dollars"), 18);
  assert.equal(answerNumber("\\frac{3}{4}"), 0.75);
  assert.equal(answerNumber("-\\frac{3}{4}"), -0.75);
  assert.equal(answerNumber("3/4"), 0.75);
  assert.equal(answerNumber("50\\%"), 50);
  assert.equal(answerNumber("30^\\circ"), 30);
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
  assert.ok(!answersMatch("1/2", "2"));
  assert.ok(!answersMatch("\\sqrt{2}", "2"));
  assert.ok(!answersMatch(null, "18"));
});

test("thought segments are never read; boxes joined by connectors on the last line are one answer", () => {
  assert.deepEqual(read("<think>maybe \\boxed{4}</think>The answer is 5."), { answer: "5", extractedBy: "phrase" });
  assert.deepEqual(read("<think>maybe \\boxed{4}, still thinking", true), { answer: null, extractedBy: "none" }, "cut off before </think>: no answer part");
  assert.equal(extractAnswer("…so it is 9.</think>\n\\boxed{9}"), "9");
  assert.equal(extractAnswer("The solutions are $\\boxed{2}$ and $\\boxed{-3}$."), "2, -3");
  assert.equal(extractAnswer("x = \\boxed{2}, y = \\boxed{3}"), "2, 3");
  assert.equal(extractAnswer("I first got \\boxed{5} but that is wrong, so \\boxed{7}"), "7");
  assert.equal(extractAnswer("\\boxed{1}\n\\boxed{2}"), "2");
});

test("a yes/no reference that carries its justification matches the bare verdict", () => {
  const reference = "No. It is not closed under scalar multiplication.";
  assert.ok(answersMatch("No", referenceAnswer(reference)));
  assert.ok(answersMatch("\\text{No}", reference));
  assert.ok(answersMatch("no, since -1 times a vector leaves the set", reference));
  assert.ok(!answersMatch("Yes", reference));
  assert.ok(answersMatch("True", "True: every bounded monotone sequence converges"));
  assert.ok(!answersMatch("False", "True — every bounded monotone sequence converges"));
  // "No solution" is an answer of its own, not the verdict "no".
  assert.ok(!answersMatch("No", "No solution"));
  assert.ok(!answersMatch("No solution", reference));
});

test("a percent and its decimal are one answer when the question asks for a percent, and only then", () => {
  const asked = "A survey of 80 people found 50 who cycle. What percent of the people cycle?";
  assert.ok(asksForPercent(asked));
  assert.ok(asksForPercent("Express the share of cyclists as a percentage."));
  assert.ok(asksForPercent("Growth rate (in %):"));
  assert.ok(!asksForPercent("After a 20% discount, what is the price of a $50 coat?"));
  assert.ok(!asksForPercent("The percentage of girls is 40. How many boys are there?"));
  assert.ok(answersMatch("0.625", "62.5", matchOptionsFor(asked)));
  assert.ok(answersMatch("62.5\\%", "0.625", matchOptionsFor(asked)));
  assert.ok(answersMatch("62.5", "62.5\\%", matchOptionsFor(asked)));
  assert.ok(!answersMatch("0.625", "62.5", matchOptionsFor("What is 5 divided by 8, times 100?")));
  assert.ok(!answersMatch("0.6", "62.5", matchOptionsFor(asked)));
});

test("a number is held to the reference's stated precision", () => {
  const question = "Compute the value to 4 decimal places in scientific notation.";
  assert.ok(!answersMatch("1.4904 \\times 10^4", "1.4903 \\times 10^4", matchOptionsFor(question)));
  assert.ok(!answersMatch("14904", "1.4903e4", matchOptionsFor(question)));
  assert.ok(answersMatch("14903", "1.4903e4", matchOptionsFor(question)));
  assert.ok(answersMatch("1.4903 \\times 10^{4}", "1.4903 \\times 10^4", matchOptionsFor(question)));
  assert.ok(answersMatch("7.12", "7.12345", matchOptionsFor("Round to the nearest hundredth.")));
  assert.ok(!answersMatch("7.12", "7.12345", matchOptionsFor("Find the value.")));
});
