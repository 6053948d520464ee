import { test } from "node:test";
import assert from "node:assert/strict";
import { createAppStore, formKeyOf } from "./store.ts";
import { createAppSlice } from "./slices/app.ts";
import { createCriticEvalsSlice } from "./slices/critic-evals.ts";
import { createErrorsSlice } from "./slices/errors.ts";
import { experimentsSlice } from "./slices/experiments.ts";
import { createHistorySlice } from "./slices/history.ts";
import { createLibrarySlice } from "./slices/library.ts";
import { createRunsSlice } from "./slices/runs.ts";
import { setupSlice } from "./slices/setup.ts";
import type { RunEvent } from "../../native/protocol/events.ts";

const model = { path: "/m", name: "m", sizeBytes: 1, sampling: { temperature: 0, maxTokens: 8 } };
const started: RunEvent = {
  type: "run-started",
  at: 1,
  runId: "r",
  strategy: "s",
  params: {},
  models: { actor: model, critic: model },
  seed: 0,
  task: { question: "q" },
};

test("each store is independent and run state comes from folding events", () => {
  const a = createAppStore();
  const b = createAppStore();
  a.getState().applyEvents("r", [started, { type: "node-added", at: 2, nodeId: "n1", parents: [], role: "draft", step: "d", iteration: 0, model: "actor" }]);
  a.getState().applyEvents("r", [{ type: "token-delta", nodeId: "n1", text: "4" }]);
  assert.equal(a.getState().runs.r!.nodes.n1!.text, "4");
  assert.deepEqual(b.getState().runs, {});
  const before = a.getState().runs;
  a.getState().applyEvents("r", [{ type: "token-delta", nodeId: "n1", text: "2" }]);
  assert.notEqual(a.getState().runs, before, "writes replace objects, so selectors see changes");
  a.getState().replaceRun("r", [started]);
  assert.deepEqual(a.getState().runs.r!.order, []);
});

test("errors are kept per place and dismissed one by one", () => {
  const store = createAppStore();
  store.getState().pushError("setup", "bad path");
  store.getState().pushError("engine", "crashed");
  store.getState().clearErrors("setup");
  assert.deepEqual(
    store.getState().errors.map((e) => e.where),
    ["engine"],
  );
  store.getState().dismissError(store.getState().errors[0]!.id);
  assert.deepEqual(store.getState().errors, []);
});

test("a refusal about one field goes when that field is edited; other messages stay", () => {
  const store = createAppStore();
  store.getState().pushError("setup", "Max tokens: at most 32,768", formKeyOf("actor.sampling.maxTokens"));
  store.getState().pushError("setup", "Max iterations: must be a whole number from 0 to 16, got '99'", formKeyOf("params.maxIterations"));
  store.getState().pushError("setup", "the dataset is unreadable");
  store.getState().updateSetup({ question: "2+2?" });
  assert.equal(store.getState().errors.length, 3, "an unrelated edit clears nothing");
  store.getState().updateSetup({ maxTokens: "64" });
  assert.deepEqual(
    store.getState().errors.map((e) => e.message),
    ["Max iterations: must be a whole number from 0 to 16, got '99'", "the dataset is unreadable"],
  );
  store.getState().updateSetup({ params: { maxIterations: "2" } });
  assert.deepEqual(
    store.getState().errors.map((e) => e.message),
    ["the dataset is unreadable"],
  );
  assert.equal(formKeyOf("critic.load.contextSize"), "load");
  assert.equal(formKeyOf("critic.sampling.thinkingBudget"), "criticThinkingBudget");
  assert.equal(formKeyOf("maxTotalTokens"), undefined);
});

test("no two slices own the same name: the combined store would keep only the last one's", () => {
  const owners = new Map<string, string>();
  const clashes: string[] = [];
  const slices = {
    app: createAppSlice,
    runs: createRunsSlice,
    history: createHistorySlice,
    setup: setupSlice(),
    errors: createErrorsSlice,
    library: createLibrarySlice,
    experiments: experimentsSlice(),
    criticEvals: createCriticEvalsSlice,
  };
  const store = createAppStore();
  for (const [slice, create] of Object.entries(slices)) {
    // A slice only builds its state and setters here; nothing is set.
    const built = (create as (...a: unknown[]) => object)(store.setState, store.getState, store);
    for (const name of Object.keys(built)) {
      const owner = owners.get(name);
      if (owner) clashes.push(`${name}: ${owner} and ${slice}`);
      owners.set(name, slice);
    }
  }
  assert.deepEqual(clashes, []);
  assert.deepEqual([...owners.keys()].sort(), Object.keys(store.getState()).sort(), "the store is exactly its slices");
});
