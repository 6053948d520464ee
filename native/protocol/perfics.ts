// Cost-aware ranking of an experiment's columns after PeRFICS (Performance, Refinement and Inference Cost Score,
// Shashidhar et al. 2023): quality after refinement, the gain refinement made over the draft, and what the column
// cost, weighted as the user's situation asks. The paper's weights are not published, so they are parameters with
// three scenario presets. Pure: the compare view and the HTML report rank with the same code.
//
// Each term is min-max normalised across the columns being ranked, so the score says where a column sits between
// the worst and the best of this experiment (0…1), not an absolute quantity: quality and gain map the lowest to 0
// and the highest to 1, cost maps the most expensive to 0 and the cheapest to 1. A term every column shares (no
// spread) gives each the full 1, so it cannot reorder them. The score is the weighted mean of the three terms.
import type { ColumnSummary, JudgedColumn } from "./experiment-results.ts";
import { formatBytes, formatDuration } from "./format.ts";

export const PERFICS_COSTS = ["tokens", "wall", "memory"] as const;
/** tokens: mean evaluated + generated per item; wall: mean seconds per item; memory: the joint plan's peak for the column's models. */
export type PerficsCost = (typeof PERFICS_COSTS)[number];

export interface PerficsWeights {
  quality: number;
  gain: number;
  cost: number;
  costMeasure: PerficsCost;
}

/**
 * The scenarios of the paper's case studies, as weights: a personal computer is bound by memory, a batch job pays
 * for tokens and wants the best answers, a latency-bound service pays for every second a user waits.
 */
export const PERFICS_PRESETS = {
  "personal computer": { quality: 0.4, gain: 0.2, cost: 0.4, costMeasure: "memory" },
  "batch job": { quality: 0.6, gain: 0.2, cost: 0.2, costMeasure: "tokens" },
  "latency-bound": { quality: 0.3, gain: 0.1, cost: 0.6, costMeasure: "wall" },
} as const satisfies Record<string, PerficsWeights>;
export type PerficsPreset = keyof typeof PERFICS_PRESETS;

export const PERFICS_COST_LABELS: Record<PerficsCost, string> = {
  tokens: "tokens per item",
  wall: "wall time per item",
  memory: "peak memory (joint plan)",
};

/** One column as the ranking reads it. */
export interface PerficsInput {
  column: string;
  /**
   * Quality after refinement on 0–1: the judges' score when the column was judged, else the checker's accuracy;
   * null when it was judged and no verdict could be read (its accuracy is on another scale, so it is not ranked).
   */
  quality: number | null;
  /** The first draft's quality on the same scale; null when the draft was not graded (a judged open-ended task). */
  draftQuality: number | null;
  tokens: number;
  wallMs: number;
  /** Bytes the joint memory plan gave the column's models (VRAM + RAM); null when no run recorded a plan. */
  memoryBytes: number | null;
}

export interface PerficsRow {
  column: string;
  /** 1 = best; columns with equal scores share a rank (1, 1, 3). */
  rank: number;
  /** Weighted mean of the normalised terms, 0–1. */
  score: number;
  /** Each term after normalisation (gain null when it was left out). */
  terms: { quality: number; gain: number | null; cost: number };
  /** The cost the ranking used, in its own unit (tokens, milliseconds, bytes). */
  cost: number;
  gain: number | null;
}

export interface PerficsRanking {
  weights: PerficsWeights;
  rows: PerficsRow[];
  /** Columns left out of the ranking, and why (no readable verdict; no memory plan for a memory-weighted ranking). */
  unranked: Array<{ column: string; reason: string }>;
  /** Why a term did not count (no draft was graded), in words; absent when every term counted. */
  note?: string;
}

/** Refuses weights that cannot rank: negative, not numbers, or all zero. */
export function checkPerficsWeights(weights: PerficsWeights): string | null {
  for (const key of ["quality", "gain", "cost"] as const) {
    const w = weights[key];
    if (!Number.isFinite(w) || w < 0) return `the ${key} weight must be a number of 0 or more, got ${String(w)}`;
  }
  if (weights.quality + weights.gain + weights.cost <= 0) return "at least one weight (quality, gain or cost) must be above 0";
  if (!PERFICS_COSTS.includes(weights.costMeasure)) return `cost is measured in tokens, wall time or memory, got '${String(weights.costMeasure)}'`;
  return null;
}

/** Maps values onto 0–1 between their lowest and highest; `lowerIsBetter` turns it round; no spread gives 1. */
function normalise(values: readonly number[], lowerIsBetter = false): number[] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (!(hi > lo)) return values.map(() => 1);
  return values.map((v) => (lowerIsBetter ? (hi - v) / (hi - lo) : (v - lo) / (hi - lo)));
}

