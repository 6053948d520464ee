// Step-critique's decisions, worked out from WooooDyy/MathCritique: selfimprove/evaluate-all.sh runs every MV
// round (critic.py, then inference.py --mode new) on every answer with no early stop, and test_filter.py's
// majority_vote counts each record's refined response (new_response) — the unrefined draft does not vote — and
// keeps the first answer seen on a tie (records are written round by round: the earliest round wins).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { GenerateRequest } from "../llm/backend.ts";
import { latestScore } from "../protocol/state.ts";
import { lastUser, scriptedRun, stepwise } from "../../test/support/scripted-run.ts";

const answer = (n: number | string) => `Step 1: read.\nStep 2: compute.\nThe answer is ${n}`;
/** 0 for the draft, t for the t-th refinement, in a single chain: the actor's t-th call. */
const round = (_r: GenerateRequest, call: number) => call;
const task = { question: "What is 6 * 7?" };

test("step-critique (repo default): every round critiques and refines, the vote is over refinements, so the fix wins", async () => {
  const run = await scriptedRun({
    strategy: "step-critique",
    params: { rounds: 3 },
    task,
    actor: (r, call) => answer(round(r, call) === 0 ? 41 : 42),
    // Wrong draft; every later version approved — the repo still critiques and refines each round.
    critic: (r) =>
      /The answer is 41/.test(lastUser(r)) ? stepwise(["correct", "wrong", "wrong"], false, 3) : stepwise(["correct", "correct", "correct"], true, 9),
  });
  assert.equal(run.actor.requests.length, 4, "draft + 3 refinements (rounds = 3, no early stop)");
  assert.equal(run.state.stopReason, "max-iterations", "every round ran");
  assert.equal(run.critic.requests.length, 3);
  assert.ok(
    run.actor.requests.every((r) => r.temperature === 0),
    "drafts and refinements are greedy, as evaluate-all.sh runs them",
  );
  const vote = run.nodes.find((n) => n.role === "vote")!;
  assert.equal(vote.parents.length, 3, "only the refinements vote");
  assert.ok(!vote.parents.includes("n1"), "the draft does not vote");
  assert.equal(run.state.answer, "42");
  // The first refinement reads the step critique: the wrong step, its explanation, and the whole conversation.
  const firstRefine = run.actor.requests[1]!;
  // critic.py's format: every step repeated with its correctness and explanation, then the final answer's.
  assert.match(
    lastUser(firstRefine),
    /Step sentence: Step 1: read\.\nCorrectness of the step: Correct\nExplanation: step 1 correct\n\nStep sentence: Step 2: compute\.\nCorrectness of the step: Wrong\nExplanation: step 2 wrong/,
  );
  assert.match(lastUser(firstRefine), /Correctness of the final answer: Wrong\nExplanation: fix the wrong step/);
  assert.match(lastUser(firstRefine), /use it as a reference to provide a new detailed, step-by-step solution/);
  assert.equal(firstRefine.messages[2]!.content, answer(41), "the draft is the assistant turn the critique refers to");
  // inference.py: the refiner sees the question, the latest answer and its critique, never the earlier rounds.
  const refines = run.actor.requests.slice(1);
  assert.deepEqual(
    refines.map((r) => r.messages.length),
    [4, 4, 4],
  );
  assert.equal(refines[2]!.messages[2]!.content, answer(42), "the third refinement refines the second");
  assert.ok(
    refines.every((r) => !r.messages.some((m) => m.content === answer(41)) || r === refines[0]),
    "the draft is gone after round 1",
  );
});

test("step-critique's default is evaluate-all.sh's single round: one critique, one refinement, which is the answer", async () => {
  const run = await scriptedRun({
    strategy: "step-critique",
    task,
    actor: (r, call) => answer(40 + round(r, call)),
    critic: () => stepwise(["correct", "wrong"], false, 2),
  });
  assert.deepEqual({ actor: run.actor.requests.length, critic: run.critic.requests.length }, { actor: 2, critic: 1 });
  assert.equal(run.state.answer, "41");
});

function twoRounds(voteTies?: string) {
  return scriptedRun({
    strategy: "step-critique",
    params: { rounds: 2, ...(voteTies ? { voteTies } : {}) },
    task,
    actor: (r, call) => answer([41, 42, 43][round(r, call)]!),
    critic: () => stepwise(["correct", "wrong"], false, 2),
  });
}

