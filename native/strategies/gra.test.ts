// GRA (2025; no public pipeline code): reviewers are independent judges — the paper uses several different small
// models — so each has its own model role, temperature and seed; when nothing is accepted the proposal with the
// best mean review wins (not whichever judge happened to speak last).
import { test } from "node:test";
import assert from "node:assert/strict";
import { isCritique, lastUser, scriptedRun } from "../../test/support/scripted-run.ts";

const answer = (n: number) => `Step 1: read.\nStep 2: compute.\nThe answer is ${n}`;
const review = (score: number) => JSON.stringify({ comment: "c", score });

test("GRA reviewers differ: their own model, temperature and seed; the gate names each", async () => {
  const run = await scriptedRun({ strategy: "gra", actor: (r) => (isCritique(r) ? review(9) : answer(1)), critic: () => review(8) });
  const [first] = run.critic.requests.filter((r) => /As a reviewer/.test(lastUser(r)));
  const [second] = run.actor.requests.filter((r) => /As a reviewer/.test(lastUser(r)));
  assert.equal(first!.temperature, 0);
  assert.equal(second!.temperature, 0.7);
  assert.notEqual(first!.seed, second!.seed);
  assert.match(run.nodes.find((n) => n.step === "accept")!.text, /reviewer 1 \(critic, T=0\): 8; reviewer 2 \(actor, T=0\.7\): 9/);
  assert.equal(run.state.stopReason, "accepted");

  const one = await scriptedRun({
    strategy: "gra",
    params: { reviewers: 3, reviewerModels: "critic", reviewerTemperatures: "0.2,0.9" },
    actor: () => answer(1),
    critic: () => review(8),
  });
  const reviews = one.critic.requests.filter((r) => /As a reviewer/.test(lastUser(r)));
  assert.deepEqual(
    reviews.map((r) => r.temperature),
    [0.2, 0.9, 0.2],
  );
  assert.equal(new Set(reviews.map((r) => r.seed)).size, 3);
  await assert.rejects(
    scriptedRun({ strategy: "gra", params: { reviewerModels: "critic,judge" }, actor: () => "" }),
    /'reviewerModels' of gra lists critic or actor/,
  );
});

test("GRA: nothing accepted → the best mean review wins, not the latest judge's score", async () => {
  // Attempt 1: reviews 9 and 2 disagree, the adjudicator rejects (its 0 is the proposal's latest score); mean 5.5.
  // Attempt 2: reviews 4 and 4 agree to reject; mean 4. The mean ranks attempt 1 first; the latest score would not.
  let attempt = 0;
  const critic = [9, 4];
  const actor = [2, 4];
  let criticReview = 0;
  let actorReview = 0;
  const run = await scriptedRun({
    strategy: "gra",
    params: { maxAttempts: 2 },
    actor: (r) => (isCritique(r) ? review(actor[actorReview++]!) : answer(++attempt)),
    critic: (r) => (/The reviewers disagree/.test(lastUser(r)) ? JSON.stringify({ reasoning: "r", accept: false }) : review(critic[criticReview++]!)),
  });
  assert.deepEqual(
    run.nodes.filter((n) => n.role === "select").map((n) => n.step),
    ["reject", "reject", "mean-review"],
  );
  const fallback = run.nodes.find((n) => n.step === "mean-review")!;
  assert.match(fallback.text, /mean review 5\.50[\s\S]*mean review 4\.00/);
  assert.equal(run.state.answer, "1");
  assert.equal(run.state.stopReason, "max-iterations", "every attempt was rejected");
});
