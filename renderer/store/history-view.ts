// Which runs the history list shows and in what order: a search over the question, models, strategy and answer,
// filters by strategy, model and status, and a sort. Pure, so the list and its tests agree.
import type { RunSummary } from "../../native/protocol/contract.ts";

export const HISTORY_SORTS = { newest: "newest first", oldest: "oldest first", longest: "longest first", shortest: "shortest first" } as const;
export type HistorySort = keyof typeof HISTORY_SORTS;

export interface HistoryView {
  search: string;
  strategy: string;
  model: string;
  status: string;
  sort: HistorySort;
}

export const defaultHistoryView: HistoryView = { search: "", strategy: "", model: "", status: "", sort: "newest" };

/** How long a run took; a run still going counts up to `now`, one that never recorded its end has none. */
export function durationOf(run: RunSummary, now = Date.now()): number | null {
  const start = Date.parse(run.createdAt);
  const end = run.endedAt ? Date.parse(run.endedAt) : run.status === "running" ? now : Number.NaN;
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : null;
}

const modelsOf = (run: RunSummary) => [run.actor, run.critic].filter((m): m is string => m !== null);

/** The values each filter can take, from the runs listed. */
export function historyChoices(runs: RunSummary[]) {
  const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
  return { strategies: sorted(runs.map((r) => r.strategy)), models: sorted(runs.flatMap(modelsOf)), statuses: sorted(runs.map((r) => r.status)) };
}

export function visibleRuns(runs: RunSummary[], view: HistoryView): RunSummary[] {
  const words = view.search.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = runs.filter((run) => {
    if (view.strategy && run.strategy !== view.strategy) return false;
    if (view.status && run.status !== view.status) return false;
    if (view.model && !modelsOf(run).includes(view.model)) return false;
    const text = [run.question, run.strategy, run.status, run.answer ?? "", run.runId, ...modelsOf(run)].join(" ").toLowerCase();
    return words.every((word) => text.includes(word));
  });
  const byDate = (a: RunSummary, b: RunSummary) => b.createdAt.localeCompare(a.createdAt);
  const byDuration = (a: RunSummary, b: RunSummary) => (durationOf(b) ?? -1) - (durationOf(a) ?? -1);
  const order: Record<HistorySort, (a: RunSummary, b: RunSummary) => number> = {
    newest: byDate,
    oldest: (a, b) => byDate(b, a),
    longest: byDuration,
    shortest: (a, b) => byDuration(b, a),
  };
  return shown.sort(order[view.sort]);
}
