// Electron main process: one hardened window, the engine in a supervised utility process, and a relay that
// checks every message's sender and validates every input against the contract before the engine sees it.
import { app, BrowserWindow, dialog, ipcMain, session, shell, utilityProcess, type IpcMainInvokeEvent } from "electron";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { EngineHost, type EngineProcess } from "../native/engine/host.ts";
import type { FromEngine } from "../native/engine/messages.ts";
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from "../native/protocol/request-names.ts";
import { electronCsp, isAppUrl, isExternalLink, windowWebPreferences } from "./security.ts";
import { keyToKeep } from "./endpoint-key-capture.ts";
import { endpointKeyStore } from "./endpoint-key-store.ts";

const here = import.meta.dirname;
const appUrl = pathToFileURL(join(here, "../renderer/index.html")).toString();
const runsDir = join(app.getPath("userData"), "runs");
let window: BrowserWindow | null = null;
const endpointKeys = endpointKeyStore(app.getPath("userData"));

function spawnEngine(settings: { gpu: string }): EngineProcess {
  const child = utilityProcess.fork(join(here, "engine.mjs"), [], {
    serviceName: "Refinery engine",
    env: {
      ...process.env,
      REFINERY_RUNS_DIR: runsDir,
      REFINERY_MODE: "electron",
      REFINERY_GPU: settings.gpu,
      REFINERY_ENDPOINT_KEYS: JSON.stringify(endpointKeys.all()),
    },
    stdio: "inherit",
  });
  return {
    get pid() {
      return child.pid;
    },
    send: (message) => child.postMessage(message),
    onMessage: (listener) => child.on("message", (message) => listener(message as FromEngine)),
    onExit: (listener) => child.on("exit", (code) => listener(`exit code ${code}`)),
    kill: () => void child.kill(),
  };
}

const host = new EngineHost({
  spawn: spawnEngine,
  runsDir,
  pickModelFile: async (defaultPath) => {
    const result = await dialog.showOpenDialog(window!, {
      properties: ["openFile"],
      filters: [{ name: "GGUF models", extensions: ["gguf"] }],
      ...(defaultPath ? { defaultPath } : {}),
    });
    return result.canceled ? null : (result.filePaths[0] ?? null);
  },
});

function trustedSender(event: IpcMainInvokeEvent): boolean {
  return window !== null && event.sender === window.webContents && isAppUrl(event.senderFrame?.url ?? "", appUrl);
}

function createWindow() {
  window = new BrowserWindow({
    width: 1440,
    height: 900,
    title: "Refinery",
    webPreferences: { ...windowWebPreferences, preload: join(here, "preload.cjs") },
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void shell.openExternal(url);
    return { action: "deny" };
  });
  window.webContents.on("will-navigate", (event, url) => {
    if (!isAppUrl(url, appUrl)) {
      event.preventDefault();
      if (isExternalLink(url)) void shell.openExternal(url);
    }
  });
  window.webContents.on("will-attach-webview", (event) => event.preventDefault());
  void window.loadURL(appUrl);
  window.on("closed", () => {
    window = null;
  });
}

app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, "Content-Security-Policy": [electronCsp] } });
  });
  ipcMain.handle(IPC_REQUEST_CHANNEL, async (event, method: unknown, input: unknown) => {
    if (!trustedSender(event)) return { ok: false, error: "request refused: unknown sender" };
    const result = await host.request(String(method), input);
    // A key that just worked, or came with an endpoint added to the library, is kept encrypted in the OS keychain
    // for this endpoint's runs in later engine processes too (the library file holds the spec without it).
    const keep = result.ok ? keyToKeep(String(method), input) : null;
    if (keep) endpointKeys.save(keep.baseUrl, keep.key);
    return result;
  });
  host.subscribe((event) => window?.webContents.send(IPC_EVENT_CHANNEL, event));
  createWindow();
  app.on("activate", () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on("window-all-closed", () => {
  host.dispose();
  if (process.platform !== "darwin") app.quit();
});
