// Repeats: each (item, column) runs with seeds seed, seed + 1, …; the summary counts an item once, by its accuracy
// over its repeats, resamples items with their repeats together, pairs by item, and names the flaky items. A
// resumed experiment with repeats, killed mid-cell, ends where an uninterrupted one does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CellResult } from "../../protocol/experiment-results.ts";
import { latticeBootstrapInterval, pairedBootstrapInterval } from "../stats.ts";
import { experimentCoverage, readResults } from "./checkpoint.ts";
import type { ExperimentConfig } from "./config.ts";
import { summarize } from "./summary.ts";
import { htmlReport } from "../report.ts";

const here = dirname(fileURLToPath(import.meta.url));

function cell(item: number, column: string, repeat: number, correct: boolean, initialCorrect: boolean | null = null): CellResult {
  return {
    item,
    itemId: `i${item}`,
    column,
    ...(repeat ? { repeat } : {}),
    runId: `${column}--${item}-r${repeat}`,
    status: "finished",
    correct,
    initialCorrect,
    answer: "x",
    pathTokens: 10,
    totalTokens: 100 + repeat,
    wallMs: 1,
  };
}

/** Cells from rows of "item: repeat 0, repeat 1, …" correctness, per column. */
function cells(table: Record<string, boolean[][]>, initial?: Record<string, boolean[][]>): CellResult[] {
  return Object.entries(table).flatMap(([column, items]) =>
    items.flatMap((byRepeat, item) => byRepeat.map((correct, repeat) => cell(item, column, repeat, correct, initial?.[column]?.[item]?.[repeat] ?? null))),
  );
}

/** The percentile interval the bootstrap would give over every one of the n^n resamples, enumerated. */
function enumeratedInterval(values: readonly number[]): [number, number] {
  const n = values.length;
  const means: number[] = [];
  const pick = new Array<number>(n).fill(0);
  for (;;) {
    means.push(pick.reduce((sum, i) => sum + values[i]!, 0) / n);
    let d = 0;
    while (d < n && ++pick[d]! === n) pick[d++] = 0;
    if (d === n) break;
  }
  means.sort((a, b) => a - b);
  // The smallest mean whose cumulative share passes 2.5%, and the smallest whose share reaches 97.5%.
  const at = (share: number, strict: boolean) => means.find((_, i) => (strict ? (i + 1) / means.length > share : (i + 1) / means.length >= share - 1e-12))!;
  return [at(0.025, true), at(0.975, false)];
}

const close = (actual: readonly number[], expected: readonly number[]) =>
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-9, `${actual} ≠ ${expected}`));

test("the clustered bootstrap interval is the one every resample of the items (with their repeats) gives", () => {
  // Two items, accuracy 1 and ½ over two repeats: resampled means ½ (¼), ¾ (½), 1 (¼).
  assert.deepEqual(latticeBootstrapInterval([1, 0.5], 2), [0.5, 1]);
  const cases: Array<[number[], number]> = [
    [[1, 0.5, 0, 0.5, 1, 1], 2],
    [[0, 1 / 3, 2 / 3, 1, 1, 2 / 3], 3],
    [[0.5, -0.5, 0, 1, 0, 0.5], 2],
  ];
  for (const [values, steps] of cases) close(latticeBootstrapInterval(values, steps), enumeratedInterval(values));
  // One repeat: the paired bootstrap of wins and losses.
  const differences = [1, 1, 1, 0, 0, -1, 0, 1, 0, 0, 1, -1];
  close(latticeBootstrapInterval(differences, 1), pairedBootstrapInterval(5, 2, differences.length));
});

