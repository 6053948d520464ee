// An experiment's statistics: accuracy with intervals, paired comparison against a baseline, refinement
// transitions and dynamics, the accuracy-vs-tokens frontier, budget-matched accuracy, per-field breakdowns, the
// sampling frontier and every column against it, accuracy by difficulty, why cells stopped and how they sampled.
import type { EffectiveSampling, RoleSampling } from "../../protocol/sampling-policy.ts";
import type {
  CellResult,
  ColumnSummary,
  ExperimentSummary,
  FieldBreakdown,
  FrontierCurve,
  JudgedColumn,
  TrajectoryPoint,
} from "../../protocol/experiment-results.ts";
import { cutBeforeFirstRevision, STOP_REASON_LABELS } from "../../protocol/stop-reason.ts";
import { difficultyPanel, difficultyRates } from "./difficulty.ts";
import { columnFrontier, readAtTokens, versusFrontier, type ColumnFrontier, type Sample } from "../frontier.ts";
import { latticeBootstrapInterval, mean, pairedComparisonOverRepeats, paretoFrontier, transitions, wilsonInterval } from "../stats.ts";

export type { ColumnSummary, ExperimentSummary, FieldBreakdown };

/**
 * Accuracy per value of each categorical dataset field (MATH-500's level and subject, say): fields with 2 to 20
 * distinct values over the items every column finished; an item counts by its accuracy over its repeats.
 */
export function breakdownByField(
  results: readonly CellResult[],
  columns: readonly string[],
  itemFields: ReadonlyArray<Record<string, string>>,
): FieldBreakdown[] {
  const byKey = new Map<string, CellResult[]>();
  for (const r of results) {
    const key = `${r.item}|${r.column}`;
    const cells = byKey.get(key);
    if (cells) cells.push(r);
    else byKey.set(key, [r]);
  }
  const rateOf = (item: number, column: string) => mean(byKey.get(`${item}|${column}`)!.map((r) => Number(r.correct === true)));
  const items = [...new Set(results.map((r) => r.item))].filter((item) => columns.every((c) => byKey.has(`${item}|${c}`))).sort((a, b) => a - b);
  const fields = [...new Set(items.flatMap((item) => Object.keys(itemFields[item] ?? {})))].sort();
  const breakdowns: FieldBreakdown[] = [];
  for (const field of fields) {
    const values = [...new Set(items.map((item) => itemFields[item]?.[field]).filter((v): v is string => v !== undefined))];
    if (values.length < 2 || values.length > 20) continue;
    values.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    breakdowns.push({
      field,
      rows: values.map((value) => {
        const matching = items.filter((item) => itemFields[item]?.[field] === value);
        return {
          value,
          items: matching.length,
          accuracy: Object.fromEntries(columns.map((c) => [c, mean(matching.map((item) => rateOf(item, c)))])),
        };
      }),
    });
  }
  return breakdowns;
}

/** Whether a run's answer was right once it had spent `budget` tokens. */
export function correctWithin(cell: CellResult, budget: number): boolean {
  if (cell.totalTokens <= budget) return cell.correct === true;
  const trajectory = cell.trajectory ?? [];
  // The last candidate complete within the budget (tokens only grow along a trajectory).
  for (let k = trajectory.length - 1; k >= 0; k--) if (trajectory[k]!.tokens <= budget) return trajectory[k]!.correct === true;
  return false;
}

function dynamicsOf(cells: readonly CellResult[]): ColumnSummary["dynamics"] {
  const longest = cells.reduce((most, c) => Math.max(most, c.trajectory?.length ?? 0), 0);
  const items = new Array<number>(longest).fill(0);
  const right = new Array<number>(longest).fill(0);
  const scored = new Array<number>(longest).fill(0);
  const scoreSum = new Array<number>(longest).fill(0);
  for (const cell of cells) {
    const trajectory: readonly TrajectoryPoint[] = cell.trajectory ?? [];
    for (let k = 0; k < trajectory.length; k++) {
      const p = trajectory[k]!;
      items[k]!++;
      if (p.correct === true) right[k]!++;
      if (p.score !== null) {
        scored[k]!++;
        scoreSum[k]! += p.score;
      }
    }
  }
  return items.map((count, k) => ({
    candidate: k,
    items: count,
    accuracy: count ? right[k]! / count : Number.NaN,
    meanScore: scored[k] ? scoreSum[k]! / scored[k]! : null,
  }));
}

