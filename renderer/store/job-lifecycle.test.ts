// Every kind of job (protocol/job-kinds.ts) through the supervisor and the UI's controller together: a job the engine
// cancels ends once and is not failed again when the engine dies later; a job in flight when the engine dies is
// reported failed exactly once, by the supervisor, and the UI shows that failure; the backend can then be switched.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineHost, type EngineProcess } from "../../native/engine/host.ts";
import type { FromEngine, ToEngine } from "../../native/engine/messages.ts";
import type { Bridge, EngineEvent } from "../../native/protocol/contract.ts";
import { JOB_KIND_NAMES, jobOfEvent, type JobKind } from "../../native/protocol/job-kinds.ts";
import { createController } from "./controller.ts";
import { judgingStoreOf } from "./judging.ts";
import { createAppStore, type AppState, type AppStore } from "./store.ts";

const model = { path: "/m.gguf", name: "m", sizeBytes: 1, sampling: { temperature: 0, maxTokens: 8 } };

interface KindFixture {
  start: { method: string; input: unknown; answer: unknown };
  id: string;
  running: EngineEvent;
  cancelled: EngineEvent;
  /** How the UI shows the job now: its state word. */
  shown(state: AppState, store: AppStore): string | undefined;
}

const fixtures: Record<JobKind, KindFixture> = {
  run: {
    start: {
      method: "startRun",
      input: { strategy: "single-pass", actor: { path: "/m.gguf" }, critic: { path: "/m.gguf" }, task: { question: "q" } },
      answer: { runId: "r1" },
    },
    id: "r1",
    running: {
      type: "run-events",
      runId: "r1",
      events: [
        {
          type: "run-started",
          at: 1,
          runId: "r1",
          strategy: "single-pass",
          params: {},
          models: { actor: model, critic: model },
          seed: 0,
          task: { question: "q" },
        },
      ],
    },
    cancelled: { type: "run-events", runId: "r1", events: [{ type: "run-failed", at: 2, reason: "cancelled by the user", code: "cancelled" }] },
    shown: (state) => state.runs.r1?.status,
  },
  experiment: {
    start: { method: "startExperiment", input: { out: "/x" }, answer: { path: "/x", total: 4, done: 0 } },
    id: "/x",
    running: {
      type: "experiment-progress",
      path: "/x",
      state: "running",
      done: 1,
      total: 4,
      running: 2,
      etaSeconds: null,
      tokensPerSecond: 0,
      cacheHits: 0,
      skippedRecords: 0,
    },
    cancelled: {
      type: "experiment-progress",
      path: "/x",
      state: "stopped",
      done: 1,
      total: 4,
      running: 0,
      etaSeconds: null,
      tokensPerSecond: 0,
      cacheHits: 0,
      skippedRecords: 0,
    },
    shown: (state) => state.experimentProgress["/x"]?.state,
  },
  "critic-eval": {
    start: { method: "startCriticEval", input: { mode: "processbench", dataset: "/d.jsonl", critic: "/m.gguf" }, answer: { evalId: "e1" } },
    id: "e1",
    running: { type: "critic-eval", evalId: "e1", mode: "processbench", dataset: "/d.jsonl", state: "running", done: 1, total: 4 },
    cancelled: { type: "critic-eval", evalId: "e1", mode: "processbench", dataset: "/d.jsonl", state: "cancelled", done: 1, total: 4 },
    shown: (state) => state.criticEvals.e1?.state,
  },
  "judge-eval": {
    start: { method: "startJudgeEval", input: { dataset: "/llmbar.json", judge: "/m.gguf" }, answer: { evalId: "j1" } },
    id: "j1",
    running: { type: "judge-eval", evalId: "j1", dataset: "/llmbar.json", judge: "m", state: "running", done: 1, total: 4 },
    cancelled: { type: "judge-eval", evalId: "j1", dataset: "/llmbar.json", judge: "m", state: "cancelled", done: 1, total: 4 },
    shown: (_state, store) => judgingStoreOf(store).getState().judgeEvals.j1?.state,
  },
  download: {
    start: { method: "startDownload", input: { uri: "hf:org/repo/model.gguf" }, answer: { downloadId: "d1" } },
    id: "d1",
    running: {
      type: "download",
      downloadId: "d1",
      uri: "hf:org/repo/model.gguf",
      state: "running",
      downloadedBytes: 1,
      totalBytes: 4,
      speed: 1,
      etaSeconds: 3,
    },
    cancelled: {
      type: "download",
      downloadId: "d1",
      uri: "hf:org/repo/model.gguf",
      state: "cancelled",
      downloadedBytes: 1,
      totalBytes: 4,
      speed: 0,
      etaSeconds: 0,
    },
    shown: (state) => state.downloads.d1?.state,
  },
};

