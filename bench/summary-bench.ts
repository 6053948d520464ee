// `npm run bench:summary`: what the compare view's poll costs the engine on a synthetic experiment of 1,000 items
// × 12 columns, measured in one run: loadExperiment when nothing changed (answered from the cache kept per
// results.jsonl version), after one more cell (only the appended line read, the summary worked out again, bootstrap
// of paired differences included), against recomputing everything on every poll as before (bootstrap intervals for
// every accuracy); then the same for the sampling frontier and difficulty panels at 1,000 items × n = 64 × 3 repeats.
// Writes bench/results/summary.md and summary.json. Options: --items n, --columns n, --polls n.
import { appendFileSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { ExperimentConfig } from "../native/eval/experiment.ts";
import { breakdownByField, loadExperimentDataset, readResults, summarize, type CellResult } from "../native/eval/experiment.ts";
import { bootstrapInterval } from "../native/eval/stats.ts";
import { majorityAtEveryK } from "../native/eval/frontier.ts";
import type { ExperimentInfo } from "../native/protocol/contract.ts";
import { EngineService } from "../native/engine/service.ts";
import { mulberry32 } from "../native/util/random.ts";
import { repoRoot } from "../test/support/models.ts";

const { values } = parseArgs({ options: { items: { type: "string" }, columns: { type: "string" }, polls: { type: "string" }, samples: { type: "string" } } });
const items = Number(values.items ?? 1000);
const columnCount = Number(values.columns ?? 12);
const polls = Number(values.polls ?? 50);
const samples = Number(values.samples ?? 64);

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

// The sampling frontier: a self-consistency column of 64 samples and two refinement columns read against it, every
// cell in 3 repeats (3,000 items' curves), each item with its own difficulty and a few wrong answers competing.
const frontierDir = join(dir, "frontier-experiment");
mkdirSync(frontierDir);
const repeats = 3;
const samplingColumn = "self-consistency";
const frontierColumns = [samplingColumn, "self-refine", "critic-guided"];
const frontierConfig: ExperimentConfig = {
  dataset,
  seed: 0,
  repeats,
  columns: frontierColumns.map((name) => ({
    name,
    strategy: name,
    ...(name === samplingColumn ? { params: { n: samples } } : {}),
    actor: model,
    critic: model,
  })),
};
writeFileSync(join(frontierDir, "experiment.json"), `${JSON.stringify(frontierConfig, null, 2)}\n`);
const difficulty = Array.from({ length: items }, () => random());
const samplingCell = (item: number, repeat: number): CellResult => {
  const p = difficulty[item]!;
  const trajectory = Array.from({ length: samples }, (_, k) => {
    const r = random();
    const group = r < 0.05 ? null : r < 0.05 + 0.95 * p ? String(item + 1) : `w${Math.floor(random() * random() * 4)}`;
    return { iteration: 0, tokens: 300 * (k + 1), correct: group === String(item + 1), score: null, group };
  });
  const votes = new Map<string, number>();
  for (const t of trajectory) if (t.group !== null) votes.set(t.group, (votes.get(t.group) ?? 0) + 1);
  const winner = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  return {
    item,
    itemId: `q${item}`,
    column: samplingColumn,
    ...(repeat ? { repeat } : {}),
    runId: `${samplingColumn}--${item}-r${repeat}`,
    status: "finished",
    correct: winner === String(item + 1),
    initialCorrect: trajectory[0]!.correct,
    answer: winner,
    pathTokens: 300,
    totalTokens: 300 * samples,
    wallMs: 900,
    trajectory,
    independentSamples: true,
  };
};
const refineCell = (item: number, column: string, repeat: number): CellResult => ({
  ...cell(item, column, 3),
  ...(repeat ? { repeat } : {}),
  runId: `${column}--${item}-r${repeat}`,
  totalTokens: 1500 + Math.round(random() * 1000),
});
const frontierLines: string[] = [];
for (let item = 0; item < items; item++) {
  for (let repeat = 0; repeat < repeats; repeat++) {
    frontierLines.push(
      JSON.stringify(samplingCell(item, repeat)),
      JSON.stringify(refineCell(item, "self-refine", repeat)),
      JSON.stringify(refineCell(item, "critic-guided", repeat)),
    );
  }
}
writeFileSync(join(frontierDir, "results.jsonl"), `${frontierLines.join("\n")}\n`);
const loadFrontier = async () => {
  const result = await service.handle("loadExperiment", { path: frontierDir });
  if (!result.ok) throw new Error(result.error);
  const { summary } = result.value as ExperimentInfo;
  if (summary.frontier.length !== 1 || summary.repeats !== repeats) throw new Error("the bench's sampling column yields no frontier over its repeats");
  if (!summary.difficulty) throw new Error("the bench's experiment has no difficulty panel");
};
const frontierFirst = await time(loadFrontier);
const frontierUnchanged: number[] = [];
for (let i = 0; i < polls; i++) frontierUnchanged.push(await time(loadFrontier));
const frontierChanged: number[] = [];
// CPU time too: on a shared machine the wall clock also counts other processes' turns.
const frontierChangedCpu: number[] = [];
for (let i = 0; i < 5; i++) {
  // One more cell: item 0's sampling cell again (a line later in the file wins), so the file is a new version.
  appendFileSync(join(frontierDir, "results.jsonl"), `${JSON.stringify(samplingCell(0, 0))}\n`);
  const before = process.cpuUsage();
  frontierChanged.push(await time(loadFrontier));
  const used = process.cpuUsage(before);
  frontierChangedCpu.push((used.user + used.system) / 1000);
}
// Without the per-item memo: every item's curves worked out from nothing.
const frontierResults = readResults(frontierDir);
const coldFrontier = await time(() => {
  for (const c of frontierResults.filter((r) => r.column === samplingColumn))
    majorityAtEveryK(c.trajectory!.map((t) => ({ group: t.group ?? null, correct: t.correct === true, score: null })));
});

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
  frontier: {
    items,
    samples,
    repeats,
    otherColumns: frontierColumns.length - 1,
    resultsFileBytes: statSync(join(frontierDir, "results.jsonl")).size,
    firstLoadMs: frontierFirst,
    unchangedMedianMs: median(frontierUnchanged),
    afterOneCellMedianMs: median(frontierChanged),
    afterOneCellMedianCpuMs: median(frontierChangedCpu),
    everyItemCurveFromNothingMs: coldFrontier,
  },
};
const table = [
  `# Compare-view summary benchmark (${results.date.slice(0, 10)}, ${items} items × ${columnCount} columns = ${results.cells} cells, in-process engine)`,
  "",
  // Wall times on a shared machine count other processes' turns: the load says how far to trust them.
  `Load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores when measured.`,
  "",
  "| measure | time | detail |",
  "|---|---|---|",
  `| loadExperiment, nothing changed (median of ${polls}) | ${results.unchangedMedianMs.toFixed(2)} ms | max ${results.unchangedMaxMs.toFixed(2)} ms; target < 10 ms |`,
  `| loadExperiment after one more cell (median of 5) | ${results.afterOneCellMedianMs.toFixed(1)} ms | the appended line read, Wilson intervals, paired bootstrap of differences (kept per wins/losses/items), breakdowns |`,
  `| first load | ${results.firstLoadMs.toFixed(1)} ms | also reads the dataset |`,
  `| before: recompute on every poll (median of 5) | ${results.recomputeEveryPollMedianMs.toFixed(1)} ms | ${results.ratio.toFixed(0)}× the cached answer |`,
  "",
  `## Sampling frontier and difficulty (${items} items × n = ${samples} × ${repeats} repeats, + ${results.frontier.otherColumns} columns read against it, each in ${repeats} repeats; results file ${(results.frontier.resultsFileBytes / 1e6).toFixed(1)} MB)`,
  "",
  "| measure | time | detail |",
  "|---|---|---|",
  `| loadExperiment, nothing changed (median of ${polls}) | ${results.frontier.unchangedMedianMs.toFixed(2)} ms | a lookup |`,
  `| loadExperiment after one more cell (median of 5) | ${results.frontier.afterOneCellMedianMs.toFixed(1)} ms (CPU ${results.frontier.afterOneCellMedianCpuMs.toFixed(1)} ms) | the appended line read, frontier (pass@k, maj@k for every k), versusFrontier bootstraps, difficulty panel, clustered intervals; target < 200 ms |`,
  `| first load | ${results.frontier.firstLoadMs.toFixed(1)} ms | every item's curves worked out once |`,
  `| exact maj@k curves of all ${repeats * items} cells from nothing | ${results.frontier.everyItemCurveFromNothingMs.toFixed(1)} ms | what the per-item memo saves after a change |`,
  "",
].join("\n");
const out = join(repoRoot, "bench/results");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "summary.md"), table);
writeFileSync(join(out, "summary.json"), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(table);
