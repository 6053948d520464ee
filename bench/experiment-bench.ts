// `npm run bench:experiment`: what concurrent items and the generation cache buy an experiment, as ratios taken
// in one run on a generated ~100M-parameter llama: GSM8K items × (single-pass, Self-Refine), actor = critic file.
//   1. items 2 at a time (parallel sequences of one context) vs one at a time, cache off on both sides
//   2. generation cache on vs off, one item at a time: Self-Refine's first draft is single-pass's generation
//   3. per-cell overhead outside generation on a model with Qwen2's 152k-token vocabulary: each cell's wall time
//      minus the wall time of its generations (from its own run log), median over cells after the first
// Writes bench/results/experiment.md and experiment.json. Options: --threads n, --items n, --model <gguf>.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { runExperiment, type ExperimentConfig } from "../native/eval/experiment.ts";
import { replayRunLog } from "../native/runs/run-log.ts";
import { runDir } from "../native/runs/paths.ts";
import { openRuntime } from "../native/llm/runtime.ts";
import { repoRoot, testModel } from "../test/support/models.ts";

const { values } = parseArgs({ options: { threads: { type: "string" }, items: { type: "string" }, model: { type: "string" } } });
// The engine's defaults unless --threads pins them (one generation on defaultThreads(), a batch on every core).
const pinnedThreads = values.threads ? Number(values.threads) : undefined;
const items = values.items ? Number(values.items) : 8;
const model = values.model ?? (await testModel("bench100M"));
const runtime = await openRuntime({ threads: pinnedThreads });
const { threads, parallelThreads } = runtime.report;
const log = (message: string) => process.stderr.write(`${message}\n`);
log(`model ${model}, ${threads} thread(s), backend ${runtime.report.active}, ${items} items`);

const models = {
  actor: { path: model, sampling: { maxTokens: 48 }, load: { contextSize: 2048 } },
  critic: { path: model, sampling: { maxTokens: 64 }, load: { contextSize: 2048 } },
};
const config: ExperimentConfig = {
  dataset: resolve(repoRoot, "../shared/data/tasks/gsm8k_test.jsonl"),
  limit: items,
  seed: 11,
  ...(pinnedThreads ? { threads: pinnedThreads } : {}),
  columns: [
    { name: "single-pass", strategy: "single-pass", ...models },
    { name: "self-refine", strategy: "self-refine", params: { maxIterations: 1, feedbackModel: "actor", feedbackFormat: "json", stopScore: 10 }, ...models },
  ],
};
const scratch = mkdtempSync(join(tmpdir(), "refinery-exp-bench-"));

async function timed(name: string, concurrency: number, cache: boolean) {
  // Fresh models each time, loaded with sequences for the concurrency (a model loaded for fewer would be reused).
  await runtime.unloadAll();
  let hits = 0;
  const started = performance.now();
  const results = await runExperiment(join(scratch, name), config, { concurrency, cache, onProgress: (p) => (hits = p.cacheHits) });
  const ms = performance.now() - started;
  const tokens = results.reduce((sum, r) => sum + r.totalTokens, 0);
  log(`${name}: ${ms.toFixed(0)} ms, ${results.length} cells, ${tokens} tokens, ${hits} cached generations`);
  return { ms, cells: results.length, tokens, hits, answers: new Map(results.map((r) => [`${r.column}#${r.item}`, `${r.answer}|${r.totalTokens}`])) };
}

// Warm-up: the first load reads the weights from disk and allocates; no timed side should pay for that.
await runExperiment(join(scratch, "warm-up"), { ...config, limit: 1, columns: [config.columns[0]!] }, { cache: false });
const sequential = await timed("sequential", 1, false);
const concurrent = await timed("concurrent-2", 2, false);
const cached = await timed("cached", 1, true);
// Whether items run side by side give the same cells as one at a time (batched decoding may round differently).
const sameCells = [...sequential.answers].filter(([key, value]) => concurrent.answers.get(key) === value).length;

