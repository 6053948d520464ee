// RLAC at test time (Wu et al. 2025, arXiv:2511.01758): the critic names one checkable failure per pass, a
// validator checks only that claim. Claims are sampled (a seed per pass), and a code claim is checked against
// the task's own expectation when the task's examples show that call.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lastUser, scriptedRun } from "../../test/support/scripted-run.ts";

const answer = (n: number) => `Step 1: read.\nStep 2: compute.\nThe answer is ${n}`;
const squareTask = {
  question: 'def square(x):\n    """Return x squared.\n    >>> square(3)\n    9\n    """\n',
  tests: { language: "python" as const, code: "def check(f):\n    assert f(4) == 16", entryPoint: "square" },
};
const correct = "```python\ndef square(x):\n    return x * x\n```";

test("RLAC samples each pass's claim with its own seed, not greedy repeats of one claim", async () => {
  const run = await scriptedRun({
    strategy: "rlac",
    actor: () => answer(42),
    critic: (r) =>
      /Check only this claim/.test(lastUser(r)) ? JSON.stringify({ evidence: "fine", holds: false }) : JSON.stringify({ failure: "maybe", check: "step 2" }),
  });
  const claims = run.critic.requests.filter((r) => /Name the single most likely error/.test(lastUser(r)));
  assert.equal(claims.length, 2, "m = 2 unconfirmed claims stop the loop");
  assert.ok(claims.every((r) => r.temperature === 0.8));
  assert.notEqual(claims[0]!.seed, claims[1]!.seed);
  assert.equal(run.state.selectedNodeId, "n1");
});

test("RLAC code claim on a call the task's examples show is judged by the task's expectation, not the critic's", async () => {
  // The critic wrongly expects square(3) == 10; the docstring says 9, so the claim does not hold and nothing is "fixed".
  const run = await scriptedRun({
    strategy: "rlac",
    task: squareTask,
    actor: () => correct,
    critic: () => JSON.stringify({ failure: "off by one", call: "square( 3 )", expected: "10" }),
  });
  assert.equal(run.actor.requests.length, 1, "no fix of a correct function");
  const checks = run.nodes.filter((n) => n.step === "check-claim");
  assert.equal(checks.length, 2);
  assert.ok(checks.every((c) => /^passed/.test(c.text) && /expectation from the task's own example \(>>> square\(3\) → 9\)/.test(c.text)));
  assert.equal(run.state.correct, true);
});

test("RLAC says so when a critic-written expectation 'confirms' a failure of correct code", async () => {
  const run = await scriptedRun({
    strategy: "rlac",
    params: { maxIterations: 1 },
    task: squareTask,
    actor: () => correct,
    critic: () => JSON.stringify({ failure: "wrong for 2", call: "square(2)", expected: "5" }),
  });
  const check = run.nodes.find((n) => n.step === "check-claim")!;
  assert.match(check.text, /^failed/);
  assert.match(check.text, /expectation written by the critic, not taken from the task: a failed check may be the critic's mistake/);
  assert.match(check.text, /square\(2\) returned 4; the critic expected 5/);
  assert.match(lastUser(run.actor.requests[1]!), /square\(2\) returned 4; the critic expected 5/);
});

test("RLAC: an expected value that does not evaluate confirms nothing", async () => {
  const run = await scriptedRun({
    strategy: "rlac",
    task: squareTask,
    actor: () => correct,
    critic: () => JSON.stringify({ failure: "?", call: "square(2)", expected: "four" }),
  });
  assert.equal(run.actor.requests.length, 1);
  assert.match(run.nodes.find((n) => n.step === "check-claim")!.text, /CLAIM-UNCHECKABLE: the critic's expected value does not evaluate \(NameError/);
});

/** A math run whose verifier answers `holds` in turn; the actor's n-th answer states 40 + n. */
function rlacRun(holds: boolean[], params: Record<string, unknown> = {}) {
  let written = 0;
  let checked = 0;
  return scriptedRun({
    strategy: "rlac",
    params,
    actor: () => answer(40 + written++),
    critic: (r) =>
      /Check only this claim/.test(lastUser(r))
        ? JSON.stringify({ evidence: "seen", holds: holds[checked++] ?? false })
        : JSON.stringify({ failure: "step 2", check: "recompute step 2" }),
  });
}

test("RLAC: a confirmed failure resets the count of unconfirmed claims (m = 2 counts consecutive ones)", async () => {
  // unconfirmed (1), confirmed → fix (0), unconfirmed (1), unconfirmed (2): stop after four claims.
  const run = await rlacRun([false, true, false, false], { maxIterations: 8 });
  assert.deepEqual(
    run.nodes.filter((n) => n.step === "failure-mode" || n.step === "fix").map((n) => n.step),
    ["failure-mode", "failure-mode", "fix", "failure-mode", "failure-mode"],
  );
  assert.equal(run.state.answer, "41", "the fix, whose two claims did not hold up");
  assert.equal(run.state.stopReason, "accepted", "two claims in a row did not hold up");
});

test("RLAC never returns a candidate whose failure was confirmed: the draft and the first fix failed, the second fix survives", async () => {
  const run = await rlacRun([true, true, false, false], { maxIterations: 8 });
  const candidates = run.nodes.filter((n) => n.role === "draft" || n.role === "refine");
  assert.deepEqual(
    candidates.map((n) => n.answer),
    ["40", "41", "42"],
  );
  assert.equal(run.state.selectedNodeId, candidates[2]!.id);
  assert.notEqual(run.state.answer, "40");
  assert.notEqual(run.state.answer, "41");
});
