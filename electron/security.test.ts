// The desktop window's security settings and the preload's bridge, asserted without Electron.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { buildBridgeApi, type IpcLike } from "./bridge-api.ts";
import { electronCsp, isAppUrl, isExternalLink, windowWebPreferences } from "./security.ts";
import { requestNames } from "../native/protocol/contract.ts";
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from "../native/protocol/request-names.ts";

test("the BrowserWindow is isolated, sandboxed and without Node", () => {
  assert.equal(windowWebPreferences.contextIsolation, true);
  assert.equal(windowWebPreferences.sandbox, true);
  assert.equal(windowWebPreferences.nodeIntegration, false);
  assert.equal(windowWebPreferences.nodeIntegrationInWorker, false);
  assert.equal(windowWebPreferences.webSecurity, true);
  assert.equal(windowWebPreferences.webviewTag, false);
  const main = readFileSync(new URL("./main.ts", import.meta.url), "utf8");
  assert.match(main, /webPreferences: \{ \.\.\.windowWebPreferences, preload:/, "main uses these settings");
  assert.match(main, /setPermissionRequestHandler\([^)]*\) => callback\(false\)\)/, "permission requests are refused");
  assert.match(main, /setWindowOpenHandler[\s\S]*action: "deny"/, "new windows are denied");
  assert.match(main, /will-navigate[\s\S]*preventDefault/, "navigation away is refused");
  assert.match(main, /if \(!trustedSender\(event\)\) return/, "the sender of every request is checked");
});

test("the Content-Security-Policy allows only the app's own resources", () => {
  const directives = new Map(electronCsp.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1).join(" ")]));
  assert.equal(directives.get("default-src"), "'none'");
  assert.equal(directives.get("script-src"), "'self'");
  assert.equal(directives.get("connect-src"), "'self'");
  assert.ok(!electronCsp.includes("unsafe-inline") && !electronCsp.includes("unsafe-eval"));
  const html = readFileSync(new URL("../renderer/index.html", import.meta.url), "utf8");
  const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
  assert.equal(meta, electronCsp, "the page's meta CSP matches the shell's header");
});

test("navigation is limited to the app page; external links go to the browser", () => {
  const app = "file:///opt/Refinery/resources/app.asar/dist/renderer/index.html";
  assert.ok(isAppUrl(`${app}#run=x`, app));
  assert.ok(!isAppUrl("file:///etc/passwd", app));
  assert.ok(!isAppUrl("https://example.com/", app));
  assert.ok(!isAppUrl("not a url", app));
  assert.ok(isExternalLink("https://arxiv.org/abs/2303.17651"));
  assert.ok(!isExternalLink("file:///etc/passwd"));
  assert.ok(!isExternalLink("javascript:alert(1)"));
});

test("the preload exposes one function per contract request and one subscription, nothing else", async () => {
  const calls: unknown[][] = [];
  const listeners = new Map<string, (event: unknown, payload: unknown) => void>();
  const ipc: IpcLike = {
    invoke: async (...args) => {
      calls.push(args);
      return { ok: true, value: null };
    },
    on: (channel, listener) => listeners.set(channel, listener),
    removeListener: (channel) => listeners.delete(channel),
  };
  const api = buildBridgeApi(ipc);
  assert.deepEqual(Object.keys(api).sort(), [...requestNames, "subscribe"].sort());
  assert.ok(Object.isFrozen(api));
  await (api.startRun as (input: unknown) => Promise<unknown>)({ strategy: "x" });
  assert.deepEqual(calls[0], [IPC_REQUEST_CHANNEL, "startRun", { strategy: "x" }]);
  const received: unknown[] = [];
  const unsubscribe = (api.subscribe as (l: (e: unknown) => void) => () => void)((event) => received.push(event));
  listeners.get(IPC_EVENT_CHANNEL)!({}, { type: "engine-status", status: "ready" });
  assert.deepEqual(received, [{ type: "engine-status", status: "ready" }]);
  unsubscribe();
  assert.equal(listeners.size, 0);
  const preload = readFileSync(new URL("./preload.cts", import.meta.url), "utf8");
  assert.ok(!/exposeInMainWorld\([^)]*ipcRenderer\s*\)/.test(preload.replace("buildBridgeApi(ipcRenderer)", "")), "ipcRenderer itself is never exposed");
});
