// Control flow of each strategy on scripted backends: calls per role, stop rule, and the final pool.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { holistic, isCritique, lastUser, scriptedRun, stepwise } from "../../test/support/scripted-run.ts";
import { latestScore } from "../protocol/state.ts";

const answer = (n: number | string) => `Step 1: think.\nStep 2: compute.\nThe answer is ${n}`;
const counts = (run: Awaited<ReturnType<typeof scriptedRun>>) => ({ actor: run.actor.requests.length, critic: run.critic.requests.length });

test("single pass: one draft, no critique, the draft is selected", async () => {
  const run = await scriptedRun({ strategy: "single-pass", actor: () => answer(42) });
  assert.deepEqual(counts(run), { actor: 1, critic: 0 });
  assert.equal(run.state.status, "finished");
  assert.equal(run.state.selectedNodeId, "n1");
  assert.equal(run.state.answer, "42");
  assert.equal(run.state.correct, true);
  assert.equal(run.state.budgets!.totalTokens, run.state.budgets!.selectedPathTokens);
});

test("self-refine: same model gives feedback; refines with the whole history until the iterations run out", async () => {
  let drafts = 0;
  const run = await scriptedRun({
    strategy: "self-refine",
    params: { maxIterations: 3, feedbackFormat: "json" },
    actor: (request) => (isCritique(request) ? holistic(false, 3) : answer(40 + drafts++)),
  });
  // draft + 3 refinements, and feedback on each of the 4 versions, all from the actor
  assert.deepEqual(counts(run), { actor: 8, critic: 0 });
  const refines = run.actor.requests.filter((r) => !isCritique(r)).slice(1);
  assert.deepEqual(
    refines.map((r) => r.messages.length),
    [4, 6, 8],
    "each refinement sees every earlier (answer, feedback) pair",
  );
  assert.ok(
    refines.every((r) => r.lane === refines[0]!.lane),
    "refinements continue the solver's sequence",
  );
  assert.match(lastUser(refines[0]!), /Feedback on your previous answer:[\s\S]*Step 2 is wrong/);
  const candidates = run.nodes.filter((n) => n.role === "draft" || n.role === "refine");
  assert.equal(candidates.length, 4);
  const select = run.nodes.find((n) => n.role === "select")!;
  assert.deepEqual(
    select.parents,
    candidates.map((c) => c.id),
    "the unrefined draft stays in the final pool",
  );
  assert.match(
    select.text,
    /^tie between n1, n3, n5, n7: n\d drawn at random with the run's seed 1$/m,
    "equal scores: drawn with the run's seed, as every argmax",
  );
  const refine = candidates[1]!;
  assert.equal(refine.parents.length, 2, "a refinement descends from the answer and the feedback");
  assert.equal(run.state.nodes[refine.parents[1]!]!.role, "critique");
});

test("self-refine stops when the feedback says the answer is fine", async () => {
  let feedback = 0;
  const run = await scriptedRun({
    strategy: "self-refine",
    params: { feedbackFormat: "json" },
    actor: (request) => (isCritique(request) ? (feedback++ === 0 ? holistic(false, 4) : holistic(true, 10)) : answer(42)),
  });
  assert.deepEqual(counts(run), { actor: 4, critic: 0 }); // draft, feedback, refine, feedback(fine)
  assert.equal(run.state.nodes[run.state.selectedNodeId!]!.role, "refine");
});

test("self-refine keeps a better draft over a damaging refinement", async () => {
  let feedback = 0;
  const run = await scriptedRun({
    strategy: "self-refine",
    params: { maxIterations: 1, stopScore: 10, feedbackFormat: "json" },
    actor: (request) => (isCritique(request) ? (feedback++ === 0 ? holistic(true, 8) : holistic(false, 2)) : answer(42)),
  });
  assert.equal(run.state.selectedNodeId, "n1");
});

test("critic-guided (Critic-V): stateless critic, actor revises in its own conversation, stops when correct", async () => {
  let critiques = 0;
  const run = await scriptedRun({
    strategy: "critic-guided",
    params: { revisions: 3 },
    actor: (request) => (request.messages.length > 2 ? answer(42) : answer(41)),
    critic: () => (critiques++ === 0 ? holistic(false, 2, "6*7 is not 41") : holistic(true, 9)),
  });
  assert.deepEqual(counts(run), { actor: 2, critic: 2 });
  assert.ok(
    run.critic.requests.every((r) => r.messages.length === 2),
    "the critic sees only the question and the latest answer",
  );
  assert.match(lastUser(run.actor.requests[1]!), /^Reflection on former answer: /);
  assert.equal(run.state.answer, "42");
});