/** Whether a column's cells are independent samples with their answers kept, so the column yields a frontier. */
function yieldsFrontier(cells: readonly CellResult[]): boolean {
  return cells.length > 0 && cells.every((c) => c.independentSamples && (c.trajectory ?? []).every((p) => p.group !== undefined));
}

// A checkpoint line's samples, built once per line read: the frontier's per-item curves are memoised on them.
const samplesOfCell = new WeakMap<CellResult, Sample[]>();

function samplesOf(cell: CellResult): Sample[] {
  let samples = samplesOfCell.get(cell);
  if (!samples) {
    samples = (cell.trajectory ?? []).map((p) => ({ group: p.group ?? null, correct: p.correct === true, score: p.score }));
    samplesOfCell.set(cell, samples);
  }
  return samples;
}

function frontierOf(cells: readonly CellResult[]): ColumnFrontier {
  return columnFrontier(cells.map((c) => ({ samples: samplesOf(c), totalTokens: c.totalTokens })));
}

/** The best non-oracle sampling curve at a budget, for the budget-matched table. */
function bestSamplingAt(frontiers: ReadonlyMap<string, ColumnFrontier>, budget: number): Pick<ExperimentSummary["budgetMatched"][number], "bestSampling"> {
  let best: ExperimentSummary["budgetMatched"][number]["bestSampling"];
  for (const [column, f] of frontiers)
    for (const measure of ["majAtK", "weightedVoteAtK", "bestOfKAtK"] as const) {
      const accuracy = readAtTokens(f.points, budget, measure);
      if (Number.isFinite(accuracy) && (!best || accuracy > best.accuracy)) best = { column, measure, accuracy };
    }
  return best ? { bestSampling: best } : {};
}

/** Cells by stop reason, those cut before their first revision, and the warning when that is most of them. */
function stopsOf(cells: readonly CellResult[]): Pick<ColumnSummary, "stops" | "cutBeforeRevision" | "cutBeforeRevisionBy" | "warning"> {
  const stops: ColumnSummary["stops"] = {};
  for (const c of cells) if (c.stopReason) stops[c.stopReason] = (stops[c.stopReason] ?? 0) + 1;
  // The token gate and a full context stop the procedure (an answer cut at max tokens does not). Independent samples
  // are not revisions of a draft: a capped sampling column is counted, not warned about.
  const cut = cells.filter((c) => !c.independentSamples && cutBeforeFirstRevision(c.stopReason, c.trajectory?.length ?? 0));
  const reasons = [...new Set(cut.map((c) => c.stopReason!))];
  const byReason = reasons.map((r) => STOP_REASON_LABELS[r]).join(", ");
  return {
    stops,
    cutBeforeRevision: cut.length,
    ...(cut.length ? { cutBeforeRevisionBy: reasons } : {}),
    ...(cut.length > cells.length / 2
      ? {
          warning: `${cut.length} of ${cells.length} cells were cut (${byReason}) before their first revision: this column measured first drafts, not the strategy — raise the cap or the context`,
        }
      : {}),
  };
}

