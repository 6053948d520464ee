// Control flow of the literature strategies on scripted backends: each test pins its card's loop — calls per
// role, the stop rule, and what enters the final pool.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { GenerateRequest } from "../llm/backend.ts";
import { latestScore } from "../protocol/state.ts";
import { holistic, isCritique, lastUser, scriptedRun, stepwise } from "../../test/support/scripted-run.ts";

const answer = (n: number | string) => `Step 1: read.\nStep 2: compute.\nThe answer is ${n}`;
const counts = (run: Awaited<ReturnType<typeof scriptedRun>>) => ({ actor: run.actor.requests.length, critic: run.critic.requests.length });
const byStep = (run: Awaited<ReturnType<typeof scriptedRun>>, step: string) => run.nodes.filter((n) => n.step === step);
const system = (r: GenerateRequest) => r.messages[0]?.content ?? "";

test("MAgICoRe: easy problems get a reward-weighted vote and no refinement", async () => {
  const run = await scriptedRun({
    strategy: "magicore",
    params: { k: 4 },
    actor: () => answer(7),
    critic: () => stepwise(["correct", "correct", "correct"], true, 9),
  });
  assert.deepEqual(counts(run), { actor: 4, critic: 4 });
  assert.match(byStep(run, "gate")[0]!.text, /^easy/);
  assert.equal(byStep(run, "reward-weighted-vote")[0]!.parents.length, 4);
  assert.equal(run.state.answer, "7");
});

test("PDR: parallel drafts, a workspace rebuilt each round (never accumulated), a single final draft", async () => {
  let summary = 0;
  const run = await scriptedRun({
    strategy: "pdr",
    params: { rounds: 3, drafts: 3 },
    actor: (r) => (system(r).startsWith("You distill") ? `SUMMARY-${++summary}` : answer(5)),
  });
  assert.deepEqual(counts(run), { actor: 3 + 1 + 3 + 1 + 1, critic: 0 });
  const distills = run.nodes.filter((n) => n.role === "distill");
  assert.equal(distills.length, 2);
  assert.equal(distills[0]!.parents.length, 3, "a distill has every draft of its round as parent");
  const round2 = byStep(run, "round-2");
  assert.ok(round2.every((n) => n.parents[0] === distills[0]!.id));
  const final = byStep(run, "round-3");
  assert.equal(final.length, 1);
  assert.equal(run.state.selectedNodeId, final[0]!.id);
  const lastPrompt = lastUser(run.actor.requests.at(-1)!);
  assert.match(lastPrompt, /SUMMARY-2/);
  assert.doesNotMatch(lastPrompt, /SUMMARY-1/, "the workspace is rebuilt, not accumulated");
  assert.ok(run.state.budgets!.selectedPathTokens < run.state.budgets!.totalTokens, "parallel drafts count once along the path");
});

test("PDR top-k keeps the critic's best drafts; the oracle workspace uses the reference and is marked", async () => {
  const scores = [2, 9, 5];
  let call = 0;
  let draft = 0;
  const run = await scriptedRun({
    strategy: "pdr",
    params: { rounds: 2, drafts: 3, workspace: "top-k", k: 1 },
    actor: () => answer(draft++),
    critic: () => holistic(true, scores[call++ % 3]!),
  });
  const distill = run.nodes.find((n) => n.role === "distill")!;
  assert.deepEqual(distill.parents, [run.nodes.filter((n) => n.role === "draft")[1]!.id]);
  let oracleDraft = 0;
  const oracle = await scriptedRun({
    strategy: "pdr",
    params: { rounds: 2, drafts: 3, workspace: "top-k", k: 1, oracle: true },
    task: { question: "q", reference: "42" },
    actor: () => answer([1, 42, 3, 9][oracleDraft++]!),
  });
  assert.equal(oracle.critic.requests.length, 0);
  const oracleDistill = oracle.nodes.find((n) => n.role === "distill")!;
  assert.equal(oracleDistill.step, "oracle-top-k");
  assert.equal(oracle.state.nodes[oracleDistill.parents[0]!]!.answer, "42");
  assert.equal(JSON.parse(readFileSync(oracle.manifestPath, "utf8")).oracle, true);
});

