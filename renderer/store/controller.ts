// The UI's actions that talk to the engine, by area (actions/): each calls the bridge and records the outcome in
// the store. Errors come back as values and are shown where the user is looking. This module starts the app:
// it routes the engine's pushed events to the areas and loads what the first screen shows.
import type { Bridge, EngineEvent } from "../../native/protocol/contract.ts";
import { jobOfEvent } from "../../native/protocol/job-kinds.ts";
import { type ActionContext, createViewRequests } from "./actions/context.ts";
import { createCriticEvalActions } from "./actions/critic-evals.ts";
import { createExperimentActions } from "./actions/experiments.ts";
import { createJudgeEvalActions } from "./actions/judge-evals.ts";
import { createModelActions } from "./actions/models.ts";
import { createRunActions } from "./actions/runs.ts";
import { setupFromRun } from "./setup-from-run.ts";
import type { AppStore } from "./store.ts";
import { formatRoute, isNavigation, parseRoute, routeOf, sameRoute } from "./url-state.ts";

export { loadFromForm } from "./actions/load-form.ts";
export type { ExperimentPairForm } from "./actions/experiments.ts";

export type Controller = ReturnType<typeof createController>;

export function createController(bridge: Bridge, store: AppStore, location: ActionContext["location"]) {
  const ctx: ActionContext = { bridge, store, location, views: createViewRequests() };
  const state = () => store.getState();
  const runs = createRunActions(ctx);
  const models = createModelActions(ctx);
  const experiments = createExperimentActions(ctx);
  const criticEvals = createCriticEvalActions(ctx);
  const { onJudgeEvalEvent, ...judgeEvals } = createJudgeEvalActions(ctx);

  // The address follows what is shown. While an address is being applied (the first load, a pasted link, back or
  // forward) it is not written, so a half-applied route never replaces the one being followed.
  let applyingRoute = 0;
  function writeAddress(mode?: "replace") {
    if (applyingRoute > 0) return;
    const shown = routeOf(state());
    const addressed = parseRoute(location.hash);
    if (sameRoute(shown, addressed)) return;
    location.setHash(formatRoute(shown), mode ?? (isNavigation(addressed, shown) ? "push" : "replace"));
  }
  store.subscribe((next, previous) => {
    if (
      next.view !== previous.view ||
      next.currentRunId !== previous.currentRunId ||
      next.currentRunExperiment !== previous.currentRunExperiment ||
      next.currentRunEvaluation !== previous.currentRunEvaluation ||
      next.selectedNodeId !== previous.selectedNodeId ||
      next.historyView !== previous.historyView ||
      next.experiment?.path !== previous.experiment?.path
    )
      writeAddress();
  });

  /** Shows what an address names: its tab, experiment, run (from the runs folder or the experiment) and node. */
  async function applyAddress(hash: string, ticket = ctx.views.request()) {
    const route = parseRoute(hash);
    applyingRoute++;
    try {
      if (route.experiment && state().experiment?.path !== route.experiment) await experiments.loadExperiment(route.experiment);
      const runSource = route.cell ? route.experiment : null;
      if (!ctx.views.isLatest(ticket)) return;
      const shownElsewhere = runSource !== state().currentRunExperiment || route.evaluation !== state().currentRunEvaluation;
      if (route.run && (route.run !== state().currentRunId || shownElsewhere)) {
        if (route.evaluation) await criticEvals.openCriticEvalRun(route.run, route.evaluation, ticket);
        else if (runSource) await experiments.openExperimentRun(route.run, ticket, runSource);
        else await runs.openRun(route.run, ticket);
      } else if (!route.run && state().currentRunId) state().showRun(null);
      if (!ctx.views.isLatest(ticket)) return;
      state().setView(route.tab);
      if (formatRoute({ ...route, history: state().historyView }) !== formatRoute(route)) state().updateHistoryView(route.history);
      if (route.node && state().runs[route.run ?? ""]?.nodes[route.node]) state().selectNode(route.node);
    } finally {
      applyingRoute--;
    }
  }

  /** The address changed under the page (a pasted link, back, forward): show what it names now. */
  async function followAddress() {
    if (sameRoute(routeOf(state()), parseRoute(location.hash))) return;
    await applyAddress(location.hash);
    writeAddress("replace");
  }

  function onEngineEvent(event: EngineEvent) {
    // A job's reports, its end included, come from the engine; when the engine dies the supervisor reports each of
    // its jobs failed (protocol/job-kinds.ts), so the UI never ends a job itself.
    const job = jobOfEvent(event);
    if (event.type === "run-events") {
      state().applyEvents(event.runId, event.events);
      if (job?.ended) void runs.refreshHistory();
    } else if (event.type === "download") {
      state().setDownload(event);
      if (event.state === "done") void models.refreshLibrary();
    } else if (event.type === "critic-eval") {
      state().setCriticEval(event);
    } else if (event.type === "judge-eval") {
      onJudgeEvalEvent(event);
    } else if (event.type === "experiment-progress") {
      state().setExperimentProgress(event);
      // The grid fills in as cells finish: reload the open experiment, at most a few times a second.
      if (state().experiment?.path === event.path) experiments.scheduleExperimentReload();
      if (job?.ended) void experiments.refreshExperiments();
    } else {
      state().setEngine({ status: event.status, detail: event.detail });
      if (event.status === "crashed")
        state().pushError(
          "engine",
          `${event.detail ?? "the engine process stopped"}. Completed nodes are kept in the run log; the next run starts a fresh engine.`,
        );
    }
  }

  async function init() {
    // The run the address names is opened last, unless the user opens or starts another before then.
    const linked = ctx.views.request();
    // What the page shows before anything loads: if the user goes elsewhere meanwhile (a tab, an experiment, a
    // run), that stays, and the address is not applied over it.
    const untouched = routeOf(state());
    // Nothing shown while the first screen loads is written to the address before the address is applied.
    applyingRoute++;
    try {
      bridge.subscribe(onEngineEvent);
      // Strategies do not wait for llama.cpp to load (engineInfo does).
      const strategies = bridge.listStrategies({}).then((result) => result.ok && state().setStrategies(result.value));
      const info = bridge.engineInfo({}).then((result) => {
        if (result.ok) state().setEngine({ info: result.value, status: "ready" });
        else state().pushError("engine", result.error);
      });
      await Promise.all([strategies, info]);
      await runs.refreshHistory();
      void models.refreshGpu();
      void models.refreshLibrary();
      await restoredSetupChecked();
    } finally {
      applyingRoute--;
    }
    if (ctx.views.isLatest(linked) && sameRoute(routeOf(state()), untouched)) await applyAddress(location.hash, linked);
    // What the user opened meanwhile (or nothing) is what the address keeps.
    writeAddress("replace");
    state().setRestored(true);
  }

  /** A setup kept from the last visit: a strategy this engine no longer has falls back, the files are read again. */
  async function restoredSetupChecked() {
    const { setup, strategies } = state();
    if (strategies.length && !strategies.some((s) => s.name === setup.strategy)) state().updateSetup({ strategy: strategies[0]!.name, params: {} });
    const paths = [...new Set([setup.actorPath.trim(), setup.criticPath.trim()].filter(Boolean))];
    await Promise.all(paths.map((path) => models.inspectModel(path, { keepLoad: true })));
  }

  /** Loads a run's settings (models, strategy, parameters, task, seed, load settings it recorded) into the setup form. */
  async function runAgainWith(runId: string) {
    const run = state().runs[runId];
    const setup = run ? setupFromRun(run, state().setup) : null;
    if (!setup) {
      state().pushError("run", "this run's settings are not known yet; wait until it has started");
      return;
    }
    state().updateSetup(setup);
    await restoredSetupChecked();
  }

  const { scheduleExperimentReload: _reload, ...experimentActions } = experiments;
  /** Web mode's link to a file the engine wrote for the page; null in the desktop app (the path is local there). */
  const downloadUrl = (path: string, options?: { open?: boolean }) => bridge.downloadUrl?.(path, options) ?? null;

  return { init, followAddress, runAgainWith, downloadUrl, ...runs, ...models, ...experimentActions, ...criticEvals, ...judgeEvals };
}
