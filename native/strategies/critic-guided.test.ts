// Critic-guided's decisions: every answer it wrote (the draft included) is critiqued, the best-scored one is
// returned — not the last, which the paper returns and a wrong loop would too — and a tie in score is drawn with the
// run's seed, as every argmax in Refinery.
import { test } from "node:test";
import assert from "node:assert/strict";
import { holistic, scriptedRun } from "../../test/support/scripted-run.ts";

const answer = (n: number) => `Step 1: read.\nStep 2: compute.\nThe answer is ${n}`;

function criticGuidedRun(scores: number[], seed = 1) {
  let drafted = 0;
  let judged = 0;
  return scriptedRun({
    strategy: "critic-guided",
    params: { revisions: scores.length - 1 },
    seed,
    actor: () => answer(40 + drafted++),
    critic: () => holistic(false, scores[judged++]!),
  });
}

test("critic-guided returns the best-scored answer: the draft over two worse revisions, a middle revision over the last", async () => {
  const draftBest = await criticGuidedRun([8, 3, 5]);
  assert.deepEqual(
    draftBest.nodes.filter((n) => n.role === "draft" || n.role === "refine").map((n) => n.answer),
    ["40", "41", "42"],
  );
  assert.equal(draftBest.state.answer, "40", "the draft (8) beats revisions scored 3 and 5");
  const middleBest = await criticGuidedRun([2, 9, 4]);
  assert.equal(middleBest.state.answer, "41", "the first revision (9) beats the draft (2) and the last (4)");
});

test("critic-guided: a tie in score is drawn with the run's seed, the same for the same seed, not always one position", async () => {
  const winners = new Set<string>();
  for (let seed = 0; seed < 12; seed++) {
    const run = await criticGuidedRun([6, 6], seed);
    const again = await criticGuidedRun([6, 6], seed);
    assert.equal(run.state.answer, again.state.answer, `seed ${seed} draws the same answer twice`);
    const select = run.nodes.find((n) => n.role === "select")!;
    assert.match(select.text, new RegExp(`^tie between n1, n3: n[13] drawn at random with the run's seed ${seed}$`, "m"));
    winners.add(run.state.answer!);
  }
  assert.deepEqual([...winners].sort(), ["40", "41"], "ties went to both the draft and the revision");
});
