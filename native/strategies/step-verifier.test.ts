// verifyK (SPARK's verifier self-consistency): k independent stepwise verdicts, a per-step majority (a tie is an
// error found), the step's score the mean of the k scores; the search then reads the combined verdict.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScriptedBackend } from "../llm/scripted-backend.ts";
import { executeRun } from "../runs/runner.ts";
import { stepMajority } from "./step-verifier.ts";

const step = (verdict: "correct" | "wrong", score: number, index = 0) => ({ index, verdict, score });

test("per-step majority: more than half must call a step correct; scores are averaged", () => {
  const { steps, agreement } = stepMajority([
    [step("correct", 9), step("correct", 8, 1)],
    [step("correct", 7), step("wrong", 2, 1)],
  ]);
  assert.deepEqual(agreement, [2, 1]);
  assert.equal(steps[0]!.verdict, "correct");
  assert.equal(steps[1]!.verdict, "wrong", "one of two is a tie: half the verifiers found an error");
  assert.equal(steps[0]!.score, 8);
  assert.equal(steps[1]!.score, 5);
});

// Sample 0 answers 7, sample 1 answers 5; three verdicts each, (verdict, score) per step.
const verdicts: Array<Array<[string, number]>> = [
  [
    ["correct", 9],
    ["correct", 9],
  ],
  [
    ["correct", 9],
    ["wrong", 1],
  ],
  [
    ["correct", 9],
    ["wrong", 1],
  ],
  [
    ["correct", 6],
    ["correct", 6],
  ],
  [
    ["correct", 6],
    ["correct", 6],
  ],
  [
    ["correct", 6],
    ["wrong", 0],
  ],
];

const run = (verifyK: number, criticTemperature: number) =>
  executeRun(
    {
      strategy: "weighted-best-of-n",
      params: { n: 2, verifyK },
      actor: { path: "a" },
      critic: { path: "c", sampling: { temperature: criticTemperature } },
      task: { question: "What is 6 * 7?", reference: "42" },
      seed: 1,
      outDir: mkdtempSync(join(tmpdir(), "refinery-verifyk-")),
      parallel: false,
    },
    {
      backends: {
        actor: new ScriptedBackend((_r, call) => `Work s${call}.\nThe answer is ${call === 0 ? 7 : 5}`),
        critic: new ScriptedBackend((_r, call) =>
          JSON.stringify({ steps: verdicts[call]!.map(([verdict, score]) => ({ why: "", verdict, score })), finalCorrect: true, score: 5, critique: "" }),
        ),
      },
    },
  );

test("verifyK = 3: the majority verdict, not the first or the last, decides the weighted vote", async () => {
  const result = await run(3, 0.7);
  const nodes = result.state.order.map((id) => result.state.nodes[id]!);
  assert.equal(nodes.filter((n) => n.step === "verify").length, 6, "three verifications per sample");
  const majority = nodes.filter((n) => n.step === "step-majority");
  assert.equal(majority.length, 2);
  assert.match(majority[0]!.text, /step 2: 1\/3 correct, mean score 3\.67/);
  // Last step by mean: 7 gets 0.367, 5 gets 0.4; the first verdicts alone would give 7 (0.9 against 0.6).
  assert.equal(result.state.nodes[result.state.selectedNodeId!]!.answer, "5");
  const sevens = nodes.find((n) => n.step === "sample" && n.answer === "7")!;
  const combined = sevens.scores.filter((s) => s.source === "critic").at(-1)!;
  assert.equal(combined.firstErrorStep, 1);
  assert.equal(combined.byNodeId, majority[0]!.id);
});

test("verifyK = 1 is the single verdict", async () => {
  const result = await run(1, 0.7);
  assert.equal(result.state.nodes[result.state.selectedNodeId!]!.answer, "7");
});

test("verifyK > 1 at critic temperature 0 is refused: the verdicts would be one verdict repeated", async () => {
  const result = await run(3, 0);
  assert.equal(result.state.status, "failed");
  assert.match(result.state.failure!.reason, /Verify k = 3 needs a critic temperature above 0/);
});