test("Sequential Refinement: one draft per round", async () => {
  const run = await scriptedRun({
    strategy: "sequential-refinement",
    params: { rounds: 3 },
    actor: (r) => (system(r).startsWith("You distill") ? "S" : answer(1)),
  });
  assert.deepEqual(counts(run), { actor: 5, critic: 0 });
  assert.ok(run.nodes.filter((n) => n.role === "distill").every((n) => n.parents.length === 1));
});

test("GLoRe: first error from the critic, global and local refinements, best of the three by outcome score", async () => {
  let critiques = 0;
  const run = await scriptedRun({
    strategy: "glore",
    actor: (r) =>
      /Continue from step/.test(lastUser(r)) ? "Step 2: recompute.\nThe answer is 42" : /Rewrite the whole/.test(lastUser(r)) ? answer(40) : answer(41),
    critic: () => (critiques++ === 0 ? stepwise(["correct", "wrong", "wrong"], false, 2) : holistic(true, critiques === 4 ? 9 : 3)),
  });
  assert.deepEqual(counts(run), { actor: 3, critic: 4 });
  assert.equal(run.actor.requests[0]!.temperature, 0, "the draft is greedy");
  const local = run.actor.requests.find((r) => /Continue from step 2/.test(lastUser(r)))!;
  assert.match(lastUser(local), /These first steps are correct:\nStep 1: read\./);
  assert.doesNotMatch(lastUser(local), /These first steps are correct:\nStep 1: read\.\nStep 2/);
  const outcomeOfLocal = run.critic.requests[3]!;
  assert.match(lastUser(outcomeOfLocal), /Step 1: read\.\nStep 2: recompute\./, "the local refinement is judged whole (prefix + tail)");
  const select = run.nodes.find((n) => n.role === "select")!;
  assert.equal(select.parents.length, 3);
  assert.equal(run.state.nodes[run.state.selectedNodeId!]!.step, "local");
});

test("GLoRe with Monte-Carlo rollouts locates the first prefix whose rollouts miss the majority", async () => {
  const run = await scriptedRun({
    strategy: "glore",
    params: { locate: "rollouts", rollouts: 2 },
    actor: (r) => {
      const prompt = lastUser(r);
      // Rollouts from steps 1 and 1–3 reach 5 (the majority); from steps 1–2 they reach 9.
      if (/Continue this partial solution/.test(prompt)) return /Step 2/.test(prompt) && !/The answer is/.test(prompt) ? answer(9) : answer(5);
      return answer(5);
    },
    critic: () => holistic(true, 5),
  });
  const verify = run.nodes.find((n) => n.step === "first-error")!;
  assert.match(verify.text, /after step 2/);
  assert.equal(latestScore(run.state.nodes.n1!, "verifier")!.firstErrorStep, 1);
  assert.equal(byStep(run, "rollout-step-1").length, 2);
});

test("GRA: agreeing reviewers accept at once; disagreement goes to the adjudicator; thresholds are shown", async () => {
  const accept = await scriptedRun({
    strategy: "gra",
    actor: (r) => (isCritique(r) ? JSON.stringify({ comment: "ok", score: 9 }) : answer(1)),
    critic: () => JSON.stringify({ comment: "ok", score: 8 }),
  });
  assert.deepEqual(counts(accept), { actor: 2, critic: 1 }, "reviewer 2 is the other model");
  assert.match(byStep(accept, "accept")[0]!.text, /reviewers agree \(8, 9\): all ≥ 7/);
  let adjudications = 0;
  const disagree = await scriptedRun({
    strategy: "gra",
    params: { maxAttempts: 2 },
    actor: (r) => (isCritique(r) ? JSON.stringify({ comment: "bad", score: 3 }) : answer(2)),
    critic: (r) =>
      /The reviewers disagree/.test(lastUser(r))
        ? JSON.stringify({ reasoning: "r", accept: adjudications++ > 0 })
        : JSON.stringify({ comment: "good", score: 9 }),
  });
  assert.deepEqual(
    disagree.nodes.filter((n) => n.role === "select").map((n) => n.step),
    ["reject", "accept"],
  );
  assert.match(byStep(disagree, "reject")[0]!.text, /disagree \(9, 3; accept ≥ 7, reject < 5\): adjudicator rejects/);
  assert.equal(disagree.state.nodes[disagree.state.selectedNodeId!]!.iteration, 2);
});

