// summarize: a sampling column's frontier and every other column read against it at its own budget.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CellResult, TrajectoryPoint } from "../../protocol/experiment-results.ts";
import { summarize } from "./summary.ts";

const point = (group: string | null, correct: boolean, tokens: number): TrajectoryPoint => ({ iteration: 0, tokens, correct, score: null, group });

function cell(item: number, column: string, fields: Partial<CellResult>): CellResult {
  return {
    item,
    itemId: `q${item}`,
    column,
    runId: `${column}--${item}`,
    status: "finished",
    correct: false,
    initialCorrect: null,
    answer: null,
    pathTokens: 0,
    totalTokens: 0,
    wallMs: 1,
    ...fields,
  };
}

// Item 0: two right, one wrong, one unanswered (maj@1 ½, maj@2 ⅔); item 1: all right. 100 tokens a sample.
const sampling = [
  cell(0, "sc", {
    independentSamples: true,
    correct: true,
    totalTokens: 400,
    trajectory: [point("7", true, 100), point("7", true, 200), point("8", false, 300), point(null, false, 400)],
  }),
  cell(1, "sc", { independentSamples: true, correct: true, totalTokens: 400, trajectory: [1, 2, 3, 4].map((k) => point("3", true, 100 * k)) }),
];
// A refinement column at 200 tokens per item, wrong on item 0 and right on item 1.
const refine = [cell(0, "refine", { correct: false, totalTokens: 200 }), cell(1, "refine", { correct: true, totalTokens: 200 })];

test("the summary carries the sampling column's frontier and each other column's difference at its own budget", () => {
  const summary = summarize([...sampling, ...refine], ["refine", "sc"]);
  assert.equal(summary.frontier.length, 1);
  const [curve] = summary.frontier;
  assert.equal(curve!.column, "sc");
  assert.equal(curve!.n, 4);
  assert.deepEqual(
    curve!.points.map((p) => [p.k, p.meanTokens]),
    [
      [1, 100],
      [2, 200],
      [3, 300],
      [4, 400],
    ],
  );
  assert.ok(Math.abs(curve!.points[1]!.majAtK - (4 / 6 + 1) / 2) < 1e-12);
  assert.equal(curve!.points[0]!.bestOfKAtK, undefined, "unscored samples: no best-of-k");
  const versus = summary.columns.find((c) => c.column === "refine")!.versusFrontier!;
  assert.equal(versus.frontierColumn, "sc");
  assert.equal(versus.budget, 200);
  assert.ok(Math.abs(versus.frontierAccuracy - (4 / 6 + 1) / 2) < 1e-12);
  assert.ok(Math.abs(versus.difference - (0.5 - (4 / 6 + 1) / 2)) < 1e-12);
  assert.equal(summary.columns.find((c) => c.column === "sc")!.versusFrontier, undefined, "the frontier's own column is not compared with itself");
  // The budget-matched table's "best sampling" row: maj@k read at each column's budget.
  assert.deepEqual(
    summary.budgetMatched.map((row) => [row.budget, row.bestSampling?.measure, row.bestSampling?.accuracy]),
    [
      [200, "majAtK", (4 / 6 + 1) / 2],
      [400, "majAtK", 1],
    ],
  );
});

test("no frontier from columns whose candidates are not independent samples or whose answers were not kept", () => {
  const withoutGroups = sampling.map((c) => ({ ...c, trajectory: c.trajectory!.map(({ group: _, ...p }) => p) }));
  assert.deepEqual(summarize([...withoutGroups, ...refine], ["refine", "sc"]).frontier, []);
  const notSamples = sampling.map(({ independentSamples: _, ...c }) => c);
  const summary = summarize([...notSamples, ...refine], ["refine", "sc"]);
  assert.deepEqual(summary.frontier, []);
  assert.equal(summary.columns[0]!.versusFrontier, undefined);
});
