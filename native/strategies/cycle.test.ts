// CYCLE's feedback comes from what the prompt shows (HumanEval docstrings' >>> examples); the hidden tests only
// grade. Ding et al. 2024 repair from execution feedback; a loop fed by the grading tests is an oracle.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { lastUser, scriptedRun } from "../../test/support/scripted-run.ts";
import { examplesProgram, visibleExamples } from "./visible-examples.ts";
import { runPython } from "../grading/sandbox.ts";

const squareTask = {
  question: 'def square(x):\n    """Return x squared.\n    >>> square(3)\n    9\n    """\n',
  tests: {
    language: "python" as const,
    code: "def check(f):\n    assert f(3) == 9, 'hidden: square(3)'\n    assert f(4) == 16, 'hidden: square(4) should be 16'",
    entryPoint: "square",
  },
};
const code = (body: string) => `\`\`\`python\ndef square(x):\n    ${body}\n\`\`\``;

test("visible examples are read from the docstring and checked as doctest would", async () => {
  const humanEval = JSON.parse(readFileSync(new URL("../../../shared/data/tasks/humaneval.jsonl", import.meta.url), "utf8").split("\n")[0]!);
  const examples = visibleExamples(humanEval.prompt);
  assert.deepEqual(examples, [
    { source: "has_close_elements([1.0, 2.0, 3.0], 0.5)", want: "False" },
    { source: "has_close_elements([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3)", want: "True" },
  ]);
  const right = await runPython(examplesProgram(`${humanEval.prompt}${humanEval.canonical_solution}`, examples));
  assert.equal(right.passed, true, right.output);
  const wrong = await runPython(examplesProgram(`${humanEval.prompt}    return False\n`, examples));
  assert.equal(wrong.passed, false);
  assert.match(wrong.output, /Failed example: has_close_elements\(\[1\.0, 2\.8, 3\.0, 4\.0, 5\.0, 2\.0\], 0\.3\)\nExpected: True\nGot: False/);
});

test("CYCLE repairs from the prompt's examples, never shows the hidden tests, and is graded on them", async () => {
  let attempt = 0;
  const run = await scriptedRun({ strategy: "cycle", task: squareTask, actor: () => (attempt++ === 0 ? code("return x + x") : code("return x * x")) });
  assert.equal(run.actor.requests.length, 2);
  const repair = lastUser(run.actor.requests[1]!);
  assert.match(repair, /Running the examples from the task failed:[\s\S]*Failed example: square\(3\)\nExpected: 9\nGot: 6/);
  assert.doesNotMatch(repair, /hidden/, "the grading tests' messages never reach the actor");
  assert.deepEqual(
    run.nodes.filter((n) => n.role === "verify").map((n) => n.step),
    ["examples", "examples"],
  );
  assert.equal(run.state.correct, true);
  assert.equal(run.state.stopReason, "accepted", "the repair passed the examples");
  assert.equal(JSON.parse(readFileSync(run.manifestPath, "utf8")).oracle, false);
});

test("CYCLE: code that passes the examples but not the hidden tests is not repaired, and is graded wrong", async () => {
  const run = await scriptedRun({ strategy: "cycle", task: squareTask, actor: () => code("return 9 if x == 3 else 0") });
  assert.equal(run.actor.requests.length, 1, "the examples pass: nothing to repair");
  assert.equal(run.state.correct, false);
});

test("CYCLE with feedback from the grading tests is marked an oracle run (no reference answer needed)", async () => {
  let attempt = 0;
  const run = await scriptedRun({
    strategy: "cycle",
    params: { feedback: "tests" },
    task: squareTask,
    actor: () => (attempt++ === 0 ? code("return 9 if x == 3 else 0") : code("return x * x")),
  });
  assert.match(lastUser(run.actor.requests[1]!), /hidden: square\(4\) should be 16/);
  assert.equal(run.state.correct, true);
  assert.equal(JSON.parse(readFileSync(run.manifestPath, "utf8")).oracle, true);
});

test("CYCLE on a prompt without examples returns the draft and says there was nothing to repair with", async () => {
  const run = await scriptedRun({
    strategy: "cycle",
    task: { ...squareTask, question: 'def square(x):\n    """Return x squared."""\n' },
    actor: () => code("return x + x"),
  });
  assert.equal(run.actor.requests.length, 1);
  assert.match(run.nodes.find((n) => n.role === "verify")!.text, /shows no >>> examples/);
  assert.equal(run.state.correct, false);
});