test("with repeats, accuracy is the mean of items' accuracy over their seeds; comparisons pair by item and say whether each seed agrees", () => {
  const results = cells({
    base: [
      [true, true],
      [true, false],
      [false, false],
    ],
    better: [
      [true, true],
      [true, true],
      [false, true],
    ],
    steady: [
      [true, true],
      [true, true],
      [true, true],
    ],
  });
  const summary = summarize(results, ["base", "better", "steady"], "base", { repeats: 2 });
  assert.equal(summary.repeats, 2);
  const [base, better, steady] = summary.columns;
  assert.equal(base!.items, 3, "items, not cells");
  close([base!.accuracy, better!.accuracy, steady!.accuracy], [0.5, 5 / 6, 1]);
  // base's item accuracies 1, ½, 0: resampled sums of three draws from {0, 1, 2} (of 2 each): 1/27 at 0, 1/27 at 6.
  close(base!.interval, [0, 1]);
  close(better!.interval, enumeratedInterval([1, 1, 0.5]));
  assert.deepEqual(base!.flaky, ["i1"]);
  assert.deepEqual(better!.flaky, ["i2"]);
  assert.deepEqual(steady!.flaky, []);
  // better vs base per item: 0, +½, +½ → 2 wins, 1 tie; seed 0: 2/3 vs 2/3 (0), seed 1: 3/3 vs 1/3 (+⅔).
  const v = better!.versusBaseline!;
  assert.deepEqual([v.items, v.wins, v.ties, v.losses], [3, 2, 1, 0]);
  close([v.difference, v.baselineAccuracy, v.accuracy], [1 / 3, 0.5, 5 / 6]);
  close(v.differenceInterval, enumeratedInterval([0, 0.5, 0.5]));
  close(v.perRepeat!.differences, [0, 2 / 3]);
  assert.equal(v.perRepeat!.signHolds, false, "no difference in seed 0, a gain in seed 1");
  // steady vs base: seed 0 +⅓, seed 1 +⅔: the gain holds in every seed.
  close(steady!.versusBaseline!.perRepeat!.differences, [1 / 3, 2 / 3]);
  assert.equal(steady!.versusBaseline!.perRepeat!.signHolds, true);
  // Cells still count one by one.
  assert.equal(base!.meanTotalTokens, 100.5);
});

test("an item counts once all its repeats are in; one repeat keeps Wilson's interval and no flaky list", () => {
  const results = cells({ a: [[true, true], [false, true], [true]], b: [[false, false], [true, true], [true]] });
  const summary = summarize(results, ["a", "b"], "a", { repeats: 2 });
  assert.equal(summary.columns[0]!.items, 2, "item 2 has only its first repeat");
  const single = summarize(
    results.filter((r) => !r.repeat),
    ["a", "b"],
  );
  assert.equal(single.repeats, 1);
  assert.equal(single.columns[0]!.flaky, undefined);
  assert.equal(single.columns[1]!.versusBaseline!.perRepeat, undefined);
});

test("without a sampling column, difficulty is the share of first drafts right over every column and repeat", () => {
  const results = cells(
    {
      a: [
        [true, true],
        [true, false],
        [false, false],
        [true, true],
      ],
      b: [
        [true, true],
        [true, true],
        [true, false],
        [true, true],
      ],
    },
    {
      a: [
        [true, true],
        [true, false],
        [false, false],
        [true, true],
      ],
      b: [
        [true, true],
        [false, false],
        [false, false],
        [false, true],
      ],
    },
  );
  const panel = summarize(results, ["a", "b"], "a", { repeats: 2 }).difficulty!;
  assert.match(panel.basis, /first drafts that were right over 2 repeats/);
  // Rates: item 0 4/4 → "1"; item 1 1/4 → (0, ¼]; item 2 0/4 → "0"; item 3 3/4 → (½, ¾].
  assert.deepEqual(
    panel.bins.filter((b) => b.items).map((b) => [b.label, b.items, b.accuracy]),
    [
      ["0", 1, { a: 0, b: 0.5 }],
      ["(0, ¼]", 1, { a: 0.5, b: 1 }],
      ["(½, ¾]", 1, { a: 1, b: 1 }],
      ["1", 1, { a: 1, b: 1 }],
    ],
  );
});

