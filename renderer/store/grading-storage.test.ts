// The Grading section survives a reload: the grader, the jury, the baseline and the judge budget come back; what
// cannot be read falls back field by field, so a stale value never picks a grader the user did not choose.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GRADING_STORAGE_KEY, loadGrading, persistGrading } from "./grading-storage.ts";
import { defaultGrading, judgingStoreOf } from "./judging.ts";
import type { SetupStorage } from "./setup-storage.ts";
import { createAppStore } from "./store.ts";

function memoryStorage(initial: Record<string, string> = {}): SetupStorage {
  const data = new Map(Object.entries(initial));
  return { getItem: (key) => data.get(key) ?? null, setItem: (key, value) => void data.set(key, value) };
}

test("the Grading section written on every change comes back as it was in a reloaded app", () => {
  const storage = memoryStorage();
  const before = createAppStore();
  persistGrading(before, storage);
  judgingStoreOf(before)
    .getState()
    .updateGrading({ grader: "pairwise", judges: ["/m/judge-a.gguf", "openai:http://127.0.0.1:8080/v1#j"], baseline: "reference", maxTokens: "300" });
  const reloaded = createAppStore();
  persistGrading(reloaded, storage);
  assert.deepEqual(judgingStoreOf(reloaded).getState().grading, {
    grader: "pairwise",
    judges: ["/m/judge-a.gguf", "openai:http://127.0.0.1:8080/v1#j"],
    baseline: "reference",
    maxTokens: "300",
  });
});

test("a stale or malformed saved Grading section falls back field by field, never throws", () => {
  assert.deepEqual(loadGrading(memoryStorage({ [GRADING_STORAGE_KEY]: "{not json" })), defaultGrading);
  assert.deepEqual(loadGrading(null), defaultGrading);
  const partly = loadGrading(
    memoryStorage({ [GRADING_STORAGE_KEY]: JSON.stringify({ grader: "vibes", judges: "/m/j.gguf", baseline: "single-pass", maxTokens: 300, gone: 1 }) }),
  );
  assert.deepEqual(partly, { grader: "checker", judges: [], baseline: "single-pass", maxTokens: "" });
  assert.equal(loadGrading(memoryStorage({ [GRADING_STORAGE_KEY]: JSON.stringify({ grader: "rubric" }) })).grader, "rubric");
});
