// The compare tab: the experiments on disk, the open one, the progress of those this engine runs, and the "new
// experiment" form (kept here so switching tabs loses nothing).
import type { StateCreator } from "zustand/vanilla";
import type { ExperimentInfo, ExperimentListing, ExperimentProgressEvent, LoadSettingsInfo } from "../../../native/protocol/contract.ts";

export interface ExperimentForm {
  dataset: string;
  limit: string;
  strategies: string[];
  /** More columns as specs, "self-consistency:n=8; best-of-n:n=4" (strategies with non-default parameters). */
  specs: string;
  /** Field mapping for datasets the built-in adapters do not know: "question=problem, reference=gold". */
  fields: string;
  pairs: Array<{
    actor: { path: string; sampling?: { maxTokens: number }; load?: LoadSettingsInfo };
    critic: { path: string; sampling?: { maxTokens: number }; load?: LoadSettingsInfo };
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

export interface ExperimentsSlice {
  /** The open experiment; its progress lives in experimentProgress, the one place progress is kept. */
  experiment: Omit<ExperimentInfo, "progress"> | null;
  /** Progress of experiments this engine runs, by folder. */
  experimentProgress: Record<string, ExperimentProgressEvent>;
  experimentForm: ExperimentForm;
  experiments: ExperimentListing[];

  setExperiment(experiment: ExperimentInfo | null): void;
  setExperimentProgress(progress: ExperimentProgressEvent): void;
  updateExperimentForm(patch: Partial<ExperimentForm>): void;
  setExperiments(experiments: ExperimentListing[]): void;
}

export const experimentsSlice =
  (initialForm: ExperimentForm = defaultExperimentForm): StateCreator<ExperimentsSlice, [], [], ExperimentsSlice> =>
  (set) => ({
    experiment: null,
    experimentProgress: {},
    experimentForm: initialForm,
    experiments: [],

    setExperiment: (info) =>
      set((state) => {
        if (!info) return { experiment: null };
        const { progress, ...experiment } = info;
        return { experiment, ...(progress ? { experimentProgress: { ...state.experimentProgress, [progress.path]: progress } } : {}) };
      }),
    setExperimentProgress: (progress) => set((state) => ({ experimentProgress: { ...state.experimentProgress, [progress.path]: progress } })),
    updateExperimentForm: (patch) => set((state) => ({ experimentForm: { ...state.experimentForm, ...patch } })),
    setExperiments: (experiments) => set({ experiments }),
  });
