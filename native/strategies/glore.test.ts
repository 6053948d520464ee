// GLoRe's final choice: the best outcome score of {draft, global, local}; a tie among them is drawn with the run's
// seed (the paper's reranker has no tie rule; Refinery's argmax rule everywhere), never given to one position.
import { test } from "node:test";
import assert from "node:assert/strict";
import { holistic, lastUser, scriptedRun, stepwise } from "../../test/support/scripted-run.ts";

const answer = (n: number) => `Step 1: read.\nStep 2: compute.\nThe answer is ${n}`;

function gloreRun(outcomes: number[], seed = 1) {
  let critiques = 0;
  return scriptedRun({
    strategy: "glore",
    seed,
    actor: (r) =>
      /Continue from step/.test(lastUser(r)) ? "Step 2: recompute.\nThe answer is 42" : /Rewrite the whole/.test(lastUser(r)) ? answer(40) : answer(41),
    critic: () => (critiques++ === 0 ? stepwise(["correct", "wrong"], false, 2) : holistic(true, outcomes[critiques - 2]!)),
  });
}

test("GLoRe returns the best outcome of draft, global and local, whichever position it holds", async () => {
  assert.equal((await gloreRun([9, 3, 3])).state.answer, "41", "the draft");
  assert.equal((await gloreRun([3, 9, 3])).state.answer, "40", "the global refinement");
  assert.equal((await gloreRun([3, 3, 9])).state.answer, "42", "the local refinement");
});

test("GLoRe: a three-way tie in outcome score is drawn with the run's seed, reproducibly, over all three", async () => {
  const winners = new Set<string>();
  for (let seed = 0; seed < 16; seed++) {
    const run = await gloreRun([7, 7, 7], seed);
    assert.equal((await gloreRun([7, 7, 7], seed)).state.answer, run.state.answer, `seed ${seed} draws the same answer twice`);
    assert.match(run.nodes.find((n) => n.role === "select")!.text, new RegExp(`drawn at random with the run's seed ${seed}$`));
    winners.add(run.state.answer!);
  }
  assert.deepEqual([...winners].sort(), ["40", "41", "42"]);
});
