// Ties in Best-of-N and self-consistency are drawn with the run's seed (recorded in the manifest and named in the
// select/vote node), never given to the earliest sample — which would favour the single-pass answer. Self-
// consistency on multiple-choice tasks counts option letters: "B", "(B)" and "B) thymine" are one answer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import type { GenerateRequest } from "../llm/backend.ts";
import type { Script } from "../llm/scripted-backend.ts";
import { holistic, scriptedRun } from "../../test/support/scripted-run.ts";
import { executeRun } from "../runs/runner.ts";
import { ScriptedBackend } from "../llm/scripted-backend.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { answerKey } from "../grading/checkers.ts";
import { breakTie } from "./tie-break.ts";

const answer = (n: number | string) => `Step 1: think.\nStep 2: compute.\nThe answer is ${n}`;

async function runWithSeed(strategy: string, params: Record<string, unknown>, seed: number, actor: () => Script, critic: () => Script) {
  const result = await executeRun(
    {
      strategy,
      params,
      actor: { path: "a" },
      critic: { path: "c" },
      task: { question: "What is 6 * 7?", reference: "42" },
      seed,
      outDir: mkdtempSync(join(tmpdir(), "refinery-ties-")),
      parallel: false,
    },
    { backends: { actor: new ScriptedBackend(actor()), critic: new ScriptedBackend(critic()) } },
  );
  return result;
}

test("breakTie is reproducible for a seed and spreads over the tied candidates across seeds", () => {
  assert.equal(breakTie(["a", "b", "c"], 7, "x"), breakTie(["a", "b", "c"], 7, "x"));
  const picks = new Set([...Array(40).keys()].map((seed) => breakTie(["a", "b", "c"], seed, "x")));
  assert.deepEqual([...picks].sort(), ["a", "b", "c"]);
});

test("Best-of-N: a tie is drawn with the run's seed, the same pick for the same seed, and not always the first sample", async () => {
  const scores = () => {
    let call = 0;
    return () => holistic(true, [9, 3, 9, 9][call++ % 4]!);
  };
  const answers = () => {
    let call = 0;
    return () => answer(++call);
  };
  const winners = new Set<string>();
  for (let seed = 0; seed < 12; seed++) {
    const result = await runWithSeed("best-of-n", { n: 4 }, seed, answers, scores);
    const again = await runWithSeed("best-of-n", { n: 4 }, seed, answers, scores);
    assert.equal(result.state.answer, again.state.answer, `seed ${seed} picks the same sample twice`);
    assert.notEqual(result.state.answer, "2", "the 3 never wins");
    winners.add(result.state.answer!);
    const select = result.state.nodes[result.state.order.at(-1)!]!;
    assert.match(select.text, new RegExp(`drawn at random with the run's seed ${seed}$`));
    assert.equal(JSON.parse(readFileSync(result.manifestPath, "utf8")).seed, seed, "the seed that broke the tie is in the manifest");
  }
  assert.ok(winners.size >= 2, `ties went to ${[...winners].join(", ")} only`);
});

test("self-consistency: a 2–2 tie between answers is drawn with the seed, not given to the first sample's answer", async () => {
  const winners = new Set<string>();
  for (let seed = 0; seed < 12; seed++) {
    const result = await runWithSeed(
      "self-consistency",
      { n: 4 },
      seed,
      () => {
        let call = 0;
        return () => answer([5, 7, 7, 5][call++]!);
      },
      () => () => "",
    );
    winners.add(result.state.answer!);
    assert.match(result.state.nodes[result.state.order.at(-1)!]!.text, /tie between 5, 7: \d drawn at random with the run's seed/);
  }
  assert.deepEqual([...winners].sort(), ["5", "7"]);
});

test("self-consistency on a multiple-choice task votes on option letters", async () => {
  const task = { question: "Which base pairs with adenine in DNA?", choices: ["cytosine", "thymine", "guanine", "uracil"], reference: "B" };
  assert.deepEqual(
    ["B", "(B)", "B) thymine", "thymine", "b."].map((a) => answerKey(task, a)),
    ["B", "B", "B", "B", "B"],
  );
  const stated = ["(B)", "C", "B) thymine", "C", "thymine"];
  let call = 0;
  const run = await scriptedRun({
    strategy: "self-consistency",
    params: { n: 5 },
    task,
    actor: (_r: GenerateRequest) => `Reasoning.\nThe answer is ${stated[call++]}`,
  });
  const vote = run.nodes.find((n) => n.role === "vote")!;
  assert.equal(vote.answer, "B");
  assert.match(vote.text, /^B: 3\/5\nC: 2\/5$/);
  assert.equal(run.state.correct, true, "three spellings of B outvote two Cs (by strings, C would win 2 to 1)");
});
