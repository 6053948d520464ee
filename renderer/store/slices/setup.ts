// The run setup: the form, what the engine said about its model files, the memory plan for them, and the run the
// form started last.
import type { StateCreator } from "zustand/vanilla";
import type { MemoryPlanInfo, ModelInfo } from "../../../native/protocol/contract.ts";
import { defaultSetup, type SetupForm } from "../setup-form.ts";
import type { ErrorsSlice } from "./errors.ts";

export interface SetupSlice {
  setup: SetupForm;
  /** Each model file's facts (or why it cannot be read), by the path as typed. */
  models: Record<string, ModelInfo | { error: string }>;
  /** The joint plan for the models in the setup form, keyed by what it was planned for. */
  plan: { key: string; value?: MemoryPlanInfo; error?: string } | null;
  busy: boolean;
  /** The run this form started last: Start waits until it has ended, so a second click starts no duplicate. */
  formRunId: string | null;

  /** An edit of the form also clears the refusals about the entries it changes (their cause may be fixed). */
  updateSetup(patch: Partial<SetupForm>): void;
  setModel(path: string, info: ModelInfo | { error: string }): void;
  setPlan(plan: SetupSlice["plan"]): void;
  setBusy(busy: boolean): void;
  setFormRun(runId: string | null): void;
}

export const setupSlice =
  (initial: Partial<SetupForm> = {}): StateCreator<SetupSlice & ErrorsSlice, [], [], SetupSlice> =>
  (set) => ({
    setup: { ...defaultSetup, ...initial },
    models: {},
    plan: null,
    busy: false,
    formRunId: null,

    updateSetup: (patch) =>
      set((state) => {
        const stale = state.errors.filter((e) => e.formKey !== undefined && e.formKey in patch);
        return { setup: { ...state.setup, ...patch }, ...(stale.length ? { errors: state.errors.filter((e) => !stale.includes(e)) } : {}) };
      }),
    setModel: (path, info) => set((state) => ({ models: { ...state.models, [path]: info } })),
    setPlan: (plan) => set({ plan }),
    setBusy: (busy) => set({ busy }),
    setFormRun: (formRunId) => set({ formRunId }),
  });
