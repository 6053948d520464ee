// `npm run bench:summary`: what the compare view's poll costs the engine on a synthetic experiment of 1,000 items
// × 12 columns, measured in one run: loadExperiment when nothing changed (answered from the cache kept per
// results.jsonl version), after one more cell (the summary worked out again, bootstrap of paired differences
// included), against recomputing everything on every poll as before (bootstrap intervals for every accuracy).
// Writes bench/results/summary.md and summary.json. Options: --items n, --columns n, --polls n.
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { ExperimentConfig } from "../native/eval/experiment.ts";
import { breakdownByField, loadExperimentDataset, readResults, summarize, type CellResult } from "../native/eval/experiment.ts";
import { bootstrapInterval } from "../native/eval/stats.ts";
import { EngineService } from "../native/engine/service.ts";
import { mulberry32 } from "../native/util/random.ts";
import { repoRoot } from "../test/support/models.ts";

const { values } = parseArgs({ options: { items: { type: "string" }, columns: { type: "string" }, polls: { type: "string" } } });
const items = Number(values.items ?? 1000);
const columnCount = Number(values.columns ?? 12);
const polls = Number(values.polls ?? 50);

const dir = mkdtempSync(join(tmpdir(), "refinery-summary-bench-"));
const experiment = join(dir, "experiment");
mkdirSync(experiment);
const random = mulberry32(3);
const dataset = join(dir, "items.jsonl");
writeFileSync(
  dataset,
  Array.from({ length: items }, (_, i) =>
    JSON.stringify({
      id: `q${i}`,
      question: `What is ${i} + 1?`,
      answer: String(i + 1),
      level: String(1 + (i % 5)),
      subject: ["algebra", "geometry", "counting"][i % 3],
    }),
  ).join("\n") + "\n",
);
const columns = Array.from({ length: columnCount }, (_, c) => `strategy-${c}`);
const model = { path: join(dir, "model.gguf") };
const config: ExperimentConfig = { dataset, seed: 0, columns: columns.map((name) => ({ name, strategy: "single-pass", actor: model, critic: model })) };
writeFileSync(join(experiment, "experiment.json"), `${JSON.stringify(config, null, 2)}\n`);
const cell = (item: number, column: string, c: number): CellResult => {
  const skill = 0.4 + c * 0.03;
  const trajectory = Array.from({ length: 3 }, (_, k) => ({
    iteration: k,
    tokens: 200 * (k + 1),
    correct: random() < skill + k * 0.02,
    score: Math.round(random() * 10),
  }));
  return {
    item,
    itemId: `q${item}`,
    column,
    runId: `${column}--${item}`,
    status: "finished",
    correct: trajectory.at(-1)!.correct,
    initialCorrect: trajectory[0]!.correct,
    answer: "1",
    pathTokens: 400,
    totalTokens: 600,
    wallMs: 900,
    trajectory,
  };
};
const lines: string[] = [];
for (let item = 0; item < items; item++) columns.forEach((column, c) => lines.push(JSON.stringify(cell(item, column, c))));
writeFileSync(join(experiment, "results.jsonl"), `${lines.join("\n")}\n`);

const service = new EngineService({ runsDir: join(dir, "runs"), mode: "web", emit: () => {} });
const time = async (f: () => Promise<unknown> | unknown) => {
  const start = performance.now();
  await f();
  return performance.now() - start;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = async () => {
  const result = await service.handle("loadExperiment", { path: experiment });
  if (!result.ok) throw new Error(result.error);
};

const first = await time(load);
const unchanged: number[] = [];
for (let i = 0; i < polls; i++) unchanged.push(await time(load));
const changed: number[] = [];
for (let i = 0; i < 5; i++) {
  // One more cell finishes (a repeat of item 0: the summary counts it once, but the file is a new version).
  appendFileSync(join(experiment, "results.jsonl"), `${JSON.stringify(cell(0, columns[0]!, 0))}\n`);
  changed.push(await time(load));
}
// Before: every poll read the file, bootstrapped every accuracy and rebuilt the breakdowns.
const fields = (await loadExperimentDataset(config, { skipMalformed: true })).fields;
const everyPoll: number[] = [];
for (let i = 0; i < 5; i++) {
  everyPoll.push(
    await time(() => {
      const results = readResults(experiment);
      const summary = summarize(results, columns);
      for (const column of columns)
        bootstrapInterval(
          results.filter((r) => r.column === column).map((r) => Number(r.correct === true)),
          { seed: 7 },
        );
      breakdownByField(results, columns, fields);
      return summary;
    }),
  );
}

const results = {
  date: new Date().toISOString(),
  items,
  columns: columnCount,
  cells: items * columnCount,
  firstLoadMs: first,
  unchangedMedianMs: median(unchanged),
  unchangedMaxMs: Math.max(...unchanged),
  afterOneCellMedianMs: median(changed),
  recomputeEveryPollMedianMs: median(everyPoll),
  ratio: median(everyPoll) / median(unchanged),
};
const table = [
  `# Compare-view summary benchmark (${results.date.slice(0, 10)}, ${items} items × ${columnCount} columns = ${results.cells} cells, in-process engine)`,
  "",
  "| measure | time | detail |",
  "|---|---|---|",
  `| loadExperiment, nothing changed (median of ${polls}) | ${results.unchangedMedianMs.toFixed(2)} ms | max ${results.unchangedMaxMs.toFixed(2)} ms; target < 10 ms |`,
  `| loadExperiment after one more cell (median of 5) | ${results.afterOneCellMedianMs.toFixed(1)} ms | file read, Wilson intervals, paired bootstrap of differences, breakdowns |`,
  `| first load | ${results.firstLoadMs.toFixed(1)} ms | also reads the dataset |`,
  `| before: recompute on every poll (median of 5) | ${results.recomputeEveryPollMedianMs.toFixed(1)} ms | ${results.ratio.toFixed(0)}× the cached answer |`,
  "",
].join("\n");
const out = join(repoRoot, "bench/results");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "summary.md"), table);
writeFileSync(join(out, "summary.json"), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(table);
