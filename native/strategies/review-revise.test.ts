// Review → revise (CycleResearcher): how many reviews each round asks for and with what form, the meta-review's mean
// and threshold (a mean exactly at the threshold accepts), the revision from the meta-review, and the pick when
// nothing is accepted (the draft stays in the pool; a tie is drawn with the run's seed).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { GenerateRequest } from "../llm/backend.ts";
import { lastUser, scriptedRun } from "../../test/support/scripted-run.ts";
import { metaDecision, reviewerSystem, reviewSchema } from "./review-revise.ts";
import { breakTie } from "./tie-break.ts";

const review = (rating: number, weaknesses = `weakness at ${rating}`) =>
  JSON.stringify({
    strengths: `strength at ${rating}`,
    weaknesses,
    soundness: 3,
    presentation: 2,
    contribution: 3,
    rating,
    decision: rating >= 6 ? "accept" : "reject",
  });

/** A critic that rates the k-th review of the run with ratings[k]. */
function ratingsInOrder(ratings: number[]) {
  let k = 0;
  return (_r: GenerateRequest) => review(ratings[k++]!);
}

test("each round asks the set number of reviewers for CycleReviewer's form; a mean at the threshold accepts the draft", async () => {
  const run = await scriptedRun({
    strategy: "review-revise",
    params: { reviewers: 3, acceptRating: 6 },
    actor: () => "The answer is 42",
    critic: ratingsInOrder([5, 6, 7]),
  });
  assert.equal(run.critic.requests.length, 3, "three reviews, one call each");
  for (const request of run.critic.requests) {
    assert.deepEqual(request.jsonSchema, reviewSchema);
    assert.equal(request.temperature, 0.4, "CycleReviewer's sampling temperature");
    assert.equal(request.messages[0]!.content, reviewerSystem);
    assert.match(lastUser(request), /Submission:\nThe answer is 42/);
  }
  assert.equal(run.actor.requests.length, 1, "accepted at once: no revision");
  const meta = run.nodes.find((n) => n.step === "meta-review")!;
  assert.match(meta.text, /mean rating 6\.00 of 3 reviews; accept/);
  assert.equal(run.state.stopReason, "accepted");
  assert.equal(run.state.selectedNodeId, run.nodes[0]!.id);
});

test("below the threshold the actor revises from the meta-review, and the next round's mean decides", async () => {
  let versions = 0;
  const run = await scriptedRun({
    strategy: "review-revise",
    params: { reviewers: 2, acceptRating: 6 },
    actor: () => `version ${versions++}\nThe answer is 42`,
    critic: ratingsInOrder([5, 6, 6, 7]),
  });
  assert.equal(run.critic.requests.length, 4, "two rounds of two reviews");
  const revision = run.actor.requests[1]!;
  assert.match(lastUser(revision), /mean rating 5\.50 of 2 reviews; reject \(accept at a mean of 6 or more\)/);
  assert.match(lastUser(revision), /Weaknesses: weakness at 5[\s\S]*Weaknesses: weakness at 6/);
  assert.equal(revision.messages.find((m) => m.role === "assistant")!.content, "version 0\nThe answer is 42");
  assert.match(lastUser(run.critic.requests[2]!), /Submission:\nversion 1/, "the second round reviews the revision");
  assert.equal(run.state.stopReason, "accepted");
  assert.equal(run.nodes.find((n) => n.id === run.state.selectedNodeId)!.text, "version 1\nThe answer is 42");
});

test("out of rounds, the best mean rating wins and the draft stays in the pool", async () => {
  let versions = 0;
  const run = await scriptedRun({
    strategy: "review-revise",
    params: { reviewers: 2, maxRounds: 2 },
    actor: () => `version ${versions++}`,
    // draft 5, first revision 4, second revision 3: every revision is worse.
    critic: ratingsInOrder([5, 5, 4, 4, 3, 3]),
  });
  assert.equal(run.actor.requests.length, 3, "a draft and two revisions");
  assert.equal(run.critic.requests.length, 6, "the last revision is reviewed too, to be compared");
  assert.equal(run.state.stopReason, "max-iterations");
  assert.equal(run.nodes.find((n) => n.id === run.state.selectedNodeId)!.text, "version 0");
});

test("equal best means are a tie drawn with the run's seed, not the earliest version", async () => {
  const winners = new Set<string>();
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    let versions = 0;
    const run = await scriptedRun({
      strategy: "review-revise",
      params: { reviewers: 1, maxRounds: 1 },
      seed,
      actor: () => `version ${versions++}`,
      critic: ratingsInOrder([4, 4]),
    });
    const candidates = run.nodes.filter((n) => n.role === "draft" || n.role === "refine").map((n) => n.id);
    assert.equal(run.state.selectedNodeId, breakTie(candidates, seed, `review-revise:${candidates.join(",")}`));
    assert.match(run.nodes.find((n) => n.step === "best-rated")!.text, /tie between/);
    winners.add(run.nodes.find((n) => n.id === run.state.selectedNodeId)!.text);
  }
  assert.deepEqual([...winners].sort(), ["version 0", "version 1"], "the seed picks either version");
});

test("an unreadable review leaves the mean to the readable ones; none readable never accepts", async () => {
  assert.deepEqual(metaDecision([8, null, 4], 6), { mean: 6, accept: true });
  assert.deepEqual(metaDecision([5.99], 6), { mean: 5.99, accept: false });
  assert.deepEqual(metaDecision([null, null], 1), { mean: null, accept: false });
  const run = await scriptedRun({
    strategy: "review-revise",
    params: { reviewers: 2, maxRounds: 0 },
    actor: () => "draft",
    critic: (() => {
      let k = 0;
      return () => (k++ === 0 ? "not json at all" : review(7));
    })(),
  });
  assert.equal(run.state.stopReason, "accepted", "one readable 7 of two reviews: mean 7");
  assert.match(run.nodes.find((n) => n.step === "meta-review")!.text, /Reviewer 1: unreadable review/);
});

test("reviewerModel=actor reviews with the actor and never calls the critic", async () => {
  const run = await scriptedRun({
    strategy: "review-revise",
    params: { reviewers: 2, reviewerModel: "actor" },
    actor: (r) => (r.jsonSchema ? review(9) : "draft"),
    critic: () => {
      throw new Error("the critic is not a reviewer here");
    },
  });
  assert.equal(run.actor.requests.filter((r) => r.jsonSchema).length, 2);
  assert.equal(run.state.stopReason, "accepted");
});
