// The model library and the downloads under way.
import type { StateCreator } from "zustand/vanilla";
import type { EngineEvent, LibraryModelInfo } from "../../../native/protocol/contract.ts";

export type DownloadEvent = Extract<EngineEvent, { type: "download" }>;

export interface LibrarySlice {
  library: LibraryModelInfo[];
  /** Each download's latest report, by id. */
  downloads: Record<string, DownloadEvent>;

  setLibrary(library: LibraryModelInfo[]): void;
  setDownload(event: DownloadEvent): void;
}

export const createLibrarySlice: StateCreator<LibrarySlice, [], [], LibrarySlice> = (set) => ({
  library: [],
  downloads: {},

  setLibrary: (library) => set({ library }),
  setDownload: (event) => set((state) => ({ downloads: { ...state.downloads, [event.downloadId]: event } })),
});
