// `grade` over real model outputs (RealCritic's stored solutions, read from ../shared/data directly) and over
// bad input: every refusal names the file and the line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DatasetError } from "./dataset.ts";
import { gradeDataset, gradesCsv, gradesJsonl } from "./grade.ts";
import { REALCRITIC_LABEL_ERRORS } from "../../test/support/realcritic-labels.ts";

const realcritic = resolve(import.meta.dirname, "../../../shared/data/realcritic");
const scratch = mkdtempSync(join(tmpdir(), "refinery-grade-"));
const SLICE = 90;

for (const file of ["gsm8k.jsonl", "math.jsonl", "arc-challenge.jsonl"]) {
  test(`grade agrees with RealCritic's labels on the first ${SLICE} ${file} items, except labels read by hand as wrong`, async () => {
    const path = join(realcritic, file);
    const result = await gradeDataset(path, { response: "reasoning", fields: { reference: "gt" }, limit: SLICE });
    const labels = readFileSync(path, "utf8")
      .split("\n")
      .filter((line) => line.trim())
      .slice(0, SLICE)
      .map((line) => String(JSON.parse(line).previous_score).toLowerCase().includes("true"));
    assert.deepEqual(
      result.items.map((item) => item.line),
      labels.map((_, i) => i + 1),
      "in input order, with lines",
    );
    const disagreeing = result.items.filter((item, i) => item.correct !== labels[i]).map((item) => item.line);
    const wrongLabels = Object.keys(REALCRITIC_LABEL_ERRORS[file]!)
      .map(Number)
      .filter((line) => line <= SLICE);
    assert.deepEqual(disagreeing, wrongLabels);
    assert.ok(result.summary.noAnswer / SLICE < 0.05, `${result.summary.noAnswer} without an answer`);
    assert.equal(result.summary.correct + result.summary.incorrect, SLICE);
  });
}

test("the summary counts verdicts, missing answers and fallbacks; exports list each item", async () => {
  const path = join(scratch, "mixed.jsonl");
  const records = [
    { question: "2+2?", answer: "4", out: "So the total is 4 apples." },
    { question: "2+3?", answer: "5", out: "The answer is \\boxed{6}." },
    { question: "Name it.", answer: "\\text{odd}", out: "I am not sure." },
    { question: "3+3?", out: "#### 6" },
  ];
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join("\n"));
  const result = await gradeDataset(path, { response: "out" });
  assert.deepEqual(result.items, [
    { line: 1, answer: "4", extractedBy: "last-number", correct: true },
    { line: 2, answer: "6", extractedBy: "boxed", correct: false },
    { line: 3, answer: null, extractedBy: "none", correct: false },
    { line: 4, answer: "6", extractedBy: "hashes", correct: null },
  ]);
  assert.deepEqual(result.summary, {
    items: 4,
    correct: 1,
    incorrect: 2,
    ungraded: 1,
    accuracy: 1 / 3,
    noAnswer: 1,
    fallback: 1,
    extractedBy: { "last-number": 1, boxed: 1, none: 1, hashes: 1 },
  });
  assert.equal(gradesCsv(result.items).split("\n")[1], "1,4,last-number,true");
  assert.deepEqual(JSON.parse(gradesJsonl(result.items).split("\n")[2]!), { line: 3, answer: null, extractedBy: "none", correct: false });
});

test("bad input is refused with the file and the line", async () => {
  const missing = join(scratch, "missing-response.jsonl");
  writeFileSync(missing, ['{"question":"1+1?","answer":"2","out":"2"}', '{"question":"1+2?","answer":"3"}'].join("\n"));
  await assert.rejects(gradeDataset(missing, { response: "out" }), (error: unknown) => {
    assert.ok(error instanceof DatasetError);
    assert.match(
      error.message,
      /missing-response\.jsonl: no 'out' field with the response to grade on line 2 \(name the response's field with --field response=<field>\)/,
    );
    return true;
  });
  const broken = join(scratch, "broken.jsonl");
  writeFileSync(broken, ['{"question":"1+1?","answer":"2","out":"2"}', "{not json"].join("\n"));
  await assert.rejects(gradeDataset(broken, { response: "out" }), /broken\.jsonl: 1 malformed record \(line 2: not JSON/);
  const empty = join(scratch, "empty.jsonl");
  writeFileSync(empty, "\n");
  await assert.rejects(gradeDataset(empty, { response: "out" }), /empty\.jsonl: no items/);
  await assert.rejects(gradeDataset(join(scratch, "nowhere.jsonl"), { response: "out" }), /dataset not found/);
});

const humanEvalItem = (id: number, response: string) => ({
  task_id: `Fixture/${id}`,
  prompt: 'def square(x: int) -> int:\n    """The square of x.\n    >>> square(3)\n    9\n    """\n',
  entry_point: "square",
  test: "def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(-3) == 9\n",
  response,
});

test("code items are graded by running their tests in the sandbox, as runs grade them", async () => {
  const path = join(scratch, "code.jsonl");
  const responses = [
    "    return x * x\n",
    "Here it is:\n```python\ndef square(x):\n    return x ** 2\n```",
    "    return x + x\n",
    "import os\nos._exit(0)\n",
    "from __future__ import annotations\n\ndef square(x: Number) -> Number:\n    return x * x\n",
  ];
  writeFileSync(path, responses.map((response, i) => JSON.stringify(humanEvalItem(i, response))).join("\n"));
  const result = await gradeDataset(path, { response: "response" });
  assert.deepEqual(
    result.items.map((item) => [item.line, item.correct, item.extractedBy, item.tests]),
    [
      [1, true, "code", "ok"],
      [2, true, "code", "ok"],
      [3, false, "code", "failed"],
      [4, false, "code", "failed"],
      [5, true, "code", "ok"],
    ],
  );
  assert.equal(result.summary.ungraded, 0, "no code item is left 'without a reference'");
  assert.equal(result.summary.noAnswer, 0, "code items state no answer: their tests are run");
  assert.equal(result.summary.correct, 3);
});

test("HumanEval's canonical solutions (read from ../shared/data/tasks directly) all pass their tests", async () => {
  const path = resolve(import.meta.dirname, "../../../shared/data/tasks/humaneval.jsonl");
  const result = await gradeDataset(path, { response: "canonical_solution", limit: 12 });
  assert.equal(result.summary.items, 12);
  assert.deepEqual(
    result.items.filter((item) => item.correct !== true).map((item) => [item.line, item.tests]),
    [],
  );
});
