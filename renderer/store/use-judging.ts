// The judging store (judging.ts) of the app in context, for components.
import { useStore } from "zustand";
import { useAppStore } from "./context.tsx";
import { type JudgingState, judgingStoreOf } from "./judging.ts";

export function useJudging<T>(selector: (state: JudgingState) => T): T {
  return useStore(judgingStoreOf(useAppStore()), selector);
}