// ---- 3. per-cell overhead outside generation -----------------------------------------------------------------
const large = await testModel("qwenChat");
const largeModels = {
  actor: { path: large, sampling: { maxTokens: 8 }, load: { contextSize: 2048 } },
  critic: { path: large, sampling: { maxTokens: 8 }, load: { contextSize: 2048 } },
};
const overheadConfig: ExperimentConfig = {
  ...config,
  limit: 12,
  columns: [
    { name: "single-pass", strategy: "single-pass", ...largeModels },
    {
      name: "self-refine",
      strategy: "self-refine",
      params: { maxIterations: 1, feedbackModel: "actor", feedbackFormat: "json", stopScore: 10 },
      ...largeModels,
    },
  ],
};
await runtime.unloadAll();
const overheadDir = join(scratch, "overhead");
const overheadStart = performance.now();
const overheadCells = await runExperiment(overheadDir, overheadConfig, { concurrency: 1, cache: false });
const overheadWallMs = performance.now() - overheadStart;
const perCell: { cellMs: number; generationMs: number; overheadMs: number; nodes: number }[] = [];
for (const cell of overheadCells) {
  const { state } = await replayRunLog(join(runDir(join(overheadDir, "runs"), cell.runId), "events.jsonl"));
  const generationMs = state.order.reduce((sum, id) => sum + state.nodes[id]!.wallMs, 0);
  perCell.push({ cellMs: cell.wallMs, generationMs, overheadMs: cell.wallMs - generationMs, nodes: state.order.length });
}
const later = perCell.slice(1).map((c) => c.overheadMs);
const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const cellSum = overheadCells.reduce((sum, c) => sum + c.wallMs, 0);
const perCellOverhead = {
  model: "generated qwen-chat (Qwen2 152k-token vocabulary)",
  cells: perCell.length,
  medianOverheadMs: medianOf(later),
  maxOverheadMs: Math.max(...later),
  firstCellOverheadMs: perCell[0]?.overheadMs ?? 0,
  medianGenerationMs: medianOf(perCell.slice(1).map((c) => c.generationMs)),
  /** What the scheduler adds around cells (dataset, checkpoint lines, summary), per cell. */
  outsideCellsMsPerCell: (overheadWallMs - cellSum) / Math.max(1, perCell.length),
};
log(`per-cell overhead: median ${perCellOverhead.medianOverheadMs} ms (first cell ${perCellOverhead.firstCellOverheadMs} ms, loads the model)`);

const results = {
  date: new Date().toISOString(),
  backend: runtime.report.active,
  threads,
  items,
  concurrency: { ratio: sequential.ms / concurrent.ms, sequentialMs: sequential.ms, concurrentMs: concurrent.ms, sameCells, cells: sequential.cells },
  cache: { ratio: sequential.ms / cached.ms, cachedGenerations: cached.hits, uncachedMs: sequential.ms, cachedMs: cached.ms },
  perCellOverhead,
};
const table = [
  `# Experiment benchmark (${results.date.slice(0, 10)}, ${results.backend}, ${threads} thread(s) for one generation and ${parallelThreads} for a batch, generated ~100M Q8_0 llama, ${items} GSM8K items × single-pass + Self-Refine)`,
  "",
  "| measure | ratio | detail |",
  "|---|---|---|",
  `| 2 items at a time ÷ 1 at a time (cache off) | ${results.concurrency.ratio.toFixed(2)}× faster | ${sequential.ms.toFixed(0)} ms vs ${concurrent.ms.toFixed(0)} ms for ${sequential.cells} cells; ${sameCells} of ${sequential.cells} cells identical (answer and tokens) |`,
  `| generation cache on ÷ off (1 at a time) | ${results.cache.ratio.toFixed(2)}× faster | ${cached.hits} generations replayed; ${sequential.ms.toFixed(0)} ms vs ${cached.ms.toFixed(0)} ms |`,
  "",
  `Per-cell overhead outside generation (${perCellOverhead.model}, ${perCellOverhead.cells} cells of single-pass and Self-Refine, 8 tokens per generation; target < 50 ms):`,
  "",
  "| median per cell | max | first cell (loads the model) | generation per cell (median) | scheduler, per cell |",
  "|---|---|---|---|---|",
  `| ${perCellOverhead.medianOverheadMs.toFixed(0)} ms | ${perCellOverhead.maxOverheadMs.toFixed(0)} ms | ${perCellOverhead.firstCellOverheadMs.toFixed(0)} ms | ${perCellOverhead.medianGenerationMs.toFixed(0)} ms | ${perCellOverhead.outsideCellsMsPerCell.toFixed(1)} ms |`,
  "",
].join("\n");
const dir = join(repoRoot, "bench/results");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "experiment.md"), table);
writeFileSync(join(dir, "experiment.json"), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(table);
