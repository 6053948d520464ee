// The sampling frontier through node-llama-cpp on generated models: a self-consistency column, Self-Refine and
// Best-of-N on a few items; the summary carries the frontier and each column against it, every cell says why it
// stopped and what sampling it used, and the report draws the curves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
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
    threads: 1,
    sampling: { kind: "matched", actorTemperature: 0.5 },
  };
  const results = await runExperiment(join(scratch, "exp"), config, { concurrency: 1 });
  assert.equal(results.length, 9);
  assert.ok(results.every((r) => r.stopReason !== undefined && r.sampling?.policy === "matched"));
  assert.ok(
    results.every((r) => r.sampling!.actor.temperatures.every((t) => t === 0.5)),
    "matched: every actor generation at 0.5",
  );
  const summary = summarize(
    results,
    config.columns.map((c) => c.name),
  );
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
