// Requests waiting for a sequence share their run's AbortSignal; the waits must not leave listeners on it
// (or concurrent runs end with "MaxListenersExceededWarning: 11 abort listeners").
import { test } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { openRuntime } from "../../native/llm/runtime.ts";
import { LlamaBackend } from "../../native/llm/llama-backend.ts";
import { storiesModel } from "../support/models.ts";

test("waiting for a sequence leaves no abort listener behind, and an abort still wakes the waiters", async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
  process.on("warning", onWarning);
  const runtime = await openRuntime({ gpu: "cpu", threads: 1 });
  try {
    const loaded = await runtime.loadModel(storiesModel, { sequences: 2, contextSize: 256 });
    const backend = new LlamaBackend(runtime, loaded, "pool-test");
    const controller = new AbortController();
    const generate = (lane: string, signal: AbortSignal) =>
      backend.generate({ messages: [{ role: "user", content: "Once upon a time" }], maxTokens: 4, temperature: 0, seed: 1, lane, signal });
    // Twelve lanes on two sequences: ten requests wait, several times each.
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => generate(`lane-${i}`, controller.signal)));
    assert.ok(results.every((r) => r.stopReason !== "aborted"));
    assert.equal(getEventListeners(controller.signal, "abort").length, 0);

    const cancel = new AbortController();
    const pending = Array.from({ length: 6 }, (_, i) =>
      generate(`cancel-${i}`, cancel.signal).then(
        (r) => r.stopReason,
        (error: Error) => error.name,
      ),
    );
    cancel.abort();
    const outcomes = await Promise.all(pending);
    assert.ok(
      outcomes.every((o) => o === "aborted" || o === "AbortError"),
      JSON.stringify(outcomes),
    );
    assert.equal(getEventListeners(cancel.signal, "abort").length, 0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      warnings.filter((w) => w.startsWith("MaxListenersExceededWarning")),
      [],
    );
  } finally {
    process.off("warning", onWarning);
    await runtime.llama.dispose();
  }
});
