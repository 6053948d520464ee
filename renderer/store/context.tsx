// Store and controller provided through React context, so each app instance (and each test) has its own.
import { createContext, useContext, type ReactNode } from "react";
import { useStore } from "zustand";
import { useShallow } from "zustand/react/shallow";
import type { AppState, AppStore } from "./store.ts";
import type { Controller } from "./controller.ts";

const StoreContext = createContext<{ store: AppStore; controller: Controller } | null>(null);

export function AppProvider({ store, controller, children }: { store: AppStore; controller: Controller; children: ReactNode }) {
  return <StoreContext.Provider value={{ store, controller }}>{children}</StoreContext.Provider>;
}

function useApp() {
  const app = useContext(StoreContext);
  if (!app) throw new Error("AppProvider is missing");
  return app;
}

export function useAppState<T>(selector: (state: AppState) => T): T {
  return useStore(useApp().store, selector);
}

export function useAppStateShallow<T>(selector: (state: AppState) => T): T {
  return useStore(useApp().store, useShallow(selector));
}

export function useController(): Controller {
  return useApp().controller;
}

export function useAppStore(): AppStore {
  return useApp().store;
}
