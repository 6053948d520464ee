// The renderer's store: made by a factory (one per app instance or test), run state only from folding run
// events with the engine's own reducer, UI state (selection, collapsed subtrees, errors, the setup form) beside it.
import { createStore } from "zustand/vanilla";
import type {
  CriticEvalEvent,
  EngineEvent,
  EngineInfo,
  ExperimentInfo,
  ExperimentListing,
  ExperimentProgressEvent,
  GpuReportInfo,
  LibraryModelInfo,
  MemoryPlanInfo,
  ModelInfo,
  RunSummary,
  StrategyInfo,
} from "../../native/protocol/contract.ts";

export type DownloadEvent = Extract<EngineEvent, { type: "download" }>;
import { DEFAULT_SAMPLING } from "../../native/protocol/defaults.ts";
import type { RunEvent } from "../../native/protocol/events.ts";
import { emptyRunState, foldRunEvents, type RunState } from "../../native/protocol/state.ts";
import { defaultHistoryView, type HistoryView } from "./history-view.ts";

export interface LoadForm {
  gpuLayers: string;
  contextSize: string;
  flashAttention: boolean;
}

export const defaultLoad: LoadForm = { gpuLayers: "auto", contextSize: "", flashAttention: false };

export interface SetupForm {
  actorPath: string;
  criticPath: string;
  strategy: string;
  params: Record<string, string>;
  question: string;
  reference: string;
  /** Tests of a code task picked from a dataset (HumanEval); cleared when the question is edited. */
  tests?: import("../../native/protocol/events.ts").CodeTests;
  seed: string;
  maxTokens: string;
  /** The critic's answer budget (its verdicts and feedback), beside the actor's. */
  criticMaxTokens: string;
  /** Thought tokens at most per role ("" = the model's default, "0" = ask it not to think). */
  thinkingBudget: string;
  criticThinkingBudget: string;
  load: { actor: LoadForm; critic: LoadForm };
}

/** The compare tab's "new experiment" form; kept in the store so switching tabs loses nothing. */
export interface ExperimentForm {
  dataset: string;
  limit: string;
  strategies: string[];
  /** More columns as specs, "self-consistency:n=8; best-of-n:n=4" (strategies with non-default parameters). */
  specs: string;
  /** Field mapping for datasets the built-in adapters do not know: "question=problem, reference=gold". */
  fields: string;
  pairs: Array<{
    actor: { path: string; sampling?: { maxTokens: number }; load?: import("../../native/protocol/contract.ts").LoadSettingsInfo };
    critic: { path: string; sampling?: { maxTokens: number }; load?: import("../../native/protocol/contract.ts").LoadSettingsInfo };
  }>;
  out: string;
  concurrency: string;
  budget: string;
  /** The actor's answer budget per generation for every pair (empty: each model's default). */
  maxTokens: string;
  /** The critic's answer budget per generation for every pair (empty: each model's default). */
  criticMaxTokens: string;
  /** "paper" or "matched:T" (see native/protocol/sampling-policy.ts). */
  sampling: string;
  /** Seeds per cell (seed, seed + 1, …); empty: one. */
  repeats: string;
  /** Samples of a hidden self-consistency column run only for the sampling frontier; empty: none. */
  frontier: string;
  skipMalformed: boolean;
}

export const defaultExperimentForm: ExperimentForm = {
  dataset: "",
  limit: "20",
  strategies: ["single-pass", "self-refine"],
  specs: "",
  fields: "",
  pairs: [],
  out: "",
  concurrency: "",
  budget: "",
  maxTokens: "",
  criticMaxTokens: "",
  sampling: "paper",
  repeats: "",
  frontier: "",
  skipMalformed: false,
};

export interface CriticEvalForm {
  mode: "processbench" | "realcritic";
  dataset: string;
  limit: string;
  maxTokens: string;
  /** RealCritic: the actor writes the solutions (self-critique when actor and critic are one file). */
  actorSolves: boolean;
  /** The critic re-reads and revises each verdict in a second turn (SPARK's meta-critique). */
  metaCritique: boolean;
}

export const defaultCriticEvalForm: CriticEvalForm = { mode: "processbench", dataset: "", limit: "20", maxTokens: "", actorSolves: false, metaCritique: false };

export interface UiError {
  id: number;
  where: "setup" | "run" | "engine" | "history" | "library" | "compare";
  message: string;
  /** The setup form's entry the error is about: editing it clears the error (its cause may be fixed). */
  formKey?: keyof SetupForm;
}