/** The sampling a column's cells used: every temperature any cell used, per role. */
function samplingOf(cells: readonly CellResult[]): Pick<ColumnSummary, "sampling"> {
  const recorded = cells.map((c) => c.sampling).filter((s): s is EffectiveSampling => s !== undefined);
  if (!recorded.length) return {};
  const merge = (role: "actor" | "critic"): RoleSampling => {
    const first = recorded[0]![role];
    const union = (pick: (r: RoleSampling) => number[] | undefined) => [...new Set(recorded.flatMap((s) => pick(s[role]) ?? []))].sort((a, b) => a - b);
    const required = union((r) => r.required);
    return {
      temperatures: union((r) => r.temperatures),
      ...(required.length ? { required } : {}),
      ...(first.topP !== undefined ? { topP: first.topP } : {}),
      ...(first.topK !== undefined ? { topK: first.topK } : {}),
    };
  };
  return { sampling: { policy: recorded[0]!.policy, actor: merge("actor"), critic: merge("critic"), seedRule: recorded[0]!.seedRule } };
}

/** Each column's cells by item, each item's row indexed by repeat (a row with a hole is an item not finished). */
function cellsByColumn(results: readonly CellResult[], columns: readonly string[], repeats: number): Map<string, Map<number, CellResult[]>> {
  const byColumn = new Map(columns.map((c) => [c, new Map<number, CellResult[]>()]));
  for (const r of results) {
    const repeat = r.repeat ?? 0;
    const rows = byColumn.get(r.column);
    if (!rows || repeat >= repeats) continue;
    let row = rows.get(r.item);
    if (!row) {
      row = new Array<CellResult>(repeats);
      rows.set(r.item, row);
    }
    row[repeat] = r;
  }
  return byColumn;
}

function complete(row: readonly CellResult[] | undefined): row is CellResult[] {
  if (!row) return false;
  for (let r = 0; r < row.length; r++) if (row[r] === undefined) return false;
  return true;
}

/** Item ids whose cells disagree about correctness across repeats. */
function flakyItems(rows: ReadonlyArray<readonly CellResult[]>): string[] {
  return rows.filter((row) => row.some((c) => (c.correct === true) !== (row[0]!.correct === true))).map((row) => row[0]!.itemId);
}

/**
 * The statistics over the items every column finished in every repeat. With `repeats` seeds per cell an item counts
 * once, by its accuracy over its repeats: accuracy is the mean of those, intervals and paired comparisons resample
 * items with their repeats together, and per-cell counts (stops, transitions, dynamics) count every cell.
 */
export interface SummaryOptions {
  /** Seeds per (item, column); default 1. */
  repeats?: number;
  /** Columns run only for the sampling frontier (`--frontier n`): they yield a frontier and nothing else. */
  frontierOnly?: readonly string[];
  /** The judges' summary per judged column (experiments with a grader). */
  judged?: ReadonlyMap<string, JudgedColumn>;
}

