// The sampling frontier through node-llama-cpp on generated models: a self-consistency column, Self-Refine and
// Best-of-N on a few items with two repeats; the summary carries the frontier and each column against it, every
// cell says why it stopped and what sampling it used, and the report draws the curves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { columnsFor, runExperiment, summarize, type ExperimentConfig } from "../../native/eval/experiment.ts";
import { htmlReport } from "../../native/eval/report.ts";
import { testModel } from "../support/models.ts";

test("a sampling column's frontier and the other columns against it, from a real experiment", async () => {
  const [actor, critic] = [await testModel("tinyChat"), await testModel("tinyCritic")];
  const scratch = mkdtempSync(join(tmpdir(), "refinery-frontier-e2e-"));
  const dataset = join(scratch, "items.jsonl");
  writeFileSync(dataset, Array.from({ length: 3 }, (_, i) => JSON.stringify({ question: `What is ${i} + 2?`, answer: `#### ${i + 2}` })).join("\n"));
  const config: ExperimentConfig = {
    dataset,
    columns: columnsFor(
      [
        { name: "sc", strategy: "self-consistency", params: { n: 3 } },
        { name: "self-refine", strategy: "self-refine", params: { maxIterations: 1, feedbackFormat: "json" } },
        { name: "bon", strategy: "best-of-n", params: { n: 2 } },
      ],
      [{ actor: { path: actor, sampling: { maxTokens: 8 } }, critic: { path: critic, sampling: { maxTokens: 48 } } }],
    ),
    seed: 2,
    repeats: 2,
    threads: 1,
    sampling: { kind: "matched", actorTemperature: 0.5 },
  };
  const dir = join(scratch, "exp");
  const results = await runExperiment(dir, config, { concurrency: 1 });
  assert.equal(results.length, 18, "3 items × 3 columns × 2 repeats");
  assert.equal(new Set(results.map((r) => r.runId)).size, 18, "a run folder per cell");
  for (const r of results) {
    const manifest = JSON.parse(readFileSync(join(dir, "runs", r.runId, "manifest.json"), "utf8")) as { seed: number };
    assert.equal(manifest.seed, 2 + r.item + (r.repeat ?? 0), `${r.runId} ran with seed + item + repeat`);
  }
  assert.ok(results.every((r) => r.stopReason !== undefined && r.sampling?.policy === "matched"));
  assert.ok(
    results.every((r) => r.sampling!.actor.temperatures.every((t) => t === 0.5)),
    "matched: every actor generation at 0.5",
  );
  const summary = summarize(
    results,
    config.columns.map((c) => c.name),
    "sc",
    { repeats: 2 },
  );
  assert.equal(summary.repeats, 2);
  for (const c of summary.columns) {
    assert.equal(c.items, 3, "items, each over its two repeats");
    assert.ok(Array.isArray(c.flaky), "flaky items are listed (possibly none)");
    assert.ok(c.interval[0] <= c.accuracy && c.accuracy <= c.interval[1], `${c.column}: the clustered interval holds the accuracy`);
    if (c.column !== "sc") assert.equal(c.versusBaseline!.perRepeat!.differences.length, 2, "a difference per seed");
  }
  assert.deepEqual(
    summary.frontier.map((f) => [f.column, f.n, f.points.length]),
    [
      ["sc", 3, 3],
      ["bon", 2, 2],
    ],
  );
  // Random weights: the critic may leave every sample unscored; best-of-k comes exactly when some sample was scored.
  const bonScored = results.some((r) => r.column === "bon" && r.trajectory!.some((p) => p.score !== null));
  assert.ok(summary.frontier[1]!.points.every((p) => (p.bestOfKAtK !== undefined) === bonScored));
  assert.ok(
    summary.frontier[0]!.points.every((p) => p.bestOfKAtK === undefined),
    "self-consistency's samples are not scored",
  );
  const refine = summary.columns.find((c) => c.column === "self-refine")!;
  assert.equal(refine.versusFrontier!.frontierColumn, "sc");
  assert.ok(Number.isFinite(refine.versusFrontier!.frontierAccuracy));
  assert.ok(summary.difficulty!.basis.includes("sc"));
  const html = htmlReport(config, summary, results);
  assert.match(html, /sc pass@k \(oracle\)/);
  assert.match(html, /Against sampling at the same budget/);
});
