// The supervisor and the loopback server without a browser: input validation, tokens, Host checks, crashes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineHost, type EngineProcess } from "./host.ts";
import type { FromEngine, ToEngine } from "./messages.ts";
import type { CriticEvalEvent, EngineEvent } from "../protocol/contract.ts";
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
  assert.deepEqual(await host.request("startRun", { ...validStart, extra: 1 }), { ok: false, error: 'invalid startRun request: Unrecognized key: "extra"' });
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
  const host = new EngineHost({
    spawn: (s) => {
      settings.push(s.gpu);
      return spawn();
    },
    runsDir: mkdtempSync(join(tmpdir(), "host-")),
  });
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

/**
 * An engine that behaves like the real one where it matters here: a GPU probe that takes a while (never answered
 * until the test says so), a critic evaluation and a download that report progress as events, and a kill that
 * exits the process a moment later.
 */
function slowEngine() {
  const spawned: Array<{ emit(event: EngineEvent): void; answer(method: string, value: unknown): void; killed: boolean; exit(description: string): void }> = [];
  const spawn = (): EngineProcess => {
    let onMessage: (m: FromEngine) => void = () => undefined;
    let onExit: (d: string) => void = () => undefined;
    const held = new Map<string, number>();
    const record = {
      killed: false,
      exit: (description: string) => onExit(description),
      emit: (event: EngineEvent) => onMessage({ kind: "event", event }),
      answer: (method: string, value: unknown) => onMessage({ kind: "response", id: held.get(method)!, result: { ok: true, value } }),
    };
    spawned.push(record);
    return {
      pid: 2000 + spawned.length,
      send: (message) => {
        if (message.method === "gpuReport") return void held.set("gpuReport", message.id);
        const value =
          message.method === "startCriticEval" ? { evalId: "critic-eval-1" } : message.method === "startDownload" ? { downloadId: "d1" } : message.method;
        queueMicrotask(() => onMessage({ kind: "response", id: message.id, result: { ok: true, value } }));
      },
      onMessage: (listener) => (onMessage = listener),
      onExit: (listener) => (onExit = listener),
      kill: () => {
        record.killed = true;
        setTimeout(() => onExit("killed by SIGTERM"), 5);
      },
    };
  };
  return { spawn, spawned };
}

const criticEval = { mode: "processbench" as const, dataset: "/d.jsonl", critic: "/m.gguf" };
const running = (done: number): CriticEvalEvent => ({
  type: "critic-eval",
  evalId: "critic-eval-1",
  mode: "processbench",
  dataset: "/d.jsonl",
  state: "running",
  done,
  total: 40,
});

test("setBackend with a GPU probe and a critic evaluation in flight: refused while the evaluation runs, and every pending request settles with a reason", async () => {
  const { spawn, spawned } = slowEngine();
  const host = new EngineHost({ spawn, runsDir: mkdtempSync(join(tmpdir(), "host-")) });
  const events: EngineEvent[] = [];
  host.subscribe((event) => events.push(event));
  const probe = host.request("gpuReport", { refresh: true });
  assert.deepEqual(await host.request("startCriticEval", criticEval), { ok: true, value: { evalId: "critic-eval-1" } });
  spawned[0]!.emit(running(4));
  assert.match(JSON.stringify(await host.request("setBackend", { gpu: "cpu" })), /wait for the critic evaluation to finish/);
  assert.equal(spawned[0]!.killed, false, "the engine running the evaluation was left alone");
  // The evaluation ends; now the switch goes through and the probe still waiting on the old engine is answered.
  spawned[0]!.emit({ ...running(40), state: "finished" });
  assert.deepEqual(await host.request("setBackend", { gpu: "cpu" }), { ok: true, value: { gpu: "cpu" } });
  assert.deepEqual(await probe, { ok: false, error: "cancelled: the engine was restarted to switch the backend to cpu; try again" });
  assert.equal(spawned[0]!.killed, true);
  // The new engine runs the next request; the old engine's exit does not mark anything crashed.
  assert.deepEqual(await host.request("listRuns", {}), { ok: true, value: "listRuns" });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(spawned.length, 2);
  assert.ok(!events.some((e) => e.type === "engine-status" && e.status === "crashed"));
  host.dispose();
});

test("an engine that dies fails its critic evaluation and download with an event, and settles its pending requests", async () => {
  const { spawn, spawned } = slowEngine();
  const host = new EngineHost({ spawn, runsDir: mkdtempSync(join(tmpdir(), "host-")) });
  const events: EngineEvent[] = [];
  host.subscribe((event) => events.push(event));
  const probe = host.request("gpuReport", { refresh: true });
  await host.request("startCriticEval", criticEval);
  spawned[0]!.emit(running(4));
  await host.request("startDownload", { uri: "hf:org/repo/model.gguf" });
  assert.match(JSON.stringify(await host.request("setBackend", { gpu: "cpu" })), /wait for the critic evaluation/);
  spawned[0]!.emit({ ...running(4), state: "cancelled" });
  assert.match(
    JSON.stringify(await host.request("setBackend", { gpu: "cpu" })),
    /wait for the download to finish/,
    "a download refuses the switch before its first progress event",
  );
  spawned[0]!.emit({
    type: "download",
    downloadId: "d1",
    uri: "hf:org/repo/model.gguf",
    state: "running",
    downloadedBytes: 10,
    totalBytes: 100,
    speed: 1,
    etaSeconds: 90,
  });
  await host.request("startCriticEval", criticEval);
  spawned[0]!.emit(running(5));
  spawned[0]!.exit("killed by SIGKILL");
  assert.deepEqual(await probe, { ok: false, error: "the engine process stopped (killed by SIGKILL)" });
  const failedEval = events.filter((e): e is Extract<EngineEvent, { type: "critic-eval" }> => e.type === "critic-eval").at(-1)!;
  assert.equal(failedEval.state, "failed");
  assert.equal(failedEval.done, 5);
  assert.equal(failedEval.error, "the engine process stopped (killed by SIGKILL)");
  const failedDownload = events.filter((e) => e.type === "download").at(-1) as Extract<EngineEvent, { type: "download" }>;
  assert.equal(failedDownload.state, "failed");
  assert.match(failedDownload.error!, /engine process stopped .*start the download again/);
  assert.deepEqual(await host.request("setBackend", { gpu: "cpu" }), { ok: true, value: { gpu: "cpu" } }, "nothing is left running");
  host.dispose();
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
    // Without its token the page is the one that says so; the session cookie opens the app.
    assert.equal((await get(server.port, "/", own)).status, 401);
    const page = await get(server.port, "/", { ...own, cookie: `refinery-token-${server.port}=${server.token}` });
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
