// The experiment form survives a reload: what was typed comes back; what cannot be read falls back field by field.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EXPERIMENT_FORM_STORAGE_KEY, loadExperimentForm, persistExperimentForm } from "./experiment-form-storage.ts";
import type { SetupStorage } from "./setup-storage.ts";
import { createAppStore, defaultExperimentForm } from "./store.ts";

function memoryStorage(initial: Record<string, string> = {}): SetupStorage {
  const data = new Map(Object.entries(initial));
  return { getItem: (key) => data.get(key) ?? null, setItem: (key, value) => void data.set(key, value) };
}

test("the experiment form written on every change comes back as it was after a reload", () => {
  const storage = memoryStorage();
  const store = createAppStore();
  persistExperimentForm(store, storage);
  const pair = {
    actor: { path: "/m/a.gguf", sampling: { maxTokens: 256 } },
    critic: { path: "openai:http://127.0.0.1:8080/v1#c", load: { gpuLayers: "max" as const } },
  };
  store
    .getState()
    .updateExperimentForm({ dataset: "/d/gsm8k.jsonl", limit: "50", strategies: ["best-of-n"], specs: "best-of-n:n=8", pairs: [pair], skipMalformed: true });
  const reloaded = createAppStore({ experimentForm: loadExperimentForm(storage) });
  assert.deepEqual(reloaded.getState().experimentForm, {
    ...defaultExperimentForm,
    dataset: "/d/gsm8k.jsonl",
    limit: "50",
    strategies: ["best-of-n"],
    specs: "best-of-n:n=8",
    pairs: [pair],
    skipMalformed: true,
  });
});

test("a stale or malformed saved form falls back field by field, never throws", () => {
  assert.deepEqual(loadExperimentForm(memoryStorage({ [EXPERIMENT_FORM_STORAGE_KEY]: "{not json" })), defaultExperimentForm);
  assert.deepEqual(loadExperimentForm(null), defaultExperimentForm);
  const partly = loadExperimentForm(
    memoryStorage({
      [EXPERIMENT_FORM_STORAGE_KEY]: JSON.stringify({ dataset: "/d/x.jsonl", limit: 7, strategies: "best-of-n", pairs: [{ actor: {} }], gone: 1 }),
    }),
  );
  assert.equal(partly.dataset, "/d/x.jsonl");
  assert.equal(partly.limit, defaultExperimentForm.limit, "a number where text belongs is dropped");
  assert.deepEqual(partly.strategies, defaultExperimentForm.strategies);
  assert.deepEqual(partly.pairs, []);
  assert.equal("gone" in partly, false);
});
