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
  const loaded: Array<{ runId: string; experiment?: string }> = [];
  const loadRun = (input: { runId: string; experiment?: string }) => {
    loaded.push(input);
    return new Promise((resolve) => pending.set(input.runId, () => resolve({ ok: true, value: [startedAs(input.runId)] })));
  };
  const bridge = new Proxy({} as Record<string, unknown>, {
    get: (_, name) => {
      if (name === "loadRun") return loadRun;
      if (name === "subscribe") return () => () => {};
      if (name === "loadExperiment") return async (input: { path: string }) => ({ ok: true, value: { path: input.path, progress: null } });
      if (name === "then") return undefined;
      return async () => ({ ok: true, value: name === "listStrategies" || name === "listRuns" || name === "listLibrary" || name === "listModels" ? [] : null });
    },
  }) as unknown as Bridge;
  const answer = async (runId: string) => {
    pending.get(runId)!();
    await new Promise((r) => setImmediate(r));
  };
  const asked = async (runId: string) => {
    while (!pending.has(runId)) await new Promise((r) => setImmediate(r));
  };
  return { bridge, answer, asked, loaded };
}

function setup(hash = "") {
  const engine = deferredBridge();
  const store = createAppStore();
  const location = {
    hash,
    /** Every address written, "push" or "replace", in order. */
    writes: [] as string[],
    setHash(h: string, mode: "push" | "replace") {
      location.hash = h ? `#${h}` : "";
      location.writes.push(`${mode} ${h}`);
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

test("a tab the user opens while the first screen still loads stays open; the address is not applied over it", async () => {
  const { controller, store, location } = setup("#run=linked");
  const init = controller.init();
  store.getState().setView("compare");
  await init;
  assert.equal(store.getState().view, "compare");
  assert.equal(store.getState().currentRunId, null);
  assert.equal(location.hash, "#tab=compare");
  assert.equal(store.getState().restored, true);
});

test("a pasted link switches runs without a reload; the address then names the run it shows", async () => {
  const { controller, store, location, answer, asked } = setup("#run=linked");
  const init = controller.init();
  await asked("linked");
  await answer("linked");
  await init;
  location.hash = "#run=pasted";
  const followed = controller.followAddress();
  await asked("pasted");
  await answer("pasted");
  await followed;
  assert.equal(store.getState().currentRunId, "pasted");
  assert.equal(location.hash, "#run=pasted");
});

test("opening a run or a tab is a new history entry; selecting a node replaces the address in place", async () => {
  const { controller, store, location, answer } = setup();
  const opened = controller.openRun("a");
  await answer("a");
  await opened;
  store.getState().selectNode("n1");
  store.getState().setView("compare");
  assert.deepEqual(location.writes, ["push run=a", "replace run=a&node=n1", "push tab=compare&run=a&node=n1"]);
});

test("an address naming an experiment's cell opens the experiment and that run from the experiment's folder, then its node", async () => {
  const { controller, store, location, answer, asked, loaded } = setup("#experiment=%2Fexp&run=cell--0001&cell=1&node=n1");
  const init = controller.init();
  await asked("cell--0001");
  await answer("cell--0001");
  await init;
  assert.deepEqual(loaded, [{ runId: "cell--0001", experiment: "/exp" }]);
  assert.equal(store.getState().experiment?.path, "/exp");
  assert.equal(store.getState().currentRunExperiment, "/exp");
  assert.equal(store.getState().view, "run");
  // The node is not in the run (only its start was logged here), so it is not selected and the address drops it.
  assert.equal(store.getState().selectedNodeId, null);
  assert.equal(location.hash, "#experiment=%2Fexp&run=cell--0001&cell=1");
});

test("back to an address without a run shows no run", async () => {
  const { controller, store, location, answer } = setup();
  const opened = controller.openRun("a");
  await answer("a");
  await opened;
  location.hash = "";
  await controller.followAddress();
  assert.equal(store.getState().currentRunId, null);
});

test("the history list's search, filters and sort are in the address: restored from a link, written in place as they change", async () => {
  const { controller, store, location } = setup("#search=six&filter-strategy=best-of-n&sort=oldest");
  await controller.init();
  assert.deepEqual(store.getState().historyView, { search: "six", strategy: "best-of-n", model: "", status: "", sort: "oldest" });
  store.getState().updateHistoryView({ status: "failed", sort: "newest" });
  assert.equal(location.hash, "#search=six&filter-strategy=best-of-n&filter-status=failed");
  assert.ok(
    location.writes.every((write) => write.startsWith("replace ")),
    "a filter is no step back",
  );
  location.hash = "#filter-model=%2Fm%2Fa.gguf";
  await controller.followAddress();
  assert.deepEqual(store.getState().historyView, { search: "", strategy: "", model: "/m/a.gguf", status: "", sort: "newest" });
});

test("an address naming a critic evaluation's row opens it from the evaluation's folder", async () => {
  const { controller, store, answer, asked, loaded } = setup("#run=item-0002&critic-eval=%2Fdata%2Fcritic-evals%2Fce1");
  const init = controller.init();
  await asked("item-0002");
  await answer("item-0002");
  await init;
  assert.deepEqual(loaded, [{ runId: "item-0002", experiment: "/data/critic-evals/ce1" }]);
  assert.equal(store.getState().currentRunEvaluation, "/data/critic-evals/ce1");
  assert.equal(store.getState().currentRunExperiment, null);
});