test("Eigen-1: solvers, correcting critics, anchored repair with references, quality-gated repair, a selector", async () => {
  const run = await scriptedRun({
    strategy: "eigen-1",
    params: { solvers: 3, threshold: 3 },
    actor: () => answer(4),
    critic: (r) => {
      const prompt = lastUser(r);
      if (/You should choose the correct response/.test(prompt)) return JSON.stringify({ verification: "v", choice: 2 });
      if (/You are an expert evaluator/.test(prompt))
        return JSON.stringify({ logic: 4, answer: /Anchor|repair/i.test(prompt) ? 1 : 5, explanation: 4, suggestion: "fix step 2" });
      return answer(4);
    },
  });
  const anchors = byStep(run, "hsr-anchor");
  assert.equal(anchors.length, 3);
  assert.ok(
    anchors.every((a) => a.parents.length === 3),
    "each anchor has the other candidates as references",
  );
  assert.equal(byStep(run, "critic-correct").length, 3);
  assert.equal(byStep(run, "selector").length, 1);
  const selector = byStep(run, "selector")[0]!;
  assert.equal(selector.parents.length, 3, "the selector sees exactly the final candidates, one per solver");
  assert.match(lastUser(run.critic.requests.at(-1)!), /Do not be influenced by the majority number of final answers/);
  assert.equal(run.state.selectedNodeId, selector.parents[1]);
});

// MCTSr's decisions are pinned in mctsr.test.ts.

const squareTask = {
  question: 'def square(x):\n    """Return x squared."""\n',
  tests: { language: "python" as const, code: "def check(f):\n    assert f(3) == 9, 'square(3) should be 9'", entryPoint: "square" },
};

test("CYCLE: runs the tests, feeds the failure back, stops when they pass", async () => {
  let attempt = 0;
  const run = await scriptedRun({
    strategy: "cycle",
    params: { feedback: "tests" },
    task: squareTask,
    actor: () => (attempt++ === 0 ? "```python\ndef square(x):\n    return x + x\n```" : "```python\ndef square(x):\n    return x * x\n```"),
  });
  assert.deepEqual(counts(run), { actor: 2, critic: 0 });
  const verifies = run.nodes.filter((n) => n.role === "verify");
  assert.deepEqual(
    verifies.map((v) => v.text.split(" ")[0]),
    ["failed", "passed"],
  );
  assert.match(lastUser(run.actor.requests[1]!), /AssertionError: square\(3\) should be 9/);
  assert.equal(run.state.correct, true);
  assert.equal(run.state.nodes[run.state.selectedNodeId!]!.role, "refine");
  await assert.rejects(
    scriptedRun({ strategy: "cycle", actor: () => "" }).then((r) => {
      if (r.state.failure) throw new Error(r.state.failure.reason);
    }),
    /cycle needs a code task with tests/,
  );
});