test("critic-guided with the card's default: one critique, one revision, the revision checked for selection", async () => {
  const run = await scriptedRun({ strategy: "critic-guided", actor: () => answer(1), critic: () => holistic(false, 1) });
  assert.deepEqual(counts(run), { actor: 2, critic: 2 });
  assert.equal(run.nodes.filter((n) => n.role === "refine").length, 1);
});

test("best-of-n: scores every sample with the critic, argmax wins, ties are drawn with the run's seed", async () => {
  const scores = [3, 9, 9, 1];
  let call = 0;
  const run = await scriptedRun({ strategy: "best-of-n", params: { n: 4 }, actor: () => answer(call), critic: () => holistic(true, scores[call++]!) });
  assert.deepEqual(counts(run), { actor: 4, critic: 4 });
  const samples = run.nodes.filter((n) => n.role === "draft");
  assert.ok([samples[1]!.id, samples[2]!.id].includes(run.state.selectedNodeId!));
  assert.match(run.nodes.find((n) => n.role === "select")!.text, /tie between .*drawn at random with the run's seed 1/);
  assert.equal(run.nodes.find((n) => n.role === "select")!.parents.length, 4);
  assert.ok(run.actor.requests.every((r) => r.temperature === 0.8));
});

test("best-of-n's selection rule: the score alone picks ✗ 7/10 over ✓ 6/10; verdict-then-score picks a ✓ 6/10", async () => {
  const verdicts: Array<[boolean, number]> = [
    [true, 6],
    [false, 7],
    [true, 6],
    [true, 6],
  ];
  const pick = async (params: Record<string, unknown>) => {
    let call = 0;
    let critiqued = 0;
    const run = await scriptedRun({
      strategy: "best-of-n",
      params: { n: 4, ...params },
      actor: () => answer(40 + call++),
      critic: () => holistic(...verdicts[critiqued++]!),
    });
    const chosen = run.state.nodes[run.state.selectedNodeId!]!;
    return { chosen, score: latestScore(chosen, "critic")!, select: run.nodes.find((n) => n.role === "select")! };
  };
  const byScore = await pick({});
  assert.deepEqual([byScore.score.value, byScore.score.verdict], [7, "incorrect"], "the papers' argmax: the score alone decides");
  assert.equal(byScore.select.step, "argmax-score");
  assert.match(byScore.select.text, /^rule: the highest critic score \(argmax, as DSPy's BestOfN and the papers\); the verdict does not count$/m);
  assert.match(byScore.select.text, /^n\d+: 7 ✗$/m);
  const byVerdict = await pick({ selectBy: "verdict-then-score" });
  assert.deepEqual([byVerdict.score.value, byVerdict.score.verdict], [6, "correct"], "a ✓ beats a higher-scored ✗");
  assert.equal(byVerdict.select.step, "verdict-then-score");
  assert.match(byVerdict.select.text, /^rule: the critic's verdict first \(✓ before no verdict before ✗\), then the highest critic score$/m);
  assert.match(byVerdict.select.text, /tie between .*drawn at random with the run's seed 1$/, "three ✓ 6/10 tie, drawn with the seed");
  await assert.rejects(
    scriptedRun({ strategy: "best-of-n", params: { selectBy: "verdict" }, actor: () => "" }),
    /must be one of score, verdict-then-score, got 'verdict'/,
  );
});

test("best-of-n with a threshold stops sampling early", async () => {
  const scores = [3, 9, 10, 10];
  let call = 0;
  const run = await scriptedRun({
    strategy: "best-of-n",
    params: { n: 4, threshold: 8 },
    actor: () => answer(1),
    critic: () => holistic(true, scores[call++]!),
  });
  assert.deepEqual(counts(run), { actor: 2, critic: 2 });
  assert.equal(run.state.stopReason, "accepted", "a sample reached the threshold");
});

test("self-consistency: majority vote over extracted answers, a vote node with every sample as parent", async () => {
  const answers = [1, 2, 2, 3, 2];
  let call = 0;
  const run = await scriptedRun({ strategy: "self-consistency", params: { n: 5 }, actor: () => answer(answers[call++]!) });
  assert.deepEqual(counts(run), { actor: 5, critic: 0 });
  const vote = run.nodes.find((n) => n.role === "vote")!;
  assert.equal(vote.parents.length, 5);
  assert.equal(run.state.answer, "2");
  assert.equal(run.state.selectedNodeId, vote.parents[1]);
  assert.equal(latestScore(run.state.nodes[vote.parents[1]!]!, "vote")!.value, 3 / 5);
});

test("step-critique: per-step verdicts and first error, refine from the critique, vote over every version", async () => {
  let critiques = 0;
  const run = await scriptedRun({
    strategy: "step-critique",
    params: { rounds: 3, earlyStop: true, draftVotes: true },
    task: { question: "What is 6 * 7?" },
    actor: (request) => (request.messages.length > 2 ? answer(42) : answer(41)),
    critic: () => (critiques++ === 0 ? stepwise(["correct", "wrong", "wrong"], false, 3) : stepwise(["correct", "correct", "correct"], true, 9)),
  });
  assert.deepEqual(counts(run), { actor: 2, critic: 2 });
  const draftScore = latestScore(run.state.nodes.n1!, "critic")!;
  assert.equal(draftScore.firstErrorStep, 1);
  assert.deepEqual(
    draftScore.steps!.map((s) => s.verdict),
    ["correct", "wrong", "wrong"],
  );
  assert.match(lastUser(run.actor.requests[1]!), /Step sentence: Step 2: compute\.\nCorrectness of the step: Wrong/);
  const schema = run.critic.requests[0]!.jsonSchema as { properties: { steps: { maxItems: number } } };
  assert.equal(schema.properties.steps.maxItems, 3, "the critic judges exactly the candidate's steps");
  const vote = run.nodes.find((n) => n.role === "vote")!;
  assert.equal(vote.parents.length, 2, "draft and refinement both vote");
});

test("step-critique oracle mode skips critiquing answers that match the reference", async () => {
  const run = await scriptedRun({ strategy: "step-critique", params: { oracle: true }, actor: () => answer(42), critic: () => stepwise(["wrong"], false, 0) });
  assert.deepEqual(counts(run), { actor: 1, critic: 0 });
  const manifest = JSON.parse((await import("node:fs")).readFileSync(run.manifestPath, "utf8"));
  assert.equal(manifest.oracle, true);
});

test("an unparseable verdict is recorded as such and the run goes on", async () => {
  const run = await scriptedRun({ strategy: "best-of-n", params: { n: 2 }, actor: () => answer(5), critic: () => '{"critique": "cut sho' });
  assert.equal(run.state.status, "finished");
  const score = latestScore(run.state.nodes.n1!, "critic")!;
  assert.equal(score.verdict, "unparseable");
  assert.equal(score.value, null);
});

test("the token budget gate stops refinement early", async () => {
  const run = await scriptedRun({
    strategy: "self-refine",
    params: { maxIterations: 10, feedbackFormat: "json" },
    maxTotalTokens: 60,
    actor: (request) => (isCritique(request) ? holistic(false, 1) : answer(1)),
  });
  assert.ok(run.nodes.filter((n) => n.role === "refine").length < 10);
  assert.equal(run.state.status, "finished");
});

test("cancelling marks the node in flight aborted and ends the run cancelled, manifest included", async () => {
  const controller = new AbortController();
  const run = await scriptedRun({
    strategy: "self-refine",
    params: { feedbackFormat: "json" },
    actor: (request) => {
      if (isCritique(request)) controller.abort();
      return isCritique(request) ? holistic(false, 1) : answer(1);
    },
    signal: controller.signal,
  });
  assert.equal(run.state.status, "cancelled");
  assert.equal(run.state.failure!.code, "cancelled");
  assert.equal(run.nodes.at(-1)!.status, "aborted");
  assert.equal(JSON.parse(readFileSync(run.manifestPath, "utf8")).status, "cancelled");
});

test("unknown strategies and parameters are rejected before anything runs", async () => {
  await assert.rejects(scriptedRun({ strategy: "nope", actor: () => "" }), /unknown strategy 'nope'/);
  await assert.rejects(scriptedRun({ strategy: "best-of-n", params: { m: 3 }, actor: () => "" }), /unknown parameter 'm'/);
  await assert.rejects(scriptedRun({ strategy: "best-of-n", params: { n: "x" }, actor: () => "" }), /N: must be a whole number from 1 to \d+, got 'x'/);
  await assert.rejects(scriptedRun({ strategy: "single-pass", task: { question: "  " }, actor: () => "" }), /task is empty/);
});
