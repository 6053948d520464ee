// Critic evaluations (ProcessBench, RealCritic): the form and this session's evaluations.
import type { StateCreator } from "zustand/vanilla";
import type { CriticEvalEvent } from "../../../native/protocol/contract.ts";

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

export interface CriticEvalsSlice {
  criticEvalForm: CriticEvalForm;
  /** Critic evaluations of this session, newest last. */
  criticEvals: Record<string, CriticEvalEvent>;

  updateCriticEvalForm(patch: Partial<CriticEvalForm>): void;
  setCriticEval(event: CriticEvalEvent): void;
}

export const createCriticEvalsSlice: StateCreator<CriticEvalsSlice, [], [], CriticEvalsSlice> = (set) => ({
  criticEvalForm: defaultCriticEvalForm,
  criticEvals: {},

  updateCriticEvalForm: (patch) => set((state) => ({ criticEvalForm: { ...state.criticEvalForm, ...patch } })),
  setCriticEval: (event) => set((state) => ({ criticEvals: { ...state.criticEvals, [event.evalId]: event } })),
});
