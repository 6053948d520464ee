// The UI's actions that talk to the engine: each calls the bridge and records the outcome in the store.
// Errors come back as values and are shown where the user is looking.
import type { Bridge } from "../../native/protocol/contract.ts";
import type { LoadSettingsInfo } from "../../native/protocol/contract.ts";
import { parseStrategySpecs } from "../../native/strategies/spec.ts";
import { defaultLoad, type AppStore, type ExperimentForm, type LoadForm } from "./store.ts";

/** The form's load fields as contract load settings; empty fields mean the engine's defaults. */
export function loadFromForm(form: LoadForm): LoadSettingsInfo | undefined {
  const load: LoadSettingsInfo = {};
  const layers = form.gpuLayers.trim();
  if (layers && layers !== "auto") load.gpuLayers = layers === "max" ? "max" : Number(layers);
  if (form.contextSize.trim()) load.contextSize = Number(form.contextSize);
  if (form.flashAttention) load.flashAttention = true;
  return Object.keys(load).length ? load : undefined;
}

function formFromLoad(load: LoadSettingsInfo | undefined): LoadForm {
  if (!load) return defaultLoad;
  return { gpuLayers: load.gpuLayers === undefined ? "auto" : String(load.gpuLayers), contextSize: load.contextSize ? String(load.contextSize) : "", flashAttention: load.flashAttention === true };
}

export type Controller = ReturnType<typeof createController>;

export type ExperimentPairForm = ExperimentForm["pairs"][number];

/** A model spec naming an OpenAI-compatible endpoint rather than a GGUF file. */
export const isEndpoint = (spec: string) => spec.startsWith("openai:");

