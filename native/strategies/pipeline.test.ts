// Pipelines: a parallel selection judges every branch's answer with one rubric (a fresh holistic critique),
// never by comparing scores from different scales; chained code strategies start from the previous answer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { GenerateRequest } from "../llm/backend.ts";
import { holistic, isCritique, lastUser, scriptedRun } from "../../test/support/scripted-run.ts";

const answer = (n: number) => `Step 1: read.\nStep 2: compute.\nThe answer is ${n}`;
const spec = (value: unknown) => ({ spec: JSON.stringify(value) });
const review = (score: number) => JSON.stringify({ comment: "c", score });
const holisticOn = (r: GenerateRequest, n: number) => /Review the solution/.test(lastUser(r)) && lastUser(r).includes(`The answer is ${n}`);

test("parallel selection critiques every branch's answer afresh, one rubric, instead of comparing GRA's 10 with a 0–10 critique", async () => {
  // Branch 1 (best-of-n): its own critique scores 6. Branch 2 (GRA): reviewers disagree, the adjudicator accepts (10).
  // The final check scores answer 1 at 9 and answer 2 at 3, so branch 1 wins; comparing 6 with 10 would pick branch 2.
  let critiquesOfOne = 0;
  const run = await scriptedRun({
    strategy: "pipeline",
    params: spec({ kind: "parallel", branches: [{ strategy: "best-of-n", params: { n: 1 } }, { strategy: "gra" }] }),
    actor: (r) => (isCritique(r) ? review(2) : /As a reviewer/.test(lastUser(r)) ? review(2) : r.temperature === 0.8 ? answer(1) : answer(2)),
    critic: (r) => {
      if (/The reviewers disagree/.test(lastUser(r))) return JSON.stringify({ reasoning: "r", accept: true });
      if (/As a reviewer/.test(lastUser(r))) return review(9);
      if (holisticOn(r, 1)) return holistic(true, critiquesOfOne++ === 0 ? 6 : 9);
      if (holisticOn(r, 2)) return holistic(false, 3);
      throw new Error(`unexpected critic call: ${lastUser(r).slice(0, 60)}`);
    },
  });
  assert.ok(run.nodes.some((n) => n.step === "adjudicator"));
  const finalChecks = run.nodes.filter((n) => n.step === "final-check");
  assert.equal(finalChecks.length, 2, "both branches' answers get the same critique");
  assert.equal(run.state.answer, "1");
  assert.equal(run.nodes.at(-1)!.step, "final-select");
});

test("parallel selection: a tie between branches is drawn with the run's seed and says so", async () => {
  let draft = 0;
  const run = await scriptedRun({
    strategy: "pipeline",
    params: spec({ kind: "parallel", branches: [{ strategy: "single-pass" }, { strategy: "single-pass" }] }),
    actor: () => answer(++draft),
    critic: () => holistic(true, 7),
  });
  assert.match(run.nodes.at(-1)!.text, /tie between n1, n2: n\d drawn at random with the run's seed 1/);
});

test("a chain into CYCLE starts from the previous stage's code (no new draft)", async () => {
  const task = {
    question: 'def square(x):\n    """Return x squared.\n    >>> square(3)\n    9\n    """\n',
    tests: { language: "python" as const, code: "def check(f):\n    assert f(4) == 16", entryPoint: "square" },
  };
  let call = 0;
  const run = await scriptedRun({
    strategy: "pipeline",
    params: spec({ kind: "chain", steps: [{ strategy: "single-pass" }, { strategy: "cycle" }] }),
    task,
    actor: () => (call++ === 0 ? "```python\ndef square(x):\n    return x + x\n```" : "```python\ndef square(x):\n    return x * x\n```"),
  });
  assert.equal(run.actor.requests.length, 2, "single-pass's draft, then one repair");
  const firstCheck = run.nodes.find((n) => n.role === "verify")!;
  assert.deepEqual(firstCheck.parents, ["n1"]);
  assert.match(lastUser(run.actor.requests[1]!), /Failed example: square\(3\)/);
  assert.equal(run.state.correct, true);
});

test("a chain into RLAC checks the previous stage's answer first; an oracle anywhere in a pipeline marks the run", async () => {
  const run = await scriptedRun({
    strategy: "pipeline",
    params: spec({ kind: "chain", steps: [{ strategy: "single-pass" }, { strategy: "rlac" }] }),
    actor: () => answer(42),
    critic: (r) =>
      /Check only this claim/.test(lastUser(r)) ? JSON.stringify({ evidence: "fine", holds: false }) : JSON.stringify({ failure: "maybe", check: "step 2" }),
  });
  assert.equal(run.actor.requests.length, 1, "RLAC does not draft again");
  assert.deepEqual(run.nodes.find((n) => n.step === "failure-mode")!.parents, ["n1"]);

  const oracle = await scriptedRun({
    strategy: "pipeline",
    params: spec({ kind: "chain", steps: [{ strategy: "single-pass" }, { strategy: "cycle", params: { feedback: "tests" } }] }),
    task: { question: "def f():\n    pass\n", tests: { language: "python", code: "assert True" } },
    actor: () => "```python\ndef f():\n    return 1\n```",
  });
  assert.equal(JSON.parse(readFileSync(oracle.manifestPath, "utf8")).oracle, true);
});

test("a reference oracle nested in a pipeline needs a reference answer, found by walking the pipeline; the result says it was an oracle run", async () => {
  const pdrOracle = spec({ kind: "chain", steps: [{ strategy: "single-pass" }, { strategy: "pdr", params: { oracle: true } }] });
  await assert.rejects(
    scriptedRun({ strategy: "pipeline", params: pdrOracle, task: { question: "What is 6 * 7?" }, actor: () => answer(42) }),
    /oracle mode needs a task with a reference answer/,
  );
  // The switch spelled in JSON the way no regex over the text expects (spaces, escapes) is still found.
  const spaced = { spec: '{"kind":"chain","steps":[{"strategy":"single-pass"},{"strategy":"pdr","params":{"\\u006fracle" : true}}]}' };
  await assert.rejects(
    scriptedRun({ strategy: "pipeline", params: spaced, task: { question: "What is 6 * 7?" }, actor: () => answer(42) }),
    /needs a task with a reference/,
  );
  const plain = await scriptedRun({ strategy: "pipeline", params: spec({ kind: "chain", steps: [{ strategy: "single-pass" }] }), actor: () => answer(42) });
  assert.equal(plain.oracle, false);
});