test("step-critique: a tie between refinements goes to the earliest round (the repo's first answer seen)", async () => {
  const run = await twoRounds();
  const vote = run.nodes.find((n) => n.role === "vote")!;
  assert.deepEqual(
    vote.parents.map((id) => run.state.nodes[id]!.answer),
    ["42", "43"],
  );
  assert.equal(run.state.answer, "42");
  assert.equal(run.state.nodes[run.state.selectedNodeId!]!.iteration, 1);
  assert.match(vote.text, /2 answers tie; broken by earliest round, then the run's seed/);
});

test("step-critique with voteTies=latest: the tie goes to the latest refinement instead", async () => {
  const run = await twoRounds("latest");
  assert.equal(run.state.answer, "43");
  assert.match(run.nodes.find((n) => n.role === "vote")!.text, /2 answers tie; broken by latest refinement, then critic score/);
});

test("step-critique options: early stop and drafts in the vote; with voteTies=latest the 1:1 tie goes to the accepted fix", async () => {
  const run = await scriptedRun({
    strategy: "step-critique",
    params: { rounds: 3, earlyStop: true, draftVotes: true, voteTies: "latest" },
    task,
    actor: (r, call) => answer(round(r, call) === 0 ? 41 : 42),
    critic: (r) =>
      /The answer is 41/.test(lastUser(r)) ? stepwise(["correct", "wrong", "wrong"], false, 3) : stepwise(["correct", "correct", "correct"], true, 9),
  });
  assert.deepEqual({ actor: run.actor.requests.length, critic: run.critic.requests.length }, { actor: 2, critic: 2 }, "stops once the critic accepts");
  assert.equal(run.state.stopReason, "accepted");
  const vote = run.nodes.find((n) => n.role === "vote")!;
  assert.equal(vote.parents.length, 2, "draft and refinement vote");
  assert.equal(run.state.answer, "42", "the refinement is the later version");
});

test("step-critique with voteTies=latest: parallel chains tied at the same round are separated by the critic's score, not by chain order", async () => {
  let draft = 0;
  const run = await scriptedRun({
    strategy: "step-critique",
    params: { samples: 2, earlyStop: true, voteTies: "latest" },
    task,
    actor: () => answer([5, 6][draft++]!),
    // Both drafts accepted at once (no refinement); the second chain's draft scores higher.
    critic: (r) => stepwise(["correct", "correct", "correct"], true, /The answer is 5/.test(lastUser(r)) ? 6 : 9),
  });
  const vote = run.nodes.find((n) => n.role === "vote")!;
  assert.equal(vote.parents.length, 2, "a chain that never refined votes with its draft");
  assert.equal(latestScore(run.state.nodes[vote.parents[1]!]!, "critic")!.value, 9);
  assert.equal(run.state.answer, "6");
});

test("step-critique: chains tied in the same round are drawn with the run's seed, not given to the first chain", async () => {
  const winners = new Set<string>();
  for (let seed = 0; seed < 12; seed++) {
    let draft = 0;
    const run = await scriptedRun({
      strategy: "step-critique",
      params: { samples: 2, temperature: 0.7 },
      task,
      seed,
      actor: (r) => (r.messages.length > 2 ? answer(r.messages[2]!.content === answer(5) ? 50 : 60) : answer([5, 6][draft++]!)),
      critic: () => stepwise(["correct", "wrong"], false, 2),
    });
    winners.add(run.state.answer!);
  }
  assert.deepEqual([...winners].sort(), ["50", "60"]);
});

test("step-critique on a multiple-choice task votes on option letters, as every vote does", async () => {
  const mc = { question: "Which base pairs with adenine in DNA?", choices: ["cytosine", "thymine", "guanine", "uracil"], reference: "B" };
  let draft = 0;
  const stated = ["(B) thymine", "C", "B"];
  const run = await scriptedRun({
    strategy: "step-critique",
    params: { samples: 3, temperature: 0.7 },
    task: mc,
    actor: (r) =>
      r.messages.length > 2
        ? `Reasoning.\nThe answer is ${stated[Number(/Chain (\d)/.exec(r.messages[2]!.content)![1])]}`
        : `Chain ${draft++}: reasoning.\nThe answer is A`,
    critic: () => stepwise(["correct", "wrong"], false, 2),
  });
  const vote = run.nodes.find((n) => n.role === "vote")!;
  assert.match(vote.text, /^B: 2\/3\nC: 1\/3$/);
  assert.equal(run.state.answer, "B");
  assert.equal(run.state.correct, true);
});

test("step-critique with early stop is accepted only when every chain's answer was passed; one chain out of rounds is max iterations", async () => {
  const approve = (r: GenerateRequest) =>
    /The answer is 42/.test(lastUser(r)) ? stepwise(["correct", "correct", "correct"], true, 9) : stepwise(["correct", "wrong", "wrong"], false, 3);
  const mixed = await scriptedRun({
    strategy: "step-critique",
    params: { samples: 2, rounds: 1, earlyStop: true },
    task,
    // Chain 0 is right from its draft; chain 1 stays wrong through its one refinement.
    actor: (r) => answer(r.lane === "chain-0" ? 42 : 41),
    critic: approve,
  });
  assert.equal(mixed.state.stopReason, "max-iterations");
  const allPassed = await scriptedRun({
    strategy: "step-critique",
    params: { samples: 2, rounds: 1, earlyStop: true },
    task,
    actor: () => answer(42),
    critic: approve,
  });
  assert.equal(allPassed.state.stopReason, "accepted");
});
