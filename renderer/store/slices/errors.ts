// Messages for the user, each kept where it belongs (the setup form, the run, the library…) until dismissed.
import type { StateCreator } from "zustand/vanilla";
import type { SetupForm } from "../setup-form.ts";

export interface UiError {
  id: number;
  where: "setup" | "run" | "engine" | "history" | "library" | "compare";
  message: string;
  /** The setup form's entry the error is about: editing it clears the error (its cause may be fixed). */
  formKey?: keyof SetupForm;
}

export interface ErrorsSlice {
  errors: UiError[];
  pushError(where: UiError["where"], message: string, formKey?: keyof SetupForm): void;
  dismissError(id: number): void;
  clearErrors(where: UiError["where"]): void;
}

let errorIds = 0;

export const createErrorsSlice: StateCreator<ErrorsSlice, [], [], ErrorsSlice> = (set) => ({
  errors: [],
  pushError: (where, message, formKey) => set((state) => ({ errors: [...state.errors, { id: ++errorIds, where, message, ...(formKey ? { formKey } : {}) }] })),
  dismissError: (id) => set((state) => ({ errors: state.errors.filter((e) => e.id !== id) })),
  clearErrors: (where) => set((state) => ({ errors: state.errors.filter((e) => e.where !== where) })),
});