/** The setup form's entry that holds the value at a contract path of startRun. */
export function formKeyOf(field: string | undefined): keyof SetupForm | undefined {
  if (!field) return undefined;
  const [head, second, third] = field.split(".");
  if (head === "actor" || head === "critic") {
    if (second === "path") return head === "actor" ? "actorPath" : "criticPath";
    if (second === "load") return "load";
    if (third === "maxTokens") return head === "actor" ? "maxTokens" : "criticMaxTokens";
    if (third === "thinkingBudget") return head === "actor" ? "thinkingBudget" : "criticThinkingBudget";
    return undefined;
  }
  if (head === "params") return "params";
  if (head === "task") return second === "reference" ? "reference" : "question";
  if (head === "seed" || head === "strategy") return head;
  return undefined;
}

export interface AppState {
  runs: Record<string, RunState>;
  currentRunId: string | null;
  /** The experiment folder the current run is a cell of; null for a run of the runs folder. */
  currentRunExperiment: string | null;
  /** The critic evaluation's folder the current run is a row of; null otherwise. */
  currentRunEvaluation: string | null;
  selectedNodeId: string | null;
  collapsed: Record<string, true>;
  /** Replaying a search run: the snapshot index shown (null: the final tree). */
  searchStep: number | null;
  history: RunSummary[];
  /** The history list's search, filters and sort. */
  historyView: HistoryView;
  strategies: StrategyInfo[];
  engine: { status: "unknown" | "starting" | "ready" | "crashed"; detail?: string; info: EngineInfo | null };
  models: Record<string, ModelInfo | { error: string }>;
  errors: UiError[];
  setup: SetupForm;
  busy: boolean;
  /** The run this form started last: Start waits until it has ended, so a second click starts no duplicate. */
  formRunId: string | null;
  /** The first screen is loaded: engine info, history, the kept setup, and the run the address links to. */
  restored: boolean;
  gpu: GpuReportInfo | null;
  /** The joint plan for the models in the setup form, keyed by what it was planned for. */
  plan: { key: string; value?: MemoryPlanInfo; error?: string } | null;
  library: LibraryModelInfo[];
  downloads: Record<string, DownloadEvent>;
  view: "run" | "compare";
  /** The open experiment; its progress lives in experimentProgress, the one place progress is kept. */
  experiment: Omit<ExperimentInfo, "progress"> | null;
  /** Progress of experiments this engine runs, by folder. */
  experimentProgress: Record<string, ExperimentProgressEvent>;
  experimentForm: ExperimentForm;
  experiments: ExperimentListing[];
  criticEvalForm: CriticEvalForm;
  /** Critic evaluations of this session, newest last. */
  criticEvals: Record<string, CriticEvalEvent>;

  applyEvents(runId: string, events: RunEvent[]): void;
  replaceRun(runId: string, events: RunEvent[]): void;
  showRun(runId: string | null, experiment?: string | null, evaluation?: string | null): void;
  selectNode(nodeId: string | null): void;
  toggleCollapsed(nodeId: string): void;
  setSearchStep(step: number | null): void;
  setHistory(history: RunSummary[]): void;
  updateHistoryView(patch: Partial<HistoryView>): void;
  setStrategies(strategies: StrategyInfo[]): void;
  setEngine(engine: Partial<AppState["engine"]>): void;
  setModel(path: string, info: ModelInfo | { error: string }): void;
  pushError(where: UiError["where"], message: string, formKey?: keyof SetupForm): void;
  dismissError(id: number): void;
  clearErrors(where: UiError["where"]): void;
  updateSetup(patch: Partial<SetupForm>): void;
  setBusy(busy: boolean): void;
  setFormRun(runId: string | null): void;
  setRestored(restored: boolean): void;
  setGpu(gpu: GpuReportInfo): void;
  setPlan(plan: AppState["plan"]): void;
  setLibrary(library: LibraryModelInfo[]): void;
  setDownload(event: DownloadEvent): void;
  setView(view: AppState["view"]): void;
  setExperiment(experiment: ExperimentInfo | null): void;
  setExperimentProgress(progress: ExperimentProgressEvent): void;
  updateExperimentForm(patch: Partial<ExperimentForm>): void;
  setExperiments(experiments: ExperimentListing[]): void;
  updateCriticEvalForm(patch: Partial<CriticEvalForm>): void;
  setCriticEval(event: CriticEvalEvent): void;
}

export const defaultSetup: SetupForm = {
  actorPath: "",
  criticPath: "",
  strategy: "self-refine",
  params: {},
  question: "",
  reference: "",
  seed: "0",
  maxTokens: String(DEFAULT_SAMPLING.actor.maxTokens),
  criticMaxTokens: String(DEFAULT_SAMPLING.critic.maxTokens),
  thinkingBudget: "",
  criticThinkingBudget: "",
  load: { actor: defaultLoad, critic: defaultLoad },
};

