// The history list: the runs on disk, and its search, filters and sort.
import type { StateCreator } from "zustand/vanilla";
import type { RunSummary } from "../../../native/protocol/contract.ts";
import { defaultHistoryView, type HistoryView } from "../history-view.ts";

export interface HistorySlice {
  history: RunSummary[];
  historyView: HistoryView;

  setHistory(history: RunSummary[]): void;
  updateHistoryView(patch: Partial<HistoryView>): void;
}

export const createHistorySlice: StateCreator<HistorySlice, [], [], HistorySlice> = (set) => ({
  history: [],
  historyView: defaultHistoryView,

  setHistory: (history) => set({ history }),
  updateHistoryView: (patch) => set((state) => ({ historyView: { ...state.historyView, ...patch } })),
});