// The experiment's process: scripted models whose answers depend on the seed (so repeats differ); with HANG set,
// the actor's generation number HANG never returns and the process says so, to be SIGKILLed mid-cell.
const experimentScript = `
  import { ScriptedBackend } from ${JSON.stringify(join(here, "../../llm/scripted-backend.ts"))};
  import { runExperiment } from ${JSON.stringify(join(here, "scheduler.ts"))};
  const [dir, configJson, hang] = process.argv.slice(1);
  const scripted = new ScriptedBackend((request) => {
    const n = Number(/What is (\\d+)/.exec(request.messages.find((m) => m.role === "user").content)?.[1] ?? 0);
    return "The answer is " + ((n + request.seed) % 3 === 0 ? 2 * n + 1 : 2 * n);
  });
  let calls = 0;
  const actor = {
    kind: "scripted", parallelism: 1, contextSize: () => null, countTokens: (t) => scripted.countTokens(t), usage: () => scripted.usage(),
    generate(request) {
      if (hang && ++calls === Number(hang)) { console.log("hanging"); return new Promise(() => {}); }
      return scripted.generate(request);
    },
  };
  const critic = new ScriptedBackend(() => JSON.stringify({ critique: "ok", correct: true, score: 8 }));
  await runExperiment(dir, JSON.parse(configJson), { deps: { backends: { actor, critic } } });
  console.log("finished");
`;

function runInChild(dir: string, config: ExperimentConfig, hang?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", experimentScript, dir, JSON.stringify(config), String(hang ?? "")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  child.stdout.on("data", (chunk: Buffer) => {
    if (chunk.toString().includes("hanging")) child.kill("SIGKILL");
  });
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
}

test("an experiment with repeats killed mid-cell resumes to the summary of an uninterrupted run, every (item, column, repeat) once", async () => {
  const scratch = mkdtempSync(join(tmpdir(), "refinery-repeats-"));
  const dataset = join(scratch, "tasks.jsonl");
  writeFileSync(dataset, Array.from({ length: 4 }, (_, i) => JSON.stringify({ question: `What is ${i} + ${i}?`, answer: `#### ${2 * i}` })).join("\n"));
  const config: ExperimentConfig = {
    dataset,
    columns: [
      { name: "single", strategy: "single-pass", actor: { path: "a" }, critic: { path: "c" } },
      { name: "sc", strategy: "self-consistency", params: { n: 3 }, actor: { path: "a" }, critic: { path: "c" } },
    ],
    seed: 7,
    repeats: 2,
  };
  const whole = join(scratch, "whole");
  assert.deepEqual(await runInChild(whole, config), { code: 0, signal: null });
  const killed = join(scratch, "killed");
  // Generation 14 is in the fourth cell's samples (cells go item by item, repeat by repeat, column by column).
  assert.deepEqual(await runInChild(killed, config, 14), { code: null, signal: "SIGKILL" });
  const partial = readResults(killed);
  assert.ok(partial.length > 0 && partial.length < 16, `killed with ${partial.length} of 16 cells done`);
  assert.deepEqual(await runInChild(killed, config), { code: 0, signal: null });

  const expected = readResults(whole);
  const resumed = readResults(killed);
  assert.equal(expected.length, 16, "4 items × 2 columns × 2 repeats");
  const key = (r: CellResult) => `${r.item}|${r.repeat ?? 0}|${r.column}`;
  assert.equal(new Set(resumed.map(key)).size, 16, "no cell twice");
  assert.deepEqual(experimentCoverage(killed, config, resumed), { asked: 16, done: 16, failed: 0, reasons: [] });
  // Repeat r of item i ran with seed + i + r, in a folder of its own.
  const manifestSeed = (r: CellResult) => JSON.parse(readFileSync(join(killed, "runs", r.runId, "manifest.json"), "utf8")).seed as number;
  for (const r of resumed) assert.equal(manifestSeed(r), 7 + r.item + (r.repeat ?? 0), r.runId);
  assert.equal(new Set(resumed.map((r) => r.runId)).size, 16);
  const stable = (summary: ReturnType<typeof summarize>) => ({
    ...summary,
    columns: summary.columns.map(({ meanWallMs: _, tokensPerSecond: __, ...rest }) => rest),
  });
  const columns = ["single", "sc"];
  const fromWhole = summarize(expected, columns, "single", { repeats: 2 });
  assert.deepEqual(stable(summarize(resumed, columns, "single", { repeats: 2 })), stable(fromWhole));
  // The seeds disagree on some items, so the repeats are not copies of one another.
  assert.ok(fromWhole.columns[0]!.flaky!.length > 0, "flaky items");
  assert.equal(fromWhole.columns[0]!.items, 4);
});