let errorIds = 0;

export function createAppStore(initial: Partial<Pick<AppState, "setup" | "experimentForm">> = {}) {
  return createStore<AppState>()((set) => ({
    runs: {},
    currentRunId: null,
    currentRunExperiment: null,
    currentRunEvaluation: null,
    selectedNodeId: null,
    collapsed: {},
    searchStep: null,
    history: [],
    historyView: defaultHistoryView,
    strategies: [],
    engine: { status: "unknown", info: null },
    models: {},
    errors: [],
    setup: { ...defaultSetup, ...initial.setup },
    busy: false,
    formRunId: null,
    restored: false,
    gpu: null,
    plan: null,
    library: [],
    downloads: {},
    view: "run",
    experiment: null,
    experimentProgress: {},
    experimentForm: initial.experimentForm ?? defaultExperimentForm,
    experiments: [],
    criticEvalForm: defaultCriticEvalForm,
    criticEvals: {},

    applyEvents: (runId, events) =>
      set((state) => {
        const run = foldRunEvents(events, state.runs[runId] ?? emptyRunState);
        return { runs: { ...state.runs, [runId]: run } };
      }),
    replaceRun: (runId, events) => set((state) => ({ runs: { ...state.runs, [runId]: foldRunEvents(events) } })),
    showRun: (runId, experiment = null, evaluation = null) =>
      set({
        currentRunId: runId,
        currentRunExperiment: runId ? experiment : null,
        currentRunEvaluation: runId ? evaluation : null,
        selectedNodeId: null,
        collapsed: {},
        searchStep: null,
      }),
    setSearchStep: (searchStep) => set({ searchStep }),
    selectNode: (nodeId) => set({ selectedNodeId: nodeId }),
    toggleCollapsed: (nodeId) =>
      set((state) => {
        const collapsed = { ...state.collapsed };
        if (collapsed[nodeId]) delete collapsed[nodeId];
        else collapsed[nodeId] = true;
        return { collapsed };
      }),
    setHistory: (history) => set({ history }),
    updateHistoryView: (patch) => set((state) => ({ historyView: { ...state.historyView, ...patch } })),
    setStrategies: (strategies) => set({ strategies }),
    setEngine: (engine) => set((state) => ({ engine: { ...state.engine, ...engine } })),
    setModel: (path, info) => set((state) => ({ models: { ...state.models, [path]: info } })),
    pushError: (where, message, formKey) =>
      set((state) => ({ errors: [...state.errors, { id: ++errorIds, where, message, ...(formKey ? { formKey } : {}) }] })),
    dismissError: (id) => set((state) => ({ errors: state.errors.filter((e) => e.id !== id) })),
    clearErrors: (where) => set((state) => ({ errors: state.errors.filter((e) => e.where !== where) })),
    updateSetup: (patch) =>
      set((state) => {
        const stale = state.errors.filter((e) => e.formKey !== undefined && e.formKey in patch);
        return { setup: { ...state.setup, ...patch }, ...(stale.length ? { errors: state.errors.filter((e) => !stale.includes(e)) } : {}) };
      }),
    setBusy: (busy) => set({ busy }),
    setFormRun: (formRunId) => set({ formRunId }),
    setRestored: (restored) => set({ restored }),
    setGpu: (gpu) => set({ gpu }),
    setPlan: (plan) => set({ plan }),
    setLibrary: (library) => set({ library }),
    setView: (view) => set({ view }),
    setExperiment: (info) =>
      set((state) => {
        if (!info) return { experiment: null };
        const { progress, ...experiment } = info;
        return { experiment, ...(progress ? { experimentProgress: { ...state.experimentProgress, [progress.path]: progress } } : {}) };
      }),
    setExperiments: (experiments) => set({ experiments }),
    updateCriticEvalForm: (patch) => set((state) => ({ criticEvalForm: { ...state.criticEvalForm, ...patch } })),
    setCriticEval: (event) => set((state) => ({ criticEvals: { ...state.criticEvals, [event.evalId]: event } })),
    updateExperimentForm: (patch) => set((state) => ({ experimentForm: { ...state.experimentForm, ...patch } })),
    setExperimentProgress: (progress) => set((state) => ({ experimentProgress: { ...state.experimentProgress, [progress.path]: progress } })),
    setDownload: (event) => set((state) => ({ downloads: { ...state.downloads, [event.downloadId]: event } })),
  }));
}

export type AppStore = ReturnType<typeof createAppStore>;
