// `--frontier n`: a hidden n-sample self-consistency column, run like any other but summarized only as the sampling
// frontier the shown columns are read against.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GenerateRequest } from "../../llm/backend.ts";
import { ScriptedBackend } from "../../llm/scripted-backend.ts";
import { validateRequest } from "../../protocol/contract.ts";
import { experimentCoverage } from "./checkpoint.ts";
import { buildExperimentConfig, frontierColumnName, shownColumns, summaryOptions } from "./config.ts";
import { runExperiment } from "./scheduler.ts";
import { summarize } from "./summary.ts";

// Right on items 0 and 2; on item 1, right only for seeds ≡ 1 (mod 3), so the hidden samples disagree there.
const actor = (request: GenerateRequest) => {
  const n = Number(/What is (\d+)/.exec(request.messages.find((m) => m.role === "user")!.content)?.[1] ?? 0);
  return `The answer is ${n !== 1 || request.seed % 3 === 1 ? 2 * n : 7}`;
};

test("--frontier n runs a hidden self-consistency column that draws the frontier and is no compared column", async () => {
  const scratch = mkdtempSync(join(tmpdir(), "refinery-frontier-column-"));
  const dataset = join(scratch, "tasks.jsonl");
  writeFileSync(dataset, Array.from({ length: 3 }, (_, i) => JSON.stringify({ question: `What is ${i} + ${i}?`, answer: `#### ${2 * i}` })).join("\n"));
  const pair = { actor: { path: "a" }, critic: { path: "c" } };
  const config = await buildExperimentConfig({ dataset, strategies: [{ strategy: "single-pass" }, { strategy: "self-refine" }], pairs: [pair], frontier: 4 });
  const hidden = frontierColumnName(4, pair, 1);
  assert.deepEqual(
    config.columns.map((c) => [c.name, c.strategy, c.params, c.frontierOnly]),
    [
      ["single-pass", "single-pass", undefined, undefined],
      ["self-refine", "self-refine", undefined, undefined],
      [hidden, "self-consistency", { n: 4 }, true],
    ],
  );
  assert.deepEqual(shownColumns(config), ["single-pass", "self-refine"]);
  const dir = join(scratch, "exp");
  const results = await runExperiment(dir, config, {
    deps: { backends: { actor: new ScriptedBackend(actor), critic: new ScriptedBackend(() => JSON.stringify({ critique: "ok", correct: true, score: 9 })) } },
  });
  assert.equal(results.length, 9, "the hidden column's cells run too");
  assert.equal(experimentCoverage(dir, config, results).asked, 9);
  const summary = summarize(results, shownColumns(config), undefined, summaryOptions(config));
  assert.deepEqual(
    summary.columns.map((c) => c.column),
    ["single-pass", "self-refine"],
    "not a row of the table",
  );
  assert.ok(summary.pareto.length > 0 && summary.pareto.every((p) => p.id !== hidden), "not a point of the plot");
  assert.ok(
    summary.budgetMatched.every((row) => !(hidden in row.accuracy)),
    "not a column of the budget table",
  );
  assert.deepEqual(
    summary.frontier.map((f) => [f.column, f.n, f.hidden]),
    [[hidden, 4, true]],
  );
  for (const c of summary.columns) assert.equal(c.versusFrontier?.frontierColumn, hidden, `${c.column} is read against the hidden frontier`);
  assert.match(summary.difficulty!.basis, /sampling frontier \(self-consistency, n=4\)/);
  // Items 0 and 2 always right: pass rate 1; item 1's samples are right for one seed in three.
  assert.equal(summary.difficulty!.bins.find((b) => b.label === "1")!.items, 2);
});

test("the frontier asked for is the one columns are read against, even beside a sampling column with more samples", async () => {
  const scratch = mkdtempSync(join(tmpdir(), "refinery-frontier-reference-"));
  const dataset = join(scratch, "tasks.jsonl");
  writeFileSync(dataset, Array.from({ length: 2 }, (_, i) => JSON.stringify({ question: `What is ${i} + ${i}?`, answer: `#### ${2 * i}` })).join("\n"));
  const pair = { actor: { path: "a" }, critic: { path: "c" } };
  const config = await buildExperimentConfig({
    dataset,
    strategies: [{ strategy: "self-consistency", params: { n: 5 } }, { strategy: "single-pass" }],
    pairs: [pair],
    frontier: 2,
  });
  const results = await runExperiment(join(scratch, "exp"), config, {
    deps: { backends: { actor: new ScriptedBackend(actor), critic: new ScriptedBackend(() => JSON.stringify({ critique: "ok", correct: true, score: 9 })) } },
  });
  const summary = summarize(results, shownColumns(config), undefined, summaryOptions(config));
  assert.equal(summary.frontier.length, 2, "both sampling columns draw their curves");
  assert.equal(summary.columns[1]!.versusFrontier!.frontierColumn, frontierColumnName(2, pair, 1));
});

test("the frontier's sample count is refused below 2, in the words of the form and of the CLI", () => {
  assert.deepEqual(validateRequest("startExperiment", { frontier: 1 }, "ui"), { ok: false, error: "Frontier samples: at least 2", field: "frontier" });
  assert.deepEqual(validateRequest("startExperiment", { frontier: Number.NaN }, "cli"), {
    ok: false,
    error: "--frontier: must be a number",
    field: "frontier",
  });
});
