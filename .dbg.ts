import { extractFinalAnswer, answersMatch } from "./native/eval/answers.ts";
import { mathEquivalent } from "./native/eval/math-equivalence.ts";
import { gradeResponse } from "./native/eval/checkers.ts";
const ex: [string, boolean?][] = [
  ["So, James runs a total of 540 meters a week.", true],
  ["**The answer is 18**", true],
  ["**Final Answer:** 18", true],
  ["**Final Answer:** The final answer is $\\boxed{18}$", true],
  ["The answer is \\(18\\).", true],
  ["Final answer: x = 18", true],
  ["The answer is 18 (since 6*3=18).", true],
  ["The answer is 18. The answer is also consistent with the problem statement.", true],
  ["Thus the answer is 3.5 dollars.", true],
  ["The answer is: $\\frac{1}{2}$", false],
  ["The final answer is \\[ \\boxed{\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}} \\]", false],
  ["Therefore, the answer is (D).", false],
  ["The answer is:\n\n\\[\n\\boxed{7}\n\\]", true],
  ["The answer is:\n\n\\[\n7\n\\]", true],
  ["The correct answer is option B.", false],
  ["#### 1,234", true],
  ["#### Step 1\nWe compute 5.\n#### Step 2\nSo the total is 12 apples.", true],
  ["I get \\boxed{5} at first. But wait, recheck: the final answer is 7.", true],
  ["The final answer is 7. I hope it is correct.", true],
  ["Answer: 42 apples", true],
  ["The total cost is $1,200.", true],
  ["So the answer is $-\\frac{3}{4}$.", false],
  ["The answer is 6 \\times 3 = 18.", true],
  ["So y = 2x + 1 is the answer. The answer is y = 2x + 1.", false],
];
for (const [t, numeric] of ex) console.log(JSON.stringify(t).slice(0, 70).padEnd(72), "→", JSON.stringify(extractFinalAnswer(t, { numeric })));
const eq: [string, string, boolean?][] = [
  ["\\begin{pmatrix} 2 \\\\ -1 \\\\ -5 \\end{pmatrix}", "\\begin{pmatrix}2\\\\-1\\\\-5\\end{pmatrix}"],
  ["1 + i \\sqrt{3}", "1+\\sqrt{3}i"], ["-\\frac{1}{x} - \\arctan x + C", "-\\arctan x-1/x+C"], ["-\\frac{1}{x} - \\arctan x + C", "-\\arctan x+1/x+C"],
  ["-1, \\sqrt{2}, -\\sqrt{2}", "\\sqrt{2}, -\\sqrt{2}, -1"], ["\\{1,2,3\\}", "\\{3,2,1\\}"], ["(1,2)", "(2,1)"], ["[1, 2)", "[1,2)"], ["[1, 2)", "[1,2]"], ["(-\\infty, 4)", "(-\\infty,4)"],
  ["(-\\infty, 4) \\cup (5, \\infty)", "(-\\infty,4)\\cup(5,\\infty)"],
  ["10 \\text{ cm}", "10"], ["18 dollars", "18"], ["50\\%", "50"], ["30^\\circ", "30"], ["30^{\\circ}", "30"], ["\\text{odd}", "odd"], ["\\text{Odd}", "\\text{even}"],
  ["\\frac12", "0.5"], ["1/2", "2"], ["\\sqrt{2}", "2"], ["\\sqrt{8}", "2\\sqrt{2}"], ["y = 2x+1", "y=1+2x"], ["y = 2x + 1", "2x+1"], ["y=2x+1", "y=2x+2"], ["x^2+2x+1", "(x+1)^2"], ["x^2+2x+1", "(x+1)^3"],
  ["\\dfrac{3}{4}", "\\frac34"], ["0.75", "\\frac{3}{4}"], ["\\frac{\\pi}{2}", "\\pi/2"], ["2\\pi", "6.2832"], ["\\$18.00", "18"], ["1,000", "1000"], ["(1,000, 2)", "(1000,2)"],
  ["\\begin{pmatrix} 0 & 1 \\\\ 1 & 0 \\end{pmatrix}", "\\begin{pmatrix}0&1\\\\1&0\\end{pmatrix}"], ["\\begin{pmatrix} 0 & 1 \\\\ 1 & 0 \\end{pmatrix}", "\\begin{pmatrix}1&0\\\\0&1\\end{pmatrix}"],
  ["x \\in [2, 5]", "[2,5]"], ["2 \\le x \\le 5", "[2,5]"], ["a=3, b=4", "a=3,b=4"], ["3\\sqrt{2}", "\\sqrt{18}"], ["e^{i\\pi}", "-1"],
];
for (const [a, b] of eq) { const t = performance.now(); console.log(a.padEnd(45), "≡", b.padEnd(40), answersMatch(a, b, { upToConstant: /\+C/.test(b) }), (performance.now()-t).toFixed(1)); }
const choices = ["uracil", "thymine", "guanine", "adenine"];
const q = "What pairs with cytosine?\nAnswer Choices: (A) uracil (B) thymine (C) guanine (D) adenine";
for (const t of ["The answer is C.", "The answer is (C).", "C) guanine", "option C", "The correct option is C", "\\boxed{C}", "\\boxed{\\text{C}}", "guanine", "The answer is guanine.", "The answer is B.", "So it pairs with guanine (C).", "I think it is A", "Answer: C"]) {
  console.log(t.padEnd(35), JSON.stringify(gradeResponse({ question: q, reference: "C" }, { text: t })), JSON.stringify(gradeResponse({ question: "x", reference: "C", choices }, { text: t })));
}
