import { test } from "node:test";
import assert from "node:assert/strict";
import type { ColumnSummary, JudgedColumn } from "./experiment-results.ts";
import { PERFICS_PRESETS, type PerficsInput, perficsInputs, rankPerfics } from "./perfics.ts";

// Three columns, hand-normalised below: quality .5/.8/.6, gain 0/.3/.2, tokens 100/400/200, wall 1/4/2 s.
const columns: PerficsInput[] = [
  { column: "single", quality: 0.5, draftQuality: 0.5, tokens: 100, wallMs: 1000, memoryBytes: 1e9 },
  { column: "refine-big", quality: 0.8, draftQuality: 0.5, tokens: 400, wallMs: 4000, memoryBytes: 2e9 },
  { column: "refine-small", quality: 0.6, draftQuality: 0.4, tokens: 200, wallMs: 2000, memoryBytes: null },
];
const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);
const scores = (ranking: ReturnType<typeof rankPerfics>) => Object.fromEntries(ranking.rows.map((r) => [r.column, r.score]));

test("a batch job ranks by quality first: the refined column wins though it costs four times the tokens", () => {
  const ranking = rankPerfics(columns, PERFICS_PRESETS["batch job"]);
  // q̂ = 0, 1, ⅓; ĝ = 0, 1, ⅔; ĉ (cheapest 1) = 1, 0, ⅔; weights .6 / .2 / .2.
  const s = scores(ranking);
  close(s.single!, 0.2, "single");
  close(s["refine-big"]!, 0.8, "refine-big");
  close(s["refine-small"]!, 0.6 / 3 + (0.2 * 2) / 3 + (0.2 * 2) / 3, "refine-small");
  assert.deepEqual(
    ranking.rows.map((r) => [r.column, r.rank]),
    [
      ["refine-big", 1],
      ["refine-small", 2],
      ["single", 3],
    ],
  );
  const small = ranking.rows.find((r) => r.column === "refine-small")!;
  close(small.terms.quality, 1 / 3, "quality term");
  close(small.terms.gain!, 2 / 3, "gain term");
  close(small.terms.cost, 2 / 3, "cost term");
  close(small.gain!, 0.2, "gain in points");
  assert.equal(small.cost, 200, "the cost in its own unit");
});

test("latency-bound turns the order round: the fastest column wins, the slowest is last", () => {
  const ranking = rankPerfics(columns, PERFICS_PRESETS["latency-bound"]);
  // Wall time normalises as tokens did (1, 0, ⅔); weights .3 / .1 / .6.
  const s = scores(ranking);
  close(s.single!, 0.6, "single");
  close(s["refine-big"]!, 0.4, "refine-big");
  close(s["refine-small"]!, 0.1 + 0.1 * (2 / 3) + 0.6 * (2 / 3), "refine-small");
  assert.deepEqual(
    ranking.rows.map((r) => r.column),
    ["single", "refine-small", "refine-big"],
  );
});

test("memory-weighted: a column with no recorded plan is left out and says why; the others rank on their plans", () => {
  const ranking = rankPerfics(columns, PERFICS_PRESETS["personal computer"]);
  assert.deepEqual(ranking.unranked, [{ column: "refine-small", reason: "no peak memory (joint plan) recorded" }]);
  // Between the two left, each term is 0 or 1: single .4 (cost), refine-big .4 + .2 (quality, gain).
  const s = scores(ranking);
  close(s.single!, 0.4, "single");
  close(s["refine-big"]!, 0.6, "refine-big");
});

test("equal scores share a rank, and a term with no spread gives every column its full weight", () => {
  const same = { quality: 0.7, draftQuality: 0.6, tokens: 50, wallMs: 10, memoryBytes: 1 };
  const ranking = rankPerfics(
    [
      { column: "a", ...same },
      { column: "b", ...same },
      { column: "c", ...same, quality: 0.5 },
    ],
    { quality: 1, gain: 0, cost: 1, costMeasure: "tokens" },
  );
  // Cost is the same everywhere: ĉ = 1 for all. a and b: (1 + 1) / 2; c: (0 + 1) / 2.
  assert.deepEqual(
    ranking.rows.map((r) => [r.column, r.rank, r.score]),
    [
      ["a", 1, 1],
      ["b", 1, 1],
      ["c", 3, 0.5],
    ],
  );
});

