// Opening runs through the controller: answers from the engine can come back in any order, and the run the user
// asked for last is the one shown.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Bridge } from "../../native/protocol/contract.ts";
import type { RunEvent } from "../../native/protocol/events.ts";
import { createController } from "./controller.ts";
import { createAppStore } from "./store.ts";

const model = { path: "/m", name: "m", sizeBytes: 1, sampling: { temperature: 0, maxTokens: 8 } };
const startedAs = (runId: string): RunEvent => ({
  type: "run-started",
  at: 1,
  runId,
  strategy: "single-pass",
  params: {},
  models: { actor: model, critic: model },
  seed: 0,
  task: { question: runId },
});

/** A bridge whose loadRun answers only when the test says so; every other request answers at once, empty. */
function deferredBridge() {
  const pending = new Map<string, () => void>();
  const loadRun = (input: { runId: string }) =>
    new Promise((resolve) => pending.set(input.runId, () => resolve({ ok: true, value: [startedAs(input.runId)] })));
  const bridge = new Proxy({} as Record<string, unknown>, {
    get: (_, name) => {
      if (name === "loadRun") return loadRun;
      if (name === "subscribe") return () => () => {};
      if (name === "then") return undefined;
      return async () => ({ ok: true, value: name === "listStrategies" || name === "listRuns" || name === "listLibrary" ? [] : null });
    },
  }) as unknown as Bridge;
  const answer = async (runId: string) => {
    pending.get(runId)!();
    await new Promise((r) => setImmediate(r));
  };
  const asked = async (runId: string) => {
    while (!pending.has(runId)) await new Promise((r) => setImmediate(r));
  };
  return { bridge, answer, asked };
}

function setup(hash = "") {
  const engine = deferredBridge();
  const store = createAppStore();
  const location = {
    hash,
    setHash(h: string) {
      location.hash = `#${h}`;
    },
  };
  const controller = createController(engine.bridge, store, location);
  return { ...engine, store, location, controller };
}

test("two runs opened one after the other: the second stays shown, whichever answer comes back last", async () => {
  const { controller, store, location, answer } = setup();
  const first = controller.openRun("a");
  const second = controller.openRun("b");
  await answer("b");
  await answer("a");
  await Promise.all([first, second]);
  assert.equal(store.getState().currentRunId, "b");
  assert.equal(location.hash, "#run=b");
});

test("a run opened from the history while the linked run still loads is not replaced by the linked run", async () => {
  const { controller, store, location, answer, asked } = setup("#run=linked");
  const init = controller.init();
  await asked("linked");
  const clicked = controller.openRun("clicked");
  await answer("clicked");
  await answer("linked");
  await Promise.all([init, clicked]);
  assert.equal(store.getState().currentRunId, "clicked");
  assert.equal(location.hash, "#run=clicked");
  assert.equal(store.getState().restored, true);
});

test("the linked run opens when the user asks for nothing else meanwhile", async () => {
  const { controller, store, answer, asked } = setup("#run=linked");
  const init = controller.init();
  await asked("linked");
  await answer("linked");
  await init;
  assert.equal(store.getState().currentRunId, "linked");
});
