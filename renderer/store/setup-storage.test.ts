import { test } from "node:test";
import assert from "node:assert/strict";
import { loadSetup, persistSetup, SETUP_STORAGE_KEY, type SetupStorage } from "./setup-storage.ts";
import { createAppStore, defaultSetup } from "./store.ts";
import { setupFromRun } from "./setup-from-run.ts";
import { foldRunEvents } from "../../native/protocol/state.ts";

function memoryStorage(initial: Record<string, string> = {}): SetupStorage & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return { data, getItem: (key) => data.get(key) ?? null, setItem: (key, value) => void data.set(key, value) };
}

test("the setup written on every change comes back as it was", () => {
  const storage = memoryStorage();
  const store = createAppStore();
  persistSetup(store, storage);
  store.getState().updateSetup({ actorPath: "/m/a.gguf", strategy: "best-of-n", params: { n: "4" }, question: "2+2?", reference: "4", seed: "7" });
  const restored = loadSetup(storage);
  assert.deepEqual(restored, {
    ...defaultSetup,
    actorPath: "/m/a.gguf",
    strategy: "best-of-n",
    params: { n: "4" },
    question: "2+2?",
    reference: "4",
    seed: "7",
  });
});

test("a stale or malformed saved setup falls back field by field, never throws", () => {
  assert.deepEqual(loadSetup(memoryStorage({ [SETUP_STORAGE_KEY]: "{not json" })), defaultSetup);
  assert.deepEqual(loadSetup(memoryStorage({ [SETUP_STORAGE_KEY]: "[1,2]" })), defaultSetup);
  assert.deepEqual(loadSetup(null), defaultSetup);
  const partly = loadSetup(
    memoryStorage({ [SETUP_STORAGE_KEY]: JSON.stringify({ actorPath: "/m/a.gguf", seed: 5, params: "n=4", load: { actor: { gpuLayers: 3 } }, extra: true }) }),
  );
  assert.equal(partly.actorPath, "/m/a.gguf");
  assert.equal(partly.seed, defaultSetup.seed, "a number where text belongs is dropped");
  assert.deepEqual(partly.params, {});
  assert.deepEqual(partly.load.actor, { ...defaultSetup.load.actor });
  assert.equal("extra" in partly, false);
  const refused: SetupStorage = {
    getItem: () => {
      throw new Error("SecurityError");
    },
    setItem: () => {
      throw new Error("QuotaExceededError");
    },
  };
  assert.deepEqual(loadSetup(refused), defaultSetup);
  const store = createAppStore();
  persistSetup(store, refused);
  store.getState().updateSetup({ question: "still works" });
  assert.equal(store.getState().setup.question, "still works");
});

test("a run's recorded settings become the setup; one file for both roles leaves the critic field empty", () => {
  const sampling = { temperature: 0.7, maxTokens: 128, thinkingBudget: 0 };
  const run = foldRunEvents([
    {
      type: "run-started",
      at: 1,
      runId: "r1",
      strategy: "self-refine",
      params: { iterations: 3, stopWhenCorrect: true },
      models: {
        actor: { path: "/m/a.gguf", name: "a", sizeBytes: 1, sampling },
        critic: { path: "/m/a.gguf", name: "a", sizeBytes: 1, sampling: { temperature: 0, maxTokens: 64 } },
      },
      seed: 42,
      task: { question: "What is 6×7?", reference: "42" },
    },
  ]);
  const setup = setupFromRun(run, { ...defaultSetup, question: "something else", tests: { language: "python", code: "assert True" } })!;
  assert.deepEqual(
    [
      setup.actorPath,
      setup.criticPath,
      setup.strategy,
      setup.params,
      setup.question,
      setup.reference,
      setup.seed,
      setup.maxTokens,
      setup.thinkingBudget,
      setup.criticThinkingBudget,
    ],
    ["/m/a.gguf", "", "self-refine", { iterations: "3", stopWhenCorrect: "true" }, "What is 6×7?", "42", "42", "128", "0", ""],
  );
  assert.equal(setup.tests, undefined, "the previous task's tests do not stay with another task");
  assert.equal(setupFromRun(foldRunEvents([]), defaultSetup), null);
});

test("the load settings a run recorded come back with it; a run that recorded none leaves the form's", () => {
  const sampling = { temperature: 0.7, maxTokens: 128 };
  const started = (load?: { gpuLayers?: "auto" | "max" | number; contextSize?: number; flashAttention?: boolean }) =>
    foldRunEvents([
      {
        type: "run-started",
        at: 1,
        runId: "r1",
        strategy: "self-refine",
        params: {},
        models: {
          actor: { path: "/m/a.gguf", name: "a", sizeBytes: 1, sampling, ...(load ? { load } : {}) },
          critic: { path: "/m/c.gguf", name: "c", sizeBytes: 1, sampling },
        },
        seed: 0,
        task: { question: "q" },
      },
    ]);
  const edited = { gpuLayers: "12", contextSize: "1024", flashAttention: false };
  const current = { ...defaultSetup, load: { actor: edited, critic: edited } };
  const restored = setupFromRun(started({ gpuLayers: 0, contextSize: 2048, flashAttention: true }), current)!;
  assert.deepEqual(restored.load.actor, { gpuLayers: "0", contextSize: "2048", flashAttention: true });
  assert.deepEqual(restored.load.critic, edited, "the critic's run recorded no load settings");
  assert.deepEqual(setupFromRun(started(), current)!.load, current.load);
});
