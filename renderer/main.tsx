// Renderer entry: the Electron preload's bridge when present, else the loopback web bridge.
import { createRoot } from "react-dom/client";
import type { Bridge } from "../native/protocol/contract.ts";
import { createHttpBridge } from "./bridge/http-bridge.ts";
import { withTimeouts } from "./bridge/timeouts.ts";
import { App } from "./components/App.tsx";
import { AppProvider } from "./store/context.tsx";
import { createController } from "./store/controller.ts";
import { loadExperimentForm, persistExperimentForm } from "./store/experiment-form-storage.ts";
import { persistGrading } from "./store/grading-storage.ts";
import { loadSetup, persistSetup } from "./store/setup-storage.ts";
import { createAppStore } from "./store/store.ts";
import "./styles.css";

declare global {
  interface Window {
    refinery?: Bridge;
  }
}

// The server swapped the URL's token for a session cookie before the page loaded.
const bridge = withTimeouts(window.refinery ?? createHttpBridge());
// localStorage can be refused (storage disabled): the setup and the experiment form then last only as long as the page.
const storage = (() => {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
})();
const store = createAppStore({ setup: loadSetup(storage), experimentForm: loadExperimentForm(storage) });
if (storage) {
  persistSetup(store, storage);
  persistExperimentForm(store, storage);
  persistGrading(store, storage);
}
const controller = createController(bridge, store, {
  get hash() {
    return window.location.hash;
  },
  setHash: (hash, mode) => {
    const url = `${window.location.pathname}${window.location.search}${hash ? `#${hash}` : ""}`;
    if (mode === "push") history.pushState(null, "", url);
    else history.replaceState(null, "", url);
  },
});
// A pasted link fires hashchange; back and forward fire popstate (and hashchange when only the hash differs).
window.addEventListener("hashchange", () => void controller.followAddress());
window.addEventListener("popstate", () => void controller.followAddress());
createRoot(document.getElementById("root")!).render(
  <AppProvider store={store} controller={controller}>
    <App />
  </AppProvider>,
);
void controller.init();
