// The supervisor and the loopback server without a browser: input validation, tokens, Host checks, crashes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineHost, type EngineProcess } from "./host.ts";
import type { FromEngine, ToEngine } from "./messages.ts";
import { startWebServer } from "../server/server.ts";
import { request as httpRequest } from "node:http";

/** An engine process stand-in: answers every request with its method name, can "crash". */
function fakeEngine() {
  const spawned: Array<{ sent: ToEngine[]; crash(): void }> = [];
  const spawn = (): EngineProcess => {
    let onMessage: (m: FromEngine) => void = () => undefined;
    let onExit: (d: string) => void = () => undefined;
    const record = { sent: [] as ToEngine[], crash: () => onExit("killed by SIGKILL") };
    spawned.push(record);
    return {
      pid: 1000 + spawned.length,
      send: (message) => {
        record.sent.push(message);
        const value = message.method === "startRun" ? { runId: `run-${spawned.length}` } : message.method;
        queueMicrotask(() => onMessage({ kind: "response", id: message.id, result: { ok: true, value } }));
      },
      onMessage: (listener) => (onMessage = listener),
      onExit: (listener) => (onExit = listener),
      kill: () => undefined,
    };
  };
  return { spawn, spawned };
}

const validStart = {
  strategy: "single-pass",
  actor: { path: "/m.gguf" },
  critic: { path: "/m.gguf" },
  task: { question: "q" },
};

test("every input is validated against the contract before the engine sees it", async () => {
  const { spawn, spawned } = fakeEngine();
  const host = new EngineHost({ spawn, runsDir: mkdtempSync(join(tmpdir(), "host-")) });
  assert.deepEqual(await host.request("startRun", { ...validStart, extra: 1 }), { ok: false, error: "invalid startRun request: Unrecognized key: \"extra\"" });
  assert.match((await host.request("startRun", { ...validStart, seed: -1 })).ok ? "" : "rejected", /rejected/);
  assert.match(JSON.stringify(await host.request("loadRun", { runId: "../../etc" })), /not a run id/);
  assert.match(JSON.stringify(await host.request("dropTables", {})), /unknown request 'dropTables'/);
  assert.equal(spawned.length, 0, "nothing invalid reached (or even started) the engine");
  assert.deepEqual(await host.request("startRun", validStart), { ok: true, value: { runId: "run-1" } });
  assert.match(JSON.stringify(await host.request("pickModelFile", {})), /only available in the desktop app/);
});

test("switching the backend restarts the engine with it, but not while runs are active", async () => {
  const settings: string[] = [];
  const { spawn } = fakeEngine();
  const host = new EngineHost({ spawn: (s) => (settings.push(s.gpu), spawn()), runsDir: mkdtempSync(join(tmpdir(), "host-")) });
  await host.request("listRuns", {});
  assert.deepEqual(await host.request("setBackend", { gpu: "vulkan" }), { ok: true, value: { gpu: "vulkan" } });
  await host.request("listRuns", {});
  assert.deepEqual(settings, ["auto", "vulkan"]);
  await host.request("startRun", validStart);
  assert.match(JSON.stringify(await host.request("setBackend", { gpu: "cpu" })), /wait for the running runs to finish/);
  assert.match(JSON.stringify(await host.request("setBackend", { gpu: "tpu" })), /invalid setBackend request/);
});

test("a crashed engine fails its runs and pending requests; the next request starts a fresh one", async () => {
  const { spawn, spawned } = fakeEngine();
  const host = new EngineHost({ spawn, runsDir: mkdtempSync(join(tmpdir(), "host-")) });
  const events: unknown[] = [];
  host.subscribe((event) => events.push(event));
  await host.request("startRun", validStart);
  spawned[0]!.crash();
  assert.deepEqual(
    events.filter((e) => (e as { type: string }).type === "run-events").map((e) => (e as { events: Array<{ code: string }> }).events[0]!.code),
    ["engine-crashed"],
  );
  assert.ok(events.some((e) => JSON.stringify(e).includes('"status":"crashed"')));
  assert.deepEqual(await host.request("listStrategies", {}), { ok: true, value: "listStrategies" });
  assert.equal(spawned.length, 2);
});

function get(port: number, path: string, headers: Record<string, string> = {}, method = "GET", body?: string) {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, method, headers }, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve({ status: res.statusCode!, body: data, headers: res.headers }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

test("the web server listens on loopback only, wants the token, and refuses foreign Host headers", async () => {
  const { spawn } = fakeEngine();
  const host = new EngineHost({ spawn, runsDir: mkdtempSync(join(tmpdir(), "host-")) });
  const staticDir = mkdtempSync(join(tmpdir(), "static-"));
  (await import("node:fs")).writeFileSync(join(staticDir, "index.html"), "<!doctype html><p>ui</p>");
  const server = await startWebServer({ host, staticDir });
  try {
    assert.equal((server.server.address() as { address: string }).address, "127.0.0.1");
    const own = { host: `127.0.0.1:${server.port}` };
    const page = await get(server.port, "/", own);
    assert.equal(page.status, 200);
    assert.match(String(page.headers["content-security-policy"]), /default-src 'none'.*frame-ancestors 'none'/);
    assert.equal((await get(server.port, "/", { host: `evil.example:${server.port}` })).status, 403);
    assert.equal((await get(server.port, "/api/listRuns", own, "POST", "{}")).status, 401);
    assert.equal((await get(server.port, "/api/listRuns", { ...own, "x-refinery-token": "wrong" }, "POST", "{}")).status, 401);
    const ok = await get(server.port, "/api/listRuns", { ...own, "x-refinery-token": server.token }, "POST", "{}");
    assert.deepEqual(JSON.parse(ok.body), { ok: true, value: "listRuns" });
    assert.equal((await get(server.port, "/../../etc/passwd", own)).status, 404);
    assert.match(server.url, new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=`));
  } finally {
    host.dispose();
    await server.close();
  }
});
