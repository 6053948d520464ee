// The runs the app has open, each folded from its events with the engine's own reducer, and how the current one is
// viewed: the selected node, the folded subtrees, the replayed search step.
import type { StateCreator } from "zustand/vanilla";
import type { RunEvent } from "../../../native/protocol/events.ts";
import { emptyRunState, foldRunEvents, type RunState } from "../../../native/protocol/state.ts";

export interface RunsSlice {
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

  applyEvents(runId: string, events: RunEvent[]): void;
  replaceRun(runId: string, events: RunEvent[]): void;
  /** Opening a run starts from nothing selected, nothing folded and the final tree. */
  showRun(runId: string | null, experiment?: string | null, evaluation?: string | null): void;
  selectNode(nodeId: string | null): void;
  toggleCollapsed(nodeId: string): void;
  setSearchStep(step: number | null): void;
}

export const createRunsSlice: StateCreator<RunsSlice, [], [], RunsSlice> = (set) => ({
  runs: {},
  currentRunId: null,
  currentRunExperiment: null,
  currentRunEvaluation: null,
  selectedNodeId: null,
  collapsed: {},
  searchStep: null,

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
  selectNode: (nodeId) => set({ selectedNodeId: nodeId }),
  toggleCollapsed: (nodeId) =>
    set((state) => {
      const collapsed = { ...state.collapsed };
      if (collapsed[nodeId]) delete collapsed[nodeId];
      else collapsed[nodeId] = true;
      return { collapsed };
    }),
  setSearchStep: (searchStep) => set({ searchStep }),
});
