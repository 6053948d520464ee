// The app around the panels: the engine's state, what it offers (strategies, the GPU), whether the first screen is
// restored, and which tab is open.
import type { StateCreator } from "zustand/vanilla";
import type { EngineInfo, GpuReportInfo, StrategyInfo } from "../../../native/protocol/contract.ts";

export interface AppSlice {
  engine: { status: "unknown" | "starting" | "ready" | "crashed"; detail?: string; info: EngineInfo | null };
  strategies: StrategyInfo[];
  gpu: GpuReportInfo | null;
  /** The first screen is loaded: engine info, history, the kept setup, and the run the address links to. */
  restored: boolean;
  view: "run" | "compare";

  setEngine(engine: Partial<AppSlice["engine"]>): void;
  setStrategies(strategies: StrategyInfo[]): void;
  setGpu(gpu: GpuReportInfo): void;
  setRestored(restored: boolean): void;
  setView(view: AppSlice["view"]): void;
}

export const createAppSlice: StateCreator<AppSlice, [], [], AppSlice> = (set) => ({
  engine: { status: "unknown", info: null },
  strategies: [],
  gpu: null,
  restored: false,
  view: "run",

  setEngine: (engine) => set((state) => ({ engine: { ...state.engine, ...engine } })),
  setStrategies: (strategies) => set({ strategies }),
  setGpu: (gpu) => set({ gpu }),
  setRestored: (restored) => set({ restored }),
  setView: (view) => set({ view }),
});
