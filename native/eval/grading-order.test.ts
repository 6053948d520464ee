// A verdict is a function of the response, the reference and the item only: grading a file forwards and backwards
// gives the same verdicts, and the hand-checked ones. The math engine types every symbol it meets ("y = 2x + 1"
// makes y a number, after which "y(x)" reads as y·x), so an ODE answer once passed alone and failed after others.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gradeDataset } from "./grade.ts";

const items = [
  {
    question: "Find the equation of the tangent line to $y = x^2$ at $x = 1$.",
    gt: "y = 2x - 1",
    response: "The slope is 2, so \\boxed{y = -1 + 2x}.",
    label: true,
  },
  {
    question: "Find the general solution of $y'' - 2y' + y = 0$.",
    gt: "C_1e^x+C_2xe^x",
    response: "The characteristic root 1 is double, so the general solution is $\\boxed{y(x) = e^{x}(C_1 + C_2 x)}$.",
    label: true,
  },
  { question: "Write the circle of radius 2 about the origin.", gt: "x^2 + y^2 = 4", response: "The circle is \\boxed{y^2 + x^2 = 4}.", label: true },
  { question: "Solve $y' = 2y$, $y(0) = 3$.", gt: "3e^{2t}", response: "Separating variables, \\boxed{y(t) = 3e^{2t}}.", label: true },
  { question: "Solve $\\frac{dy}{dx} = 2xy$.", gt: "y = Ce^{x^2}", response: "Integrating $\\ln|y| = x^2 + c$, so \\boxed{y = C e^{x^{2}}}.", label: true },
  {
    question: "Find the general solution of $y'' + 4y = 0$.",
    gt: "C_1 \\cos 2x + C_2 \\sin 2x",
    response: "So \\boxed{y = C_1\\cos x + C_2\\sin x}.",
    label: false,
  },
  { question: "Solve $y' = y / (1 + x)$.", gt: "y = C(1+x)", response: "Hence \\boxed{y = C + Cx}.", label: true },
  { question: "Simplify $\\frac{91}{26}$.", gt: "\\frac{7}{2}", response: "The answer is \\boxed{3}.", label: false },
];

function gradeInOrder(order: typeof items) {
  const path = join(mkdtempSync(join(tmpdir(), "refinery-order-")), "items.jsonl");
  writeFileSync(path, order.map((item) => JSON.stringify(item)).join("\n"));
  return gradeDataset(path, { response: "response", fields: { reference: "gt" } });
}

test("grading a file forwards and backwards gives the same, hand-checked verdicts", async () => {
  const forwards = (await gradeInOrder(items)).items.map((item) => item.correct);
  const backwards = (await gradeInOrder([...items].reverse())).items.map((item) => item.correct).reverse();
  assert.deepEqual(forwards, backwards);
  assert.deepEqual(
    forwards,
    items.map((item) => item.label),
  );
});