export function createController(bridge: Bridge, store: AppStore, location: { hash: string; setHash(hash: string): void }) {
  const state = () => store.getState();

  async function refreshHistory() {
    const result = await bridge.listRuns({});
    if (result.ok) state().setHistory(result.value);
    else state().pushError("history", result.error);
  }

  async function openRun(runId: string) {
    const result = await bridge.loadRun({ runId });
    if (!result.ok) {
      state().pushError("history", `cannot open run ${runId}: ${result.error}`);
      return;
    }
    state().replaceRun(runId, result.value);
    state().showRun(runId);
    location.setHash(`run=${runId}`);
  }

  /** The run setup's actor and critic (with their load settings) as a model pair for an experiment. */
  function setupPair(): ExperimentPairForm {
    const { setup } = state();
    const maxTokens = Number(setup.maxTokens) || undefined;
    const actorLoad = loadFromForm(setup.load.actor);
    const criticLoad = loadFromForm(setup.load.critic);
    return {
      actor: { path: setup.actorPath.trim(), ...(maxTokens ? { sampling: { maxTokens } } : {}), ...(actorLoad ? { load: actorLoad } : {}) },
      critic: { path: (setup.criticPath || setup.actorPath).trim(), ...(criticLoad ? { load: criticLoad } : {}) },
    };
  }

  let reloadTimer: ReturnType<typeof setTimeout> | null = null;
  function scheduleExperimentReload() {
    if (reloadTimer) return;
    reloadTimer = setTimeout(() => {
      reloadTimer = null;
      const experiment = state().experiment;
      if (experiment) void loadExperiment(experiment.path, experiment.summary.baseline);
    }, 250);
  }

  async function refreshExperiments() {
    const result = await bridge.listExperiments({});
    if (result.ok) state().setExperiments(result.value);
    else state().pushError("compare", result.error);
  }

  let experimentRequests = 0;
  async function loadExperiment(path: string, baseline?: string) {
    state().clearErrors("compare");
    // Reloads overlap while an experiment runs; only the newest answer may land, or a stale grid could win.
    const request = ++experimentRequests;
    const result = await bridge.loadExperiment({ path: path.trim(), ...(baseline ? { baseline } : {}) });
    if (request !== experimentRequests) return;
    if (!result.ok) {
      state().pushError("compare", result.error);
      return;
    }
    state().setExperiment(result.value);
    if (result.value.progress) state().setExperimentProgress(result.value.progress);
  }

  async function refreshLibrary() {
    const result = await bridge.listModels({});
    if (result.ok) state().setLibrary(result.value);
    else state().pushError("library", result.error);
  }

  async function refreshGpu(refresh = false) {
    const result = await bridge.gpuReport({ refresh });
    if (result.ok) state().setGpu(result.value);
    else state().pushError("engine", `cannot read the hardware: ${result.error}`);
  }

  /** The joint memory plan for the models in the form, recomputed when either changes. */
  async function planForSetup() {
    const { setup } = state();
    const actor = setup.actorPath.trim();
    const critic = (setup.criticPath || setup.actorPath).trim();
    // Nothing to plan for a model on a server.
    if (!actor || isEndpoint(actor) || isEndpoint(critic)) return;
    const contextSize = Number(setup.load.actor.contextSize) || undefined;
    const key = `${actor}|${critic}|${contextSize ?? ""}`;
    if (state().plan?.key === key) return;
    state().setPlan({ key });
    const result = await bridge.planMemory({ actor, critic, ...(contextSize ? { contextSize } : {}) });
    if (state().plan?.key !== key) return;
    state().setPlan(result.ok ? { key, value: result.value } : { key, error: result.error });
  }

  async function inspectModel(path: string) {
    if (!path.trim() || isEndpoint(path.trim())) return;
    const result = await bridge.inspectModel({ path: path.trim() });
    state().setModel(path.trim(), result.ok ? result.value : { error: result.error });
    if (!result.ok) return;
    // The model's saved load settings become the form's starting point for the role(s) it fills.
    const saved = await bridge.getLoadSettings({ path: path.trim() });
    if (saved.ok) {
      const { setup } = state();
      const load = { ...setup.load };
      if (setup.actorPath.trim() === path.trim()) load.actor = formFromLoad(saved.value.actor);
      if ((setup.criticPath || setup.actorPath).trim() === path.trim()) load.critic = formFromLoad(saved.value.critic ?? saved.value.actor);
      state().updateSetup({ load });
    }
    void planForSetup();
  }

  return {
    async init() {
      bridge.subscribe((event) => {
        if (event.type === "run-events") {
          state().applyEvents(event.runId, event.events);
          if (event.events.some((e) => e.type === "run-finished" || e.type === "run-failed")) void refreshHistory();
        } else if (event.type === "download") {
          state().setDownload(event);
          if (event.state === "done") void refreshLibrary();
        } else if (event.type === "critic-eval") {
          state().setCriticEval(event);
        } else if (event.type === "experiment-progress") {
          state().setExperimentProgress(event);
          // The grid fills in as cells finish: reload the open experiment, at most a few times a second.
          if (state().experiment?.path === event.path) scheduleExperimentReload();
          if (event.state !== "running" && event.state !== "paused") void refreshExperiments();
        } else {
          state().setEngine({ status: event.status, detail: event.detail });
          if (event.status === "crashed") {
            for (const progress of Object.values(state().experimentProgress)) {
              if (progress.state === "running" || progress.state === "paused") state().setExperimentProgress({ ...progress, state: "failed", running: 0, error: "the engine process stopped; start the experiment again to resume it" });
            }
            for (const evaluation of Object.values(state().criticEvals)) {
              if (evaluation.state === "running") state().setCriticEval({ ...evaluation, state: "failed", error: "the engine process stopped" });
            }
          }
          if (event.status === "crashed") state().pushError("engine", `${event.detail ?? "the engine process stopped"}. Completed nodes are kept in the run log; the next run starts a fresh engine.`);
        }
      });
      // Strategies do not wait for llama.cpp to load (engineInfo does).
      const strategies = bridge.listStrategies({}).then((result) => result.ok && state().setStrategies(result.value));
      const info = bridge.engineInfo({}).then((result) => {
        if (result.ok) state().setEngine({ info: result.value, status: "ready" });
        else state().pushError("engine", result.error);
      });
      await Promise.all([strategies, info]);
      await refreshHistory();
      void refreshGpu();
      void refreshLibrary();
      const match = /run=([\w.-]+)/.exec(location.hash);
      if (match) await openRun(match[1]!);
    },

    async startRun() {
      const { setup, strategies } = state();
      state().clearErrors("setup");
      const strategy = strategies.find((s) => s.name === setup.strategy);
      const params: Record<string, number | boolean | string> = {};
      for (const spec of strategy?.params ?? []) {
        const raw = setup.params[spec.name];
        if (raw === undefined || raw === "") continue;
        params[spec.name] = spec.type === "boolean" ? raw === "true" : spec.type === "string" ? raw : Number(raw);
      }
      const maxTokens = Number(setup.maxTokens) || undefined;
      state().setBusy(true);
      const result = await bridge.startRun({
        strategy: setup.strategy,
        params,
        actor: { path: setup.actorPath.trim(), sampling: maxTokens ? { maxTokens } : undefined, load: loadFromForm(setup.load.actor) },
        critic: { path: (setup.criticPath || setup.actorPath).trim(), load: loadFromForm(setup.load.critic) },
        task: { question: setup.question, ...(setup.reference.trim() ? { reference: setup.reference.trim() } : {}), ...(setup.tests ? { tests: setup.tests } : {}) },
        seed: Number(setup.seed) || 0,
      });
      state().setBusy(false);
      if (!result.ok) {
        state().pushError("setup", result.error);
        return null;
      }
      const { runId } = result.value;
      state().showRun(runId);
      location.setHash(`run=${runId}`);
      void refreshHistory();
      return runId;
    },

    async cancelRun() {
      const runId = state().currentRunId;
      if (!runId) return;
      const result = await bridge.cancelRun({ runId });
      if (!result.ok) state().pushError("run", result.error);
    },

    async pickModel(role: "actor" | "critic") {
      const result = await bridge.pickModelFile({});
      if (!result.ok) {
        state().pushError("setup", result.error);
        return;
      }
      if (!result.value.path) return;
      state().updateSetup(role === "actor" ? { actorPath: result.value.path } : { criticPath: result.value.path });
      await inspectModel(result.value.path);
    },

    async loadDataset(path: string) {
      const result = await bridge.readDataset({ path, limit: 200 });
      if (!result.ok) {
        state().pushError("setup", result.error);
        return [];
      }
      return result.value;
    },

    async addModel(path: string) {
      const result = await bridge.addModel({ path: path.trim() });
      if (!result.ok) state().pushError("library", result.error);
      else await refreshLibrary();
    },

    async startDownload(uri: string, sha256?: string) {
      const result = await bridge.startDownload({ uri: uri.trim(), ...(sha256?.trim() ? { sha256: sha256.trim() } : {}) });
      if (!result.ok) state().pushError("library", result.error);
    },

    async cancelDownload(downloadId: string) {
      await bridge.cancelDownload({ downloadId });
    },

    async setBackend(gpu: "auto" | "cpu" | "cuda" | "vulkan" | "metal") {
      const result = await bridge.setBackend({ gpu });
      if (!result.ok) {
        state().pushError("engine", result.error);
        return;
      }
      const info = await bridge.engineInfo({});
      if (info.ok) state().setEngine({ info: info.value });
      await refreshGpu();
    },

    async saveLoadSettings(role: "actor" | "critic") {
      const { setup } = state();
      const path = (role === "actor" ? setup.actorPath : setup.criticPath || setup.actorPath).trim();
      const result = await bridge.saveLoadSettings({ path, role, load: loadFromForm(setup.load[role]) ?? {} });
      if (!result.ok) state().pushError("setup", result.error);
      return result.ok;
    },

    async useModel(role: "actor" | "critic", path: string) {
      state().updateSetup(role === "actor" ? { actorPath: path } : { criticPath: path });
      await inspectModel(path);
    },

    loadExperiment,
    setupPair,

    /**
     * Starts an experiment: the chosen strategies (default parameters) × the model pairs (the run setup's when none
     * were added) over a dataset slice. With only a folder, resumes the experiment stopped there.
     */
    async startExperiment(form: ExperimentForm) {
      state().clearErrors("compare");
      const { setup } = state();
      const resume = !form.dataset.trim() && form.out.trim();
      const pairs = form.pairs.length ? form.pairs : [setupPair()];
      let specs;
      const fields: Record<string, string> = {};
      try {
        specs = parseStrategySpecs(form.specs);
        for (const entry of form.fields.split(/[,;\n]/).map((e) => e.trim()).filter(Boolean)) {
          const [name, source] = entry.split("=").map((part) => part.trim());
          if (!name || !source) throw new Error(`field mapping entries are name=field (question, reference, choices, id, tests, entryPoint), got '${entry}'`);
          fields[name] = source;
        }
      } catch (error) {
        state().pushError("compare", (error as Error).message);
        return;
      }
      const result = await bridge.startExperiment(
        resume
          ? { out: form.out.trim() }
          : {
              ...(form.out.trim() ? { out: form.out.trim() } : {}),
              dataset: form.dataset.trim(),
              ...(Number(form.limit) > 0 ? { limit: Number(form.limit) } : {}),
              columns: [...form.strategies.map((strategy) => ({ strategy })), ...specs],
              ...(Object.keys(fields).length ? { fields } : {}),
              pairs,
              seed: Number(setup.seed) || 0,
              ...(Number(form.concurrency) > 0 ? { concurrency: Number(form.concurrency) } : {}),
              ...(Number(form.budget) > 0 ? { maxTotalTokens: Number(form.budget) } : {}),
              ...(form.skipMalformed ? { skipMalformed: true } : {}),
            },
      );
      if (!result.ok) {
        state().pushError("compare", result.error);
        return;
      }
      await loadExperiment(result.value.path);
      void refreshExperiments();
    },

    refreshExperiments,

    /** Evaluates the run setup's critic (and, for RealCritic self-critique, its actor) on a benchmark file. */
    async startCriticEval() {
      state().clearErrors("compare");
      const { setup, criticEvalForm: form } = state();
      const critic = (setup.criticPath || setup.actorPath).trim();
      const result = await bridge.startCriticEval({
        mode: form.mode,
        dataset: form.dataset.trim(),
        critic,
        ...(Number(form.limit) > 0 ? { limit: Number(form.limit) } : {}),
        ...(Number(form.maxTokens) > 0 ? { maxTokens: Number(form.maxTokens) } : {}),
        ...(form.mode === "realcritic" && form.actorSolves && setup.actorPath.trim() ? { actor: setup.actorPath.trim() } : {}),
      });
      if (!result.ok) state().pushError("compare", result.error);
    },

    async cancelCriticEval(evalId: string) {
      const result = await bridge.cancelCriticEval({ evalId });
      if (!result.ok) state().pushError("compare", result.error);
    },

    async controlExperiment(action: "pause" | "resume" | "stop") {
      const experiment = state().experiment;
      if (!experiment) return;
      const result = await bridge.controlExperiment({ path: experiment.path, action });
      if (!result.ok) state().pushError("compare", result.error);
    },

    /** Opens one cell of the compare grid: that run's tree, replayed from the experiment's run log. */
    async openExperimentRun(runId: string) {
      const experiment = state().experiment;
      if (!experiment) return;
      const result = await bridge.loadRun({ runId, experiment: experiment.path });
      if (!result.ok) {
        state().pushError("compare", result.error);
        return;
      }
      state().replaceRun(runId, result.value);
      state().showRun(runId);
      state().setView("run");
    },

    openRun,
    inspectModel,
    /** Probes an endpoint spec (openai:URL#model) and lists the server's models; the key is kept by the engine. */
    testEndpoint: (spec: string, apiKey?: string) => bridge.testEndpoint({ spec: spec.trim(), ...(apiKey ? { apiKey } : {}) }),
    refreshHistory,
    refreshLibrary,
    refreshGpu,
    planForSetup,
  };
}