function costOf(input: PerficsInput, measure: PerficsCost): number | null {
  if (measure === "tokens") return input.tokens;
  if (measure === "wall") return input.wallMs;
  return input.memoryBytes;
}

export function rankPerfics(inputs: readonly PerficsInput[], weights: PerficsWeights): PerficsRanking {
  const refused = checkPerficsWeights(weights);
  if (refused) throw new Error(refused);
  const unranked: PerficsRanking["unranked"] = [];
  const ranked = inputs.filter((input): input is PerficsInput & { quality: number } => {
    if (input.quality === null || !Number.isFinite(input.quality)) {
      unranked.push({ column: input.column, reason: "no readable judge verdict" });
      return false;
    }
    const cost = costOf(input, weights.costMeasure);
    if (cost !== null && Number.isFinite(cost)) return true;
    unranked.push({ column: input.column, reason: `no ${PERFICS_COST_LABELS[weights.costMeasure]} recorded` });
    return false;
  });
  // Gain counts only when every ranked column's draft was graded: a column without one cannot be placed on it.
  const gains = ranked.map((input) => (input.draftQuality === null ? null : input.quality - input.draftQuality));
  const withGain = gains.every((g) => g !== null);
  const gainWeight = withGain ? weights.gain : 0;
  const total = weights.quality + gainWeight + weights.cost;
  const note =
    !withGain && weights.gain > 0 && ranked.length
      ? "gain over the draft left out: the drafts of some columns were not graded (judged open-ended answers); the other weights count in proportion"
      : undefined;
  if (ranked.length && total <= 0) throw new Error("with gain left out, the quality or cost weight must be above 0");
  const quality = normalise(ranked.map((r) => r.quality));
  const gain = withGain ? normalise(gains as number[]) : null;
  const costs = ranked.map((r) => costOf(r, weights.costMeasure)!);
  const cost = normalise(costs, true);
  const scored = ranked.map((input, i) => {
    const terms = { quality: quality[i]!, gain: gain ? gain[i]! : null, cost: cost[i]! };
    const score = (weights.quality * terms.quality + gainWeight * (terms.gain ?? 0) + weights.cost * terms.cost) / total;
    return { column: input.column, score, terms, cost: costs[i]!, gain: gains[i] ?? null };
  });
  const order = [...scored].sort((a, b) => b.score - a.score);
  const rows = order.map((row) => ({ ...row, rank: 1 + order.filter((other) => other.score > row.score + 1e-12).length }));
  return { weights, rows, unranked, ...(note ? { note } : {}) };
}

/**
 * A judged score on 0–1: checklist fractions and pairwise win rates already are; rubric ratings 1–10 become
 * (r − 1) / 9. Null when the judges left no readable verdict (the score is NaN, or null over JSON).
 */
function judgedQuality(judged: JudgedColumn): number | null {
  if (judged.score === null || !Number.isFinite(judged.score)) return null;
  return judged.grader === "rubric" ? (judged.score - 1) / 9 : judged.score;
}

/**
 * The ranking's inputs from an experiment's summary: quality is the judges' score where the column was judged, the
 * checker's accuracy otherwise; the draft's quality is the first candidate's accuracy, known only when the quality
 * is the checker's (judges grade final answers only). `memory`: the joint plan's bytes per column, where recorded.
 */
export function perficsInputs(columns: readonly ColumnSummary[], memory: Readonly<Record<string, number>> = {}): PerficsInput[] {
  // The pairwise baseline is not judged against itself: against itself it ties, a win rate of ½.
  const pairwiseBaseline = columns.find((c) => c.judged?.grader === "pairwise")?.judged?.baseline;
  return columns.map((c) => {
    const draft = c.dynamics[0];
    const checked = c.column !== pairwiseBaseline && !c.judged;
    return {
      column: c.column,
      quality: c.judged ? judgedQuality(c.judged) : checked ? c.accuracy : 0.5,
      draftQuality: checked && draft ? draft.accuracy : null,
      tokens: c.meanTotalTokens,
      wallMs: c.meanWallMs,
      memoryBytes: memory[c.column] ?? null,
    };
  });
}

/** A column's cost in the unit the ranking used: "1,234 tokens", "2.31 s", "1.1 GiB". */
export function formatPerficsCost(cost: number, measure: PerficsCost): string {
  if (measure === "tokens") return `${Math.round(cost)} tokens`;
  if (measure === "wall") return formatDuration(cost);
  return formatBytes(cost);
}

/** The ranking's rule in one sentence, for the compare view and the report. */
export const PERFICS_RULE =
  "score = weighted mean of quality after refinement, gain over the draft and cheapness, each min-max normalised across the ranked columns (worst 0, best 1; a term every column shares gives 1)";