test("gain is left out, in words, when a column's draft was not graded; the other weights count in proportion", () => {
  const ranking = rankPerfics(
    [
      { ...columns[0]!, draftQuality: null },
      { ...columns[1]!, draftQuality: null },
    ],
    PERFICS_PRESETS["batch job"],
  );
  assert.match(ranking.note ?? "", /gain over the draft left out/);
  // Weights .6 and .2 over .8: single (0, 1) → .25; refine-big (1, 0) → .75.
  const s = scores(ranking);
  close(s.single!, 0.25, "single");
  close(s["refine-big"]!, 0.75, "refine-big");
  assert.equal(ranking.rows[0]!.terms.gain, null);
});

test("weights that cannot rank are refused in the user's words", () => {
  assert.throws(
    () => rankPerfics(columns, { quality: -1, gain: 0, cost: 1, costMeasure: "tokens" }),
    /the quality weight must be a number of 0 or more, got -1/,
  );
  assert.throws(() => rankPerfics(columns, { quality: 0, gain: 0, cost: 0, costMeasure: "wall" }), /at least one weight .* must be above 0/);
  assert.throws(
    () => rankPerfics([{ ...columns[0]!, draftQuality: null }], { quality: 0, gain: 1, cost: 0, costMeasure: "wall" }),
    /with gain left out, the quality or cost weight must be above 0/,
  );
});

function summary(column: string, accuracy: number, draft: number, judged?: Partial<JudgedColumn>): ColumnSummary {
  return {
    column,
    accuracy,
    meanTotalTokens: 10,
    meanWallMs: 20,
    dynamics: [{ candidate: 1, items: 4, accuracy: draft, meanScore: null }],
    ...(judged ? { judged: { judges: ["j"], items: 4, unreadable: 0, interval: [0, 1], ...judged } as JudgedColumn } : {}),
  } as ColumnSummary;
}

test("the inputs: the checker's accuracy and draft, a rubric rating on 0–1, the pairwise baseline at ½ with no draft", () => {
  assert.deepEqual(perficsInputs([summary("plain", 0.75, 0.5)], { plain: 123 }), [
    { column: "plain", quality: 0.75, draftQuality: 0.5, tokens: 10, wallMs: 20, memoryBytes: 123 },
  ]);
  const rubric = perficsInputs([summary("r", 0.1, 0.1, { grader: "rubric", score: 7.3 })])[0]!;
  close(rubric.quality!, 0.7, "(7.3 − 1) / 9");
  assert.equal(rubric.draftQuality, null, "judges grade final answers only");
  const [base, sampled] = perficsInputs([summary("single", 0, 0), summary("sc", 0, 0, { grader: "pairwise", score: 0.625, baseline: "single" })]);
  assert.equal(base!.quality, 0.5);
  assert.equal(base!.draftQuality, null);
  assert.equal(sampled!.quality, 0.625);
  assert.equal(base!.memoryBytes, null);
});

test("a judged column with no readable verdict is not ranked on its accuracy (another scale): it is left out and says why", () => {
  // The engine's NaN score arrives over JSON as null.
  const [base, unread] = perficsInputs([
    summary("single", 0, 0),
    summary("sc", 0.9, 0.9, { grader: "pairwise", score: null as unknown as number, baseline: "single", unreadable: 4 }),
  ]);
  assert.equal(unread!.quality, null, "not the checker's 0.9");
  assert.equal(unread!.draftQuality, null);
  const ranking = rankPerfics([base!, unread!, { ...base!, column: "other", quality: 0.25 }], PERFICS_PRESETS["batch job"]);
  assert.deepEqual(ranking.unranked, [{ column: "sc", reason: "no readable judge verdict" }]);
  assert.deepEqual(
    ranking.rows.map((r) => [r.column, r.rank]),
    [
      ["single", 1],
      ["other", 2],
    ],
  );
  assert.equal(perficsInputs([summary("r", 0.5, 0.5, { grader: "rubric", score: Number.NaN })])[0]!.quality, null, "NaN, as the engine holds it");
});
