// Experiments on scripted backends: checkpointing, resume equal to an uninterrupted run, summaries.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScriptedBackend } from "../llm/scripted-backend.ts";
import { readResults, runExperiment, summarize, type ExperimentConfig } from "./experiment.ts";

const scratch = mkdtempSync(join(tmpdir(), "refinery-exp-"));
const dataset = join(scratch, "tasks.jsonl");
writeFileSync(dataset, Array.from({ length: 6 }, (_, i) => JSON.stringify({ question: `What is ${i} + ${i}?`, answer: `#### ${2 * i}` })).join("\n"));

// The actor answers right on even items; its self-consistency samples drift with the sample index.
const backends = () => ({
  actor: new ScriptedBackend((request) => {
    const n = Number(/What is (\d+)/.exec(request.messages.at(-1)!.content)?.[1] ?? 0);
    const sample = request.seed % 3;
    return `Step 1\nThe answer is ${n % 2 === 0 ? 2 * n : 2 * n + (sample === 0 ? 1 : 0)}`;
  }),
  critic: new ScriptedBackend(() => JSON.stringify({ critique: "ok", correct: true, score: 8 })),
});

const config: ExperimentConfig = {
  dataset,
  columns: [
    { name: "single", strategy: "single-pass", actor: { path: "a" }, critic: { path: "c" } },
    { name: "sc", strategy: "self-consistency", params: { n: 3 }, actor: { path: "a" }, critic: { path: "c" } },
  ],
  seed: 5,
};

test("a resumed experiment produces the same results as an uninterrupted one, and never redoes a finished cell", async () => {
  const whole = join(scratch, "whole");
  const full = await runExperiment(whole, config, { deps: { backends: backends() } });
  assert.equal(full.length, 12);

  const resumed = join(scratch, "resumed");
  const controller = new AbortController();
  let progressCalls = 0;
  await runExperiment(resumed, config, { deps: { backends: backends() }, signal: controller.signal, onProgress: (p) => ++progressCalls === 5 && controller.abort() });
  assert.equal(readResults(resumed).length, 5, "stopped after five cells");
  const seen: number[] = [];
  const after = await runExperiment(resumed, config, { deps: { backends: backends() }, onProgress: (p) => seen.push(p.done) });
  assert.deepEqual(seen, [6, 7, 8, 9, 10, 11, 12], "only the remaining cells ran");
  const strip = (rows: typeof full) => rows.map(({ wallMs: _w, ...rest }) => rest).sort((a, b) => a.runId.localeCompare(b.runId));
  assert.deepEqual(strip(after), strip(full));
  await assert.rejects(runExperiment(resumed, { ...config, seed: 6 }, { deps: { backends: backends() } }), /holds a different experiment/);
});

test("the summary pairs columns on the same items against the baseline", async () => {
  const results = readResults(join(scratch, "whole"));
  const summary = summarize(results, ["single", "sc"]);
  const [single, sc] = summary.columns;
  assert.equal(single!.items, 6);
  assert.ok(single!.accuracy >= 0.5 && single!.accuracy <= 1);
  assert.equal(single!.versusBaseline, null);
  assert.equal(sc!.versusBaseline!.items, 6);
  assert.equal(sc!.versusBaseline!.wins + sc!.versusBaseline!.ties + sc!.versusBaseline!.losses, 6);
  assert.ok(single!.interval[0] <= single!.accuracy && single!.accuracy <= single!.interval[1]);
  assert.ok(sc!.transitions !== null);
  assert.ok(summary.pareto.length >= 1);
});