export function summarize(results: readonly CellResult[], columns: readonly string[], baseline = columns[0]!, options: SummaryOptions = {}): ExperimentSummary {
  const repeats = options.repeats ?? 1;
  const judged = options.judged ?? new Map<string, JudgedColumn>();
  const hidden = (options.frontierOnly ?? []).filter((c) => !columns.includes(c));
  // Only items every column finished are compared, so the pairs line up.
  const byColumn = cellsByColumn(results, [...columns, ...hidden], repeats);
  const items = [...(byColumn.get(baseline)?.keys() ?? [])]
    .filter((item) => [...columns, ...hidden].every((c) => complete(byColumn.get(c)!.get(item))))
    .sort((a, b) => a - b);
  const rows = new Map([...columns, ...hidden].map((c) => [c, items.map((item) => byColumn.get(c)!.get(item)!)]));
  const rowsOf = (column: string) => rows.get(column)!;
  // Item-major: item i's repeats at i·repeats …, the order the frontier pairs items in.
  const flat = new Map([...rows].map(([c, r]) => [c, r.flat()]));
  const cellsOf = (column: string) => flat.get(column)!;
  const correctByRepeat = (column: string) => Array.from({ length: repeats }, (_, r) => rowsOf(column).map((row) => row[r]!.correct === true));
  const rateOf = (column: string) => rowsOf(column).map((row) => row.reduce((sum, c) => sum + Number(c.correct === true), 0) / repeats);
  const frontiers = new Map([...columns, ...hidden].filter((c) => yieldsFrontier(cellsOf(c))).map((c) => [c, frontierOf(cellsOf(c))]));
  // Other columns are read against the frontier asked for with --frontier, else the one with the most samples (the
  // widest range of budgets).
  const reference = [...frontiers.entries()].sort((a, b) => Number(hidden.includes(b[0])) - Number(hidden.includes(a[0])) || b[1].n - a[1].n)[0];
  const summaries = columns.map((column): ColumnSummary => {
    const cells = cellsOf(column);
    const rates = rateOf(column);
    const meanTotalTokens = mean(cells.map((c) => c.totalTokens));
    const initial = cells.map((c) => c.initialCorrect);
    const flaky = repeats > 1 ? flakyItems(rowsOf(column)) : undefined;
    return {
      column,
      items: items.length,
      accuracy: mean(rates),
      interval: repeats === 1 ? wilsonInterval(rates.filter((r) => r === 1).length, rates.length) : latticeBootstrapInterval(rates, repeats),
      ...(flaky ? { flaky } : {}),
      failed: cells.filter((c) => c.status === "failed").length,
      meanPathTokens: mean(cells.map((c) => c.pathTokens)),
      meanTotalTokens,
      meanThoughtTokens: mean(cells.map((c) => c.thoughtTokens ?? 0)),
      meanWallMs: mean(cells.map((c) => c.wallMs)),
      tokensPerSecond: cells.reduce((sum, c) => sum + c.totalTokens, 0) / Math.max(1e-9, cells.reduce((sum, c) => sum + c.wallMs, 0) / 1000),
      versusBaseline: column === baseline ? null : pairedComparisonOverRepeats(correctByRepeat(baseline), correctByRepeat(column)),
      transitions:
        initial.every((v) => v !== null) && cells.length
          ? transitions(
              initial as boolean[],
              cells.map((c) => c.correct === true),
            )
          : null,
      dynamics: dynamicsOf(cells),
      ...stopsOf(cells),
      ...samplingOf(cells),
      ...(reference && reference[0] !== column && cells.length
        ? {
            versusFrontier: {
              frontierColumn: reference[0],
              budget: meanTotalTokens,
              ...versusFrontier(reference[1], rates, meanTotalTokens, repeats, correctByRepeat(column)),
            },
          }
        : {}),
      ...(cells.some((c) => c.oracle) ? { oracle: true as const } : {}),
      ...(judged.has(column) ? { judged: judged.get(column)! } : {}),
    };
  });
  const budgets = [...new Set(summaries.map((s) => Math.round(s.meanTotalTokens)))].filter((b) => b > 0).sort((a, b) => a - b);
  const rated = difficultyRates(items, (item, column) => byColumn.get(column)!.get(item)!, columns, reference?.[0]);
  const difficulty = rated
    ? difficultyPanel(
        rated.rates,
        rated.basis,
        summaries.filter((s) => !s.oracle).map((s) => ({ column: s.column, meanTokens: s.meanTotalTokens, correct: rateOf(s.column) })),
        budgets,
      )
    : undefined;
  return {
    baseline,
    repeats,
    columns: summaries,
    pareto: paretoFrontier(summaries.map((s) => ({ id: s.column, tokens: s.meanTotalTokens, accuracy: s.accuracy }))),
    budgetMatched: budgets.map((budget) => ({
      budget,
      accuracy: Object.fromEntries(columns.map((column) => [column, mean(cellsOf(column).map((cell) => Number(correctWithin(cell, budget))))])),
      ...bestSamplingAt(frontiers, budget),
    })),
    frontier: [...frontiers.entries()].map(
      ([column, f]): FrontierCurve => ({
        column,
        n: f.n,
        points: f.points,
        ...(f.weightedVoteDrawnK ? { weightedVoteDrawnK: f.weightedVoteDrawnK } : {}),
        ...(hidden.includes(column) ? { hidden: true as const } : {}),
      }),
    ),
    ...(difficulty && items.length ? { difficulty } : {}),
  };
}
