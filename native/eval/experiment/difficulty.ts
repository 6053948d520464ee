// Accuracy by item difficulty, and what choosing a column per difficulty would score. Difficulty comes from the
// sampling column's per-item pass rate c/n (or, without one, from how many columns' first drafts were right, over every
// repeat), so "hard" means what the model itself finds hard, not a label someone gave the item.
import type { CellResult, DifficultyPanel } from "../../protocol/experiment-results.ts";

/** The bins and their edges: 0, (0, ¼], (¼, ½], (½, ¾], (¾, 1), 1. */
export const DIFFICULTY_BINS = ["0", "(0, ¼]", "(¼, ½]", "(½, ¾]", "(¾, 1)", "1"] as const;

export function binOf(rate: number): (typeof DIFFICULTY_BINS)[number] {
  if (rate <= 0) return "0";
  if (rate >= 1) return "1";
  if (rate <= 0.25) return "(0, ¼]";
  if (rate <= 0.5) return "(¼, ½]";
  if (rate <= 0.75) return "(½, ¾]";
  return "(¾, 1)";
}

interface Column {
  column: string;
  meanTokens: number;
  /** Correctness per item, in the order of the items given: right or wrong, or the share right over repeats. */
  correct: ReadonlyArray<boolean | number>;
}

/** The items of `items` a column got right: a count, or with repeats the sum of their shares. */
function rightOf(column: Column, items: readonly number[]): number {
  let right = 0;
  for (const i of items) right += Number(column.correct[i]);
  return right;
}

/** For each bin, the column with the best accuracy on `items` (ties: the cheaper, then the earlier column). */
function choosePerBin(bins: readonly string[], items: readonly number[], columns: readonly Column[]): Map<string, Column> {
  const choice = new Map<string, Column>();
  for (const bin of new Set(items.map((i) => bins[i]!))) {
    const inBin = items.filter((i) => bins[i] === bin);
    let best: { column: Column; right: number } | null = null;
    for (const column of columns) {
      const right = rightOf(column, inBin);
      if (!best || right > best.right || (right === best.right && column.meanTokens < best.column.meanTokens)) best = { column, right };
    }
    if (best) choice.set(bin, best.column);
  }
  return choice;
}

/**
 * The difficulty panel over the compared items: each bin's item count and every column's accuracy in it, and for
 * each budget the per-bin choice among the columns at or under it, scored cross-fitted — chosen on the even-indexed
 * items and scored on the odd ones, then the other way round, averaged — so the choice does not flatter itself. A bin
 * seen only in the scoring half falls back to the column best over all of the choosing half.
 */
export function difficultyPanel(rates: readonly number[], basis: string, columns: readonly Column[], budgets: readonly number[]): DifficultyPanel {
  const bins = rates.map(binOf);
  const all = rates.map((_, i) => i);
  const rows = DIFFICULTY_BINS.map((label) => {
    const inBin = all.filter((i) => bins[i] === label);
    return {
      label,
      items: inBin.length,
      accuracy: Object.fromEntries(columns.map((c) => [c.column, inBin.length ? rightOf(c, inBin) / inBin.length : Number.NaN])),
    };
  });
  const halves = [all.filter((i) => i % 2 === 0), all.filter((i) => i % 2 === 1)] as const;
  const choices = budgets.flatMap((budget) => {
    const eligible = columns.filter((c) => c.meanTokens <= budget + 1e-9);
    if (!eligible.length || all.length < 2) return [];
    const scoreOn = (choose: readonly number[], score: readonly number[]) => {
      const choice = choosePerBin(bins, choose, eligible);
      const fallback = choosePerBin(
        bins.map(() => "all"),
        choose,
        eligible,
      ).get("all")!;
      return score.reduce((sum, i) => sum + Number((choice.get(bins[i]!) ?? fallback).correct[i]), 0) / score.length;
    };
    const accuracy = (scoreOn(halves[0], halves[1]) + scoreOn(halves[1], halves[0])) / 2;
    const onAll = choosePerBin(bins, all, eligible);
    return [{ budget, accuracy, columns: Object.fromEntries([...onAll].map(([bin, c]) => [bin, c.column])) }];
  });
  return { basis, edges: [...DIFFICULTY_BINS], bins: rows, choice: choices };
}

/**
 * Per-item pass rates from a sampling column's samples (all its repeats' samples pooled), or, without one, the share
 * of first drafts that were right over every column with drafts and every repeat.
 */
export function difficultyRates(
  items: readonly number[],
  cellsOf: (item: number, column: string) => readonly CellResult[],
  columns: readonly string[],
  samplingColumn: string | undefined,
): { rates: number[]; basis: string } | null {
  if (samplingColumn) {
    return {
      basis: `the pass rate c/n of ${samplingColumn}'s samples`,
      rates: items.map((item) => {
        let samples = 0;
        let right = 0;
        for (const cell of cellsOf(item, samplingColumn))
          for (const point of cell.trajectory ?? []) {
            samples++;
            if (point.correct === true) right++;
          }
        return samples ? right / samples : 0;
      }),
    };
  }
  const withDrafts = columns.filter((c) => items.every((item) => cellsOf(item, c).every((cell) => cell.initialCorrect !== null)));
  if (!withDrafts.length) return null;
  const repeats = items.length ? cellsOf(items[0]!, withDrafts[0]!).length : 1;
  return {
    basis: `the share of ${withDrafts.length} column${withDrafts.length === 1 ? "" : "s"}' first drafts that were right${repeats > 1 ? ` over ${repeats} repeats` : ""}`,
    rates: items.map((item) => {
      const drafts = withDrafts.flatMap((c) => cellsOf(item, c));
      return drafts.filter((cell) => cell.initialCorrect === true).length / drafts.length;
    }),
  };
}