test("the report says how repeats are counted, names the flaky items, says whether each seed agrees and shows a row per item and seed", () => {
  const results = cells({
    base: [
      [true, true],
      [true, false],
    ],
    other: [
      [true, true],
      [true, true],
    ],
  });
  const html = htmlReport({ dataset: "d.jsonl", seed: 3, repeats: 2, columns: [] }, summarize(results, ["base", "other"], "base", { repeats: 2 }), results);
  assert.match(html, /2 repeats, seeds 3…4/);
  assert.match(html, /clustered bootstrap/);
  assert.match(html, /<li data-flaky="1"><b>base<\/b>: 1 — i1<\/li>/);
  assert.match(html, /sign differs between seeds \(\+0\.0, \+50\.0 pts\)/);
  assert.equal(html.match(/<small>seed \d \(repeat \d\)<\/small>/g)?.length, 4, "2 items × 2 seeds");
});

test("with repeats, a column is read against the frontier of each item's curves averaged over its seeds, and seed by seed", () => {
  // Two samples per cell at 200 tokens; item 0: both right, then one right one wrong (a tie); item 1: both wrong
  // (one answer), then a tie. maj@2 per entry: 1, ½, 0, ½.
  const sampled = (item: number, repeat: number, groups: string[], right: string): CellResult => ({
    ...cell(item, "sc", repeat, true),
    totalTokens: 200,
    independentSamples: true,
    trajectory: groups.map((group, k) => ({ iteration: 0, tokens: 100 * (k + 1), correct: group === right, score: null, group })),
  });
  const sc = [sampled(0, 0, ["4", "4"], "4"), sampled(0, 1, ["4", "5"], "4"), sampled(1, 0, ["7", "7"], "6"), sampled(1, 1, ["6", "7"], "6")];
  const column = (name: string, byItem: boolean[][]) =>
    byItem.flatMap((repeats, item) => repeats.map((correct, repeat) => ({ ...cell(item, name, repeat, correct), totalTokens: 200 })));
  const results = [
    ...sc,
    ...column("x", [
      [true, true],
      [false, true],
    ]),
    ...column("y", [
      [true, true],
      [true, true],
    ]),
  ];
  const summary = summarize(results, ["sc", "x", "y"], "sc", { repeats: 2 });
  assert.deepEqual(
    summary.frontier[0]!.points.map((p) => [p.k, p.meanTokens, p.majAtK]),
    [
      [1, 100, 0.5],
      [2, 200, 0.5],
    ],
  );
  // x at 200 tokens: accuracy ¾ against the frontier's ½ (items ¾ and ¼); seed 0: 0, seed 1: +½.
  const x = summary.columns[1]!.versusFrontier!;
  close([x.frontierAccuracy, x.difference], [0.5, 0.25]);
  close(x.perRepeat!.differences, [0, 0.5]);
  assert.equal(x.perRepeat!.signHolds, false);
  const y = summary.columns[2]!.versusFrontier!;
  close([y.difference, ...y.perRepeat!.differences], [0.5, 0.5, 0.5]);
  assert.equal(y.perRepeat!.signHolds, true);
});