/** An engine process that answers a start with the fixture's id, anything else empty, and reports what the test says. */
function scriptedEngine() {
  const engines: Array<{ emit(event: EngineEvent): void; die(): void }> = [];
  const spawn = (): EngineProcess => {
    let onMessage: (m: FromEngine) => void = () => undefined;
    let onExit: (d: string) => void = () => undefined;
    engines.push({ emit: (event) => onMessage({ kind: "event", event }), die: () => onExit("killed by SIGKILL") });
    return {
      pid: 1,
      send: (message: ToEngine) => {
        if (message.kind !== "request") return;
        const fixture = Object.values(fixtures).find((f) => f.start.method === message.method);
        const empty = ["listStrategies", "listRuns", "listModels", "listExperiments"].includes(message.method) ? [] : null;
        queueMicrotask(() => onMessage({ kind: "response", id: message.id, result: { ok: true, value: fixture ? fixture.start.answer : empty } }));
      },
      onMessage: (listener) => (onMessage = listener),
      onExit: (listener) => (onExit = listener),
      kill: () => undefined,
    };
  };
  return { spawn, engines };
}

/** The supervisor, and the UI's controller and store listening to it as the app's bridge does. */
async function app() {
  const { spawn, engines } = scriptedEngine();
  const host = new EngineHost({ spawn, runsDir: mkdtempSync(join(tmpdir(), "jobs-")) });
  const bridge = new Proxy({} as Record<string, unknown>, {
    get: (_, name) => {
      if (name === "then") return undefined;
      if (name === "subscribe") return (listener: (event: EngineEvent) => void) => host.subscribe(listener);
      return (input: unknown) => host.request(String(name), input ?? {});
    },
  }) as unknown as Bridge;
  const store = createAppStore();
  const controller = createController(bridge, store, { hash: "", setHash: () => undefined });
  await controller.init();
  const events: EngineEvent[] = [];
  host.subscribe((event) => events.push(event));
  return { host, store, engine: () => engines.at(-1)!, events };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** The reports the supervisor relayed or made about one job that end it. */
function endsOf(events: EngineEvent[], kind: JobKind, id: string): EngineEvent[] {
  return events.filter((event) => {
    const job = jobOfEvent(event);
    return job?.kind === kind && job.id === id && job.ended;
  });
}

for (const kind of JOB_KIND_NAMES) {
  const fixture = fixtures[kind];

  test(`${kind}: one that dies with its engine is failed exactly once, by the supervisor, and the UI shows it failed`, async () => {
    const { host, store, engine, events } = await app();
    assert.deepEqual(await host.request(fixture.start.method, fixture.start.input), { ok: true, value: fixture.start.answer });
    engine().emit(fixture.running);
    await settle();
    assert.equal((await host.request("setBackend", { gpu: "cpu" })).ok, false, "a job in flight keeps the backend");
    engine().die();
    await settle();
    const ends = endsOf(events, kind, fixture.id);
    assert.equal(ends.length, 1, "failed once");
    assert.match(JSON.stringify(ends[0]), /engine/);
    assert.equal(fixture.shown(store.getState(), store), "failed");
    assert.equal(store.getState().engine.status, "crashed");
    assert.deepEqual(await host.request("setBackend", { gpu: "cpu" }), { ok: true, value: { gpu: "cpu" } }, "nothing is left running");
    host.dispose();
  });

  test(`${kind}: one its engine cancelled ends once and is not failed when the engine dies later`, async () => {
    const { host, store, engine, events } = await app();
    await host.request(fixture.start.method, fixture.start.input);
    engine().emit(fixture.running);
    engine().emit(fixture.cancelled);
    await settle();
    const shown = fixture.shown(store.getState(), store);
    assert.ok(shown === "cancelled" || shown === "stopped", `shown ${shown}`);
    engine().die();
    await settle();
    assert.equal(endsOf(events, kind, fixture.id).length, 1, "ended once");
    assert.equal(fixture.shown(store.getState(), store), shown);
    host.dispose();
  });
}

test("a job whose end arrives before its start is answered is not tracked as running", async () => {
  const { host, engine } = await app();
  const started = host.request("startDownload", fixtures.download.start.input);
  engine().emit({ ...(fixtures.download.cancelled as Extract<EngineEvent, { type: "download" }>), state: "failed", error: "no network" });
  await started;
  assert.deepEqual(await host.request("setBackend", { gpu: "cpu" }), { ok: true, value: { gpu: "cpu" } });
  host.dispose();
});

test("a download still connecting to its server is running: the backend waits for it", async () => {
  const { host, engine } = await app();
  await host.request("startDownload", fixtures.download.start.input);
  engine().emit({ ...(fixtures.download.running as Extract<EngineEvent, { type: "download" }>), state: "connecting", host: "huggingface.co" });
  await settle();
  assert.match(JSON.stringify(await host.request("setBackend", { gpu: "cpu" })), /wait for the download to finish/);
  host.dispose();
});
