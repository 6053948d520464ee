// The renderer's store: made by a factory (one per app instance or test), combined from one slice per domain
// (zustand's slices pattern), each in slices/ with its state and its setters. Run state comes only from folding
// run events with the engine's own reducer (slices/runs.ts).
import { createStore } from "zustand/vanilla";
import type { SetupForm } from "./setup-form.ts";
import { createAppSlice, type AppSlice } from "./slices/app.ts";
import { createCriticEvalsSlice, type CriticEvalsSlice } from "./slices/critic-evals.ts";
import { createErrorsSlice, type ErrorsSlice } from "./slices/errors.ts";
import { experimentsSlice, type ExperimentForm, type ExperimentsSlice } from "./slices/experiments.ts";
import { createHistorySlice, type HistorySlice } from "./slices/history.ts";
import { createLibrarySlice, type LibrarySlice } from "./slices/library.ts";
import { createRunsSlice, type RunsSlice } from "./slices/runs.ts";
import { setupSlice, type SetupSlice } from "./slices/setup.ts";

// The store's public names, so callers import the store from one place whichever slice owns a name.
export { defaultLoad, defaultSetup, formKeyOf, type LoadForm, type SetupForm } from "./setup-form.ts";
export type { UiError } from "./slices/errors.ts";
export { defaultExperimentForm, type ExperimentForm } from "./slices/experiments.ts";
export { defaultCriticEvalForm, type CriticEvalForm } from "./slices/critic-evals.ts";
export type { DownloadEvent } from "./slices/library.ts";

export type AppState = AppSlice & RunsSlice & HistorySlice & SetupSlice & ErrorsSlice & LibrarySlice & ExperimentsSlice & CriticEvalsSlice;

export function createAppStore(initial: { setup?: Partial<SetupForm>; experimentForm?: ExperimentForm } = {}) {
  return createStore<AppState>()((...a) => ({
    ...createAppSlice(...a),
    ...createRunsSlice(...a),
    ...createHistorySlice(...a),
    ...setupSlice(initial.setup)(...a),
    ...createErrorsSlice(...a),
    ...createLibrarySlice(...a),
    ...experimentsSlice(initial.experimentForm)(...a),
    ...createCriticEvalsSlice(...a),
  }));
}

export type AppStore = ReturnType<typeof createAppStore>;
