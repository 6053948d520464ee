// Critic evaluation modes on scripted critics, with the metrics worked out by hand, and on the real data files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { ScriptedBackend } from "../llm/scripted-backend.ts";
import { stepwise } from "../../test/support/scripted-run.ts";
import { evaluateProcessBench, evaluateRealCritic, readProcessBench, readRealCritic } from "./critic-eval.ts";

const sampling = { temperature: 0, maxTokens: 400 };
const shared = resolve(import.meta.dirname, "../../../shared/data");

test("ProcessBench: accuracy on erroneous and on correct items, and their harmonic mean", async () => {
  const items = [
    { id: "a", problem: "p", steps: ["s1", "s2", "s3"], label: 1 },
    { id: "b", problem: "p", steps: ["s1", "s2", "s3"], label: 2 },
    { id: "c", problem: "p", steps: ["s1", "s2"], label: -1 },
    { id: "d", problem: "p", steps: ["s1", "s2"], label: -1 },
  ];
  // The critic always blames step 2: right on a, wrong on b, wrong on c; d gets an unreadable verdict.
  let call = 0;
  const critic = new ScriptedBackend((request) =>
    ++call === 4 ? "{broken" : stepwise(request.messages[1]!.content.includes("Step 3") ? ["correct", "wrong", "correct"] : ["correct", "wrong"], false, 3),
  );
  const result = await evaluateProcessBench(items, critic, sampling);
  assert.deepEqual(
    result.rows.map((r) => r.predicted),
    [1, 1, 1, null],
  );
  assert.equal(result.erroneousAccuracy, 0.5);
  assert.equal(result.correctAccuracy, 0);
  assert.equal(result.f1, 0);
  assert.equal(result.unparseable, 1);
});

test("RealCritic closed loop: kept answers, corrected answers, and the transition matrix", async () => {
  const items = [
    { question: "q1", solution: "…", solutionAnswer: "5", reference: "5" },
    { question: "q2", solution: "…", solutionAnswer: "4", reference: "7" },
    { question: "q3", solution: "…", solutionAnswer: "9", reference: "9" },
  ];
  const replies = [
    { critique: "fine", correct: true, correctedAnswer: "5", score: 9 },
    { critique: "wrong", correct: false, correctedAnswer: "7", score: 2 },
    { critique: "wrong", correct: false, correctedAnswer: "8", score: 2 },
  ];
  let call = 0;
  const result = await evaluateRealCritic(items, new ScriptedBackend(() => JSON.stringify(replies[call++])), sampling);
  assert.deepEqual(
    result.rows.map((r) => r.finalAnswer),
    ["5", "7", "8"],
  );
  assert.deepEqual(
    [result.transitions.correctToCorrect, result.transitions.correctToWrong, result.transitions.wrongToCorrect, result.transitions.wrongToWrong],
    [1, 1, 1, 0],
  );
  assert.ok(Math.abs(result.accuracyBefore - 2 / 3) < 1e-12);
  assert.ok(Math.abs(result.accuracyAfter - 2 / 3) < 1e-12);
});

test("the shipped ProcessBench and RealCritic files are read as such; other files are refused clearly", async () => {
  const pb = await readProcessBench(resolve(shared, "processbench/gsm8k.json"), 5);
  assert.equal(pb.length, 5);
  assert.ok(pb.every((i) => i.steps.length > 0 && i.label >= -1));
  const rc = await readRealCritic(resolve(shared, "realcritic/gsm8k.jsonl"), 3);
  assert.equal(rc[0]!.reference, "540");
  await assert.rejects(readProcessBench(resolve(shared, "realcritic/gsm8k.jsonl"), 1), /not a ProcessBench item/);
  await assert.rejects(readRealCritic(resolve(shared, "nope.jsonl")), /dataset not found/);
});

test("RealCritic's ARC items compare option letters; evaluations report progress and stop when cancelled", async () => {
  const [arc] = await readRealCritic(resolve(shared, "realcritic/arc-challenge.jsonl"), 1);
  assert.deepEqual(arc!.choices, ["uracil", "thymine", "guanine", "adenine"]);
  // The stored solution says D; a critic correcting it to "(C) guanine" fixes it.
  const fixer = new ScriptedBackend(() => JSON.stringify({ critique: "C pairs with G", correct: false, correctedAnswer: "(C) guanine", score: 2 }));
  const progress: number[] = [];
  const result = await evaluateRealCritic([arc!, arc!], fixer, sampling, { onProgress: (done) => progress.push(done) });
  assert.deepEqual(
    result.rows.map((r) => [r.before, r.after]),
    [
      [false, true],
      [false, true],
    ],
  );
  assert.deepEqual(progress, [1, 2]);
  const controller = new AbortController();
  const slow = new ScriptedBackend(() => {
    controller.abort();
    return JSON.stringify({ critique: "x", correct: true, correctedAnswer: "D", score: 5 });
  });
  await assert.rejects(evaluateRealCritic([arc!, arc!], slow, sampling, { signal: controller.signal }), /abort/i);
});

test("ProcessBench verifier scaling (verifyK): per-step majority of the first k verdicts, F1 and tokens for each k from one run", async () => {
  const items = [
    { id: "a", problem: "p", steps: ["s1", "s2", "s3"], label: 1 },
    { id: "b", problem: "p", steps: ["s1", "s2"], label: -1 },
  ];
  // a: the first verdict blames step 3, the next two step 2; b: only the second verdict blames step 1.
  const outputs = [
    stepwise(["correct", "correct", "wrong"], false, 3),
    stepwise(["correct", "wrong", "correct"], false, 3),
    stepwise(["correct", "wrong", "correct"], false, 3),
    stepwise(["correct", "correct"], true, 9),
    stepwise(["wrong", "correct"], false, 3),
    stepwise(["correct", "correct"], true, 9),
  ];
  const critic = new ScriptedBackend((_request, call) => outputs[call]!);
  const result = await evaluateProcessBench(items, critic, { temperature: 0.7, maxTokens: 400 }, 0, { verifyK: 3 });
  assert.deepEqual(
    result.rows.map((r) => r.predicted),
    [1, -1],
    "three verdicts: the majority finds a's error at step 2 and none in b",
  );
  assert.equal(result.f1, 1);
  // k = 1: a is judged wrong (step 3), b right → F1 0. k = 2: a 1-1 tie on step 2 counts as an error found (right),
  // b's tie on step 1 too (wrong) → F1 0. k = 3: both right → F1 1.
  assert.deepEqual(
    result.scaling!.map((p) => [p.k, p.f1]),
    [
      [1, 0],
      [2, 0],
      [3, 1],
    ],
  );
  const words = (text: string) => (text.match(/\S+/g) ?? []).length;
  const perItem = (k: number) => (words(outputs.slice(0, k).join(" ")) + words(outputs.slice(3, 3 + k).join(" "))) / 2;
  assert.deepEqual(
    result.scaling!.map((p) => p.tokensPerItem),
    [perItem(1), perItem(2), perItem(3)],
  );
  // Each verification has its own seed.
  assert.equal(new Set(critic.requests.map((r) => r.seed)).size, 6);
});

test("ProcessBench verifyK > 1 at temperature 0 is refused: the verifications would be one verdict repeated", async () => {
  await assert.rejects(
    evaluateProcessBench([{ id: "a", problem: "p", steps: ["s1"], label: -1 }], new ScriptedBackend(() => "{}"), sampling, 0, { verifyK: 4 }),
    /verifyK = 4 needs a critic temperature above 0/,
  );
});