test("RLAC: the critic names one checkable failure, only that is verified, fixes until claims stop holding", async () => {
  let attempt = 0;
  const run = await scriptedRun({
    strategy: "rlac",
    task: squareTask,
    actor: () => (attempt++ === 0 ? "```python\ndef square(x):\n    return x + x\n```" : "```python\ndef square(x):\n    return x * x\n```"),
    critic: () => JSON.stringify({ failure: "wrong for 3", call: "square(3)", expected: "9" }),
  });
  // draft, confirmed failure → fix; then two claims that do not hold → stop (m = 2).
  assert.deepEqual(counts(run), { actor: 2, critic: 3 });
  const checks = byStep(run, "check-claim");
  assert.deepEqual(
    checks.map((c) => c.text.split(" ")[0]),
    ["failed", "passed", "passed"],
  );
  assert.equal(run.state.correct, true);
  const math = await scriptedRun({
    strategy: "rlac",
    actor: () => answer(42),
    critic: (r) =>
      /Check only this claim/.test(lastUser(r)) ? JSON.stringify({ evidence: "fine", holds: false }) : JSON.stringify({ failure: "maybe", check: "step 2" }),
  });
  assert.deepEqual(counts(math), { actor: 1, critic: 4 }, "non-code claims are checked by a separate verifier call");
});

test("pipeline chain: Best-of-N's pick is where Self-Refine starts (no new draft) and stays in its pool", async () => {
  const { presetToRun, readPreset } = await import("./pipeline.ts");
  const preset = await readPreset(new URL("../../resources/presets/best-of-n-then-self-refine.json", import.meta.url).pathname);
  const { strategy, params } = presetToRun(preset);
  const scores = [3, 9, 4, 2];
  let call = 0;
  const run = await scriptedRun({
    strategy,
    params,
    actor: () => answer(call),
    critic: () => holistic(call >= 4, scores[call++] ?? 10),
  });
  const samples = run.nodes.filter((n) => n.step === "sample");
  assert.equal(samples.length, 4);
  assert.equal(run.nodes.filter((n) => n.role === "draft").length, 4, "Self-Refine did not draft again");
  const feedback = byStep(run, "feedback");
  assert.equal(feedback[0]!.parents[0], samples[1]!.id, "Self-Refine starts from the best-scored sample");
  const finalSelect = run.nodes.filter((n) => n.role === "select").at(-1)!;
  assert.ok(finalSelect.parents.includes(samples[1]!.id));
});

test("pipeline parallel: branches side by side, the critic picks between their answers", async () => {
  const { presetToRun, readPreset } = await import("./pipeline.ts");
  const { strategy, params } = presetToRun(await readPreset(new URL("../../resources/presets/refine-or-vote.json", import.meta.url).pathname));
  let draft = 0;
  const run = await scriptedRun({ strategy, params, actor: () => answer(draft++ % 2), critic: () => holistic(true, 8) });
  assert.equal(run.state.status, "finished");
  assert.ok(
    run.nodes.some((n) => n.role === "vote"),
    "self-consistency's vote is in the tree",
  );
  assert.ok(
    run.nodes.some((n) => n.step === "critique"),
    "critic-guided's critiques are in the tree",
  );
  assert.equal(run.nodes.at(-1)!.role, "select");
});

test("pipeline specs are checked before anything runs", async () => {
  await assert.rejects(
    scriptedRun({ strategy: "pipeline", params: { spec: '{"kind":"chain","steps":[{"strategy":"best-of-n","params":{"n":0}}]}' }, actor: () => "" }),
    /N: must be a whole number from 1 to 64, got '0'/,
  );
  await assert.rejects(
    scriptedRun({ strategy: "pipeline", params: { spec: '{"kind":"chain","steps":[{"strategy":"nope"}]}' }, actor: () => "" }),
    /unknown strategy 'nope'/,
  );
  await assert.rejects(scriptedRun({ strategy: "pipeline", params: { spec: "{not json" }, actor: () => "" }), /pipeline spec is not JSON/);
});

test("every strategy has a doc page naming each of its parameters with its default", async () => {
  const { strategies } = await import("./registry.ts");
  for (const strategy of strategies) {
    const page = readFileSync(new URL(`../../docs/strategies/${strategy.name}.md`, import.meta.url), "utf8");
    for (const param of strategy.params) {
      assert.ok(
        page.includes(`| \`${param.name}\` |`) && page.includes(`\`${String(param.default)}\``),
        `${strategy.name}.md documents ${param.name} = ${String(param.default)}`,
      );
    }
    assert.match(page, /## Departures from the paper/);
  }
});
