// An experiment gives MAgICoRE the dataset-wide reward statistics refine.py uses (mean and std of each
// problem's first sample's reward), from a one-sample pre-pass whose generations the cells replay from the cache.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GenerateRequest } from "../../llm/backend.ts";
import { ScriptedBackend } from "../../llm/scripted-backend.ts";
import { replayRunLog } from "../../runs/run-log.ts";
import { runExperiment, type ExperimentConfig } from "../experiment.ts";

const scratch = mkdtempSync(join(tmpdir(), "refinery-prepass-"));
const dataset = join(scratch, "tasks.jsonl");
writeFileSync(dataset, [1, 2, 3].map((i) => JSON.stringify({ question: `What is ${i} + ${i}?`, answer: `#### ${2 * i}` })).join("\n"));

// Each item's samples answer 2i; the critic's scores depend on the item: overall 2i+2 of 10, every step 5i of 10
// (capped), so the first sample's reward is (2i+2)/10 + Π(step/10): 0.4 + 0.25 = 0.65, 0.6 + 1 = 1.6, 0.8 + 1 = 1.8.
const item = (r: GenerateRequest) => Number(/What is (\d+)/.exec(r.messages.map((m) => m.content).join("\n"))?.[1] ?? 0);
const backends = () => ({
  actor: new ScriptedBackend((r) => `Step 1: add.\nThe answer is ${2 * item(r)}`),
  critic: new ScriptedBackend((r) => {
    const i = item(r);
    return JSON.stringify({
      steps: [0, 1].map(() => ({ why: "w", verdict: "correct", score: Math.min(10, 5 * i) })),
      critique: "c",
      finalCorrect: true,
      score: 2 * i + 2,
    });
  }),
});

test("a MAgICoRe column gets the dataset's first-sample reward mean and std, recorded and replayed, in every cell", async () => {
  const dir = join(scratch, "exp");
  const config: ExperimentConfig = {
    dataset,
    columns: [{ name: "magicore", strategy: "magicore", params: { k: 2 }, actor: { path: "a" }, critic: { path: "c" } }],
    seed: 3,
  };
  const counted = backends();
  const results = await runExperiment(dir, config, { deps: { backends: counted } });
  const rewards = [0.65, 1.6, 1.8];
  const mean = rewards.reduce((a, b) => a + b, 0) / 3;
  const std = Math.sqrt(rewards.reduce((s, r) => s + (r - mean) ** 2, 0) / 3);
  const saved = JSON.parse(readFileSync(join(dir, "prepass.json"), "utf8")).magicore;
  assert.ok(Math.abs(saved.rewardMean - mean) < 1e-9 && Math.abs(saved.rewardStd - std) < 1e-9, JSON.stringify(saved));
  for (const result of results) {
    const manifest = JSON.parse(readFileSync(join(dir, "runs", result.runId, "manifest.json"), "utf8"));
    assert.equal(manifest.params.rewardStd, saved.rewardStd, "the cell ran with the dataset statistics");
    const { state } = await replayRunLog(join(dir, "runs", result.runId, "events.jsonl"));
    const gate = Object.values(state.nodes).find((n) => n.step === "gate")!;
    assert.match(gate.text, /dataset mean 1\.350, std 0\.502/);
    assert.equal(result.cachedGenerations, 2, "the first sample and its score come from the pre-pass");
  }
  // 3 items × (pre-pass: 1 sample + 1 score; cell: 2 samples + 2 scores, 1 + 1 of them replayed).
  assert.equal(counted.actor.requests.length + counted.critic.requests.length, 3 * 2 + 3 * 2);
  // Resumed or rerun on the same folder, the saved statistics are used as they are.
  const again = backends();
  await runExperiment(dir, config, { deps: { backends: again } });
  assert.equal(again.actor.requests.length + again.critic.requests.length, 0);
});

test("given statistics (rewardStd > 0) skip the pre-pass", async () => {
  const dir = join(scratch, "given");
  const config: ExperimentConfig = {
    dataset,
    columns: [{ name: "m", strategy: "magicore", params: { k: 2, rewardMean: 1, rewardStd: 0.2 }, actor: { path: "a" }, critic: { path: "c" } }],
    seed: 3,
  };
  const counted = backends();
  const results = await runExperiment(dir, config, { deps: { backends: counted } });
  assert.equal(counted.actor.requests.length, 3 * 2);
  assert.equal(
    results.every((r) => !r.cachedGenerations),
    true,
  );
});

test("under a matched sampling policy the pre-pass samples as its cells do, so they still replay its generations", async () => {
  const dir = join(scratch, "matched");
  const config: ExperimentConfig = {
    dataset,
    columns: [{ name: "magicore", strategy: "magicore", params: { k: 2 }, actor: { path: "a" }, critic: { path: "c" } }],
    seed: 3,
    sampling: { kind: "matched", actorTemperature: 0.3 },
  };
  const counted = backends();
  const results = await runExperiment(dir, config, { deps: { backends: counted } });
  assert.ok(counted.actor.requests.every((r) => r.temperature === 0.3));
  for (const result of results) assert.equal(result.cachedGenerations, 2, "the first sample and its score come from the pre-pass");
});
