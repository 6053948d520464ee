// What the address says: the tab, the run (and whether it is a cell of the open experiment or a row of a critic
// evaluation), the selected node, the open experiment and the history list's search, filters and sort, as
// `#tab=compare&experiment=/x&run=<id>&node=n3&filter-strategy=best-of-n`. The address follows the store, and a
// changed address (a pasted link, back, forward) is applied to the store; `#run=<id>` alone stays valid.
import { defaultHistoryView, HISTORY_SORTS, type HistorySort, type HistoryView } from "./history-view.ts";
import type { AppState } from "./store.ts";

/** The history list's fields and their names in the address (only those set differently from the default). */
const HISTORY_PARAMS: Record<keyof HistoryView, string> = {
  search: "search",
  strategy: "filter-strategy",
  model: "filter-model",
  status: "filter-status",
  sort: "sort",
};

export interface Route {
  tab: AppState["view"];
  run: string | null;
  node: string | null;
  experiment: string | null;
  /** The run is a cell of the experiment (its log lives in the experiment's folder). */
  cell: boolean;
  /** The run is a row of this critic evaluation (its log lives in the evaluation's folder). */
  evaluation: string | null;
  /** The history list's search, filters and sort. */
  history: HistoryView;
}

export function routeOf(
  state: Pick<AppState, "view" | "currentRunId" | "currentRunExperiment" | "currentRunEvaluation" | "selectedNodeId" | "experiment" | "historyView">,
): Route {
  return {
    tab: state.view,
    run: state.currentRunId,
    node: state.currentRunId ? state.selectedNodeId : null,
    experiment: state.currentRunExperiment ?? state.experiment?.path ?? null,
    cell: state.currentRunId !== null && state.currentRunExperiment !== null,
    evaluation: state.currentRunId ? state.currentRunEvaluation : null,
    history: state.historyView,
  };
}

export function formatRoute(route: Route): string {
  const params = new URLSearchParams();
  if (route.tab !== "run") params.set("tab", route.tab);
  if (route.experiment) params.set("experiment", route.experiment);
  if (route.run) params.set("run", route.run);
  if (route.run && route.cell) params.set("cell", "1");
  if (route.run && route.evaluation) params.set("critic-eval", route.evaluation);
  if (route.run && route.node) params.set("node", route.node);
  for (const [field, name] of Object.entries(HISTORY_PARAMS) as Array<[keyof HistoryView, string]>) {
    if (route.history[field] !== defaultHistoryView[field]) params.set(name, route.history[field]);
  }
  return params.toString();
}

export function parseRoute(hash: string): Route {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const run = params.get("run") || null;
  const experiment = params.get("experiment") || null;
  return {
    tab: params.get("tab") === "compare" ? "compare" : "run",
    run,
    node: run ? params.get("node") || null : null,
    experiment,
    cell: run !== null && experiment !== null && params.get("cell") === "1",
    evaluation: run ? params.get("critic-eval") || null : null,
    history: historyOf(params),
  };
}

/** The history view an address names; a sort it does not know is the default one. */
function historyOf(params: URLSearchParams): HistoryView {
  const text = (field: Exclude<keyof HistoryView, "sort">) => params.get(HISTORY_PARAMS[field]) ?? defaultHistoryView[field];
  const sort = params.get(HISTORY_PARAMS.sort);
  return {
    search: text("search"),
    strategy: text("strategy"),
    model: text("model"),
    status: text("status"),
    sort: sort !== null && Object.hasOwn(HISTORY_SORTS, sort) ? (sort as HistorySort) : defaultHistoryView.sort,
  };
}

/**
 * A change of tab, run or experiment is a new place to go back to; a node selected within a run is not, nor is a
 * change of the history list's filters (each keystroke of its search would be a step back otherwise).
 */
export function isNavigation(from: Route, to: Route): boolean {
  return from.tab !== to.tab || from.run !== to.run || from.experiment !== to.experiment || from.cell !== to.cell || from.evaluation !== to.evaluation;
}

export const sameRoute = (a: Route, b: Route) => formatRoute(a) === formatRoute(b);
