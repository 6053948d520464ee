// The UI's actions that talk to the engine, by area (actions/): each calls the bridge and records the outcome in
// the store. Errors come back as values and are shown where the user is looking. This module starts the app:
// it routes the engine's pushed events to the areas and loads what the first screen shows.
import type { Bridge, EngineEvent } from "../../native/protocol/contract.ts";
import { type ActionContext, createViewRequests } from "./actions/context.ts";
import { createCriticEvalActions } from "./actions/critic-evals.ts";
import { createExperimentActions } from "./actions/experiments.ts";
import { createModelActions } from "./actions/models.ts";
import { createRunActions } from "./actions/runs.ts";
import { setupFromRun } from "./setup-from-run.ts";
import type { AppStore } from "./store.ts";

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

  /** The engine stopped: what it was running ends as failed (a restarted engine does not continue it). */
  function failRunningWork() {
    for (const progress of Object.values(state().experimentProgress)) {
      if (progress.state === "running" || progress.state === "paused")
        state().setExperimentProgress({
          ...progress,
          state: "failed",
          running: 0,
          error: "the engine process stopped; start the experiment again to resume it",
        });
    }
    for (const evaluation of Object.values(state().criticEvals)) {
      if (evaluation.state === "running") state().setCriticEval({ ...evaluation, state: "failed", error: "the engine process stopped" });
    }
  }

  function onEngineEvent(event: EngineEvent) {
    if (event.type === "run-events") {
      state().applyEvents(event.runId, event.events);
      if (event.events.some((e) => e.type === "run-finished" || e.type === "run-failed")) void runs.refreshHistory();
    } else if (event.type === "download") {
      state().setDownload(event);
      if (event.state === "done") void models.refreshLibrary();
    } else if (event.type === "critic-eval") {
      state().setCriticEval(event);
    } else if (event.type === "experiment-progress") {
      state().setExperimentProgress(event);
      // The grid fills in as cells finish: reload the open experiment, at most a few times a second.
      if (state().experiment?.path === event.path) experiments.scheduleExperimentReload();
      if (event.state !== "running" && event.state !== "paused") void experiments.refreshExperiments();
    } else {
      state().setEngine({ status: event.status, detail: event.detail });
      if (event.status === "crashed") {
        failRunningWork();
        state().pushError(
          "engine",
          `${event.detail ?? "the engine process stopped"}. Completed nodes are kept in the run log; the next run starts a fresh engine.`,
        );
      }
    }
  }

  async function init() {
    // The run the address names is opened last, unless the user opens or starts another before then.
    const linked = ctx.views.request();
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
    const match = /run=([\w.-]+)/.exec(location.hash);
    if (match && ctx.views.isLatest(linked)) await runs.openRun(match[1]!, linked);
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
  return { init, runAgainWith, ...runs, ...models, ...experimentActions, ...criticEvals };
}
