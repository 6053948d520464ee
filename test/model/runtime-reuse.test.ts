// A run's least context depends on its question and budgets, so the runtime must hand it a copy already loaded
// with the same chosen settings when that copy holds enough: `serve --openai` loads its models once and every
// strategy request runs on them, rather than each request loading (and keeping) a model of its own.
import assert from "node:assert/strict";
import { test } from "node:test";
import { openRuntime } from "../../native/llm/runtime.ts";
import { storiesModel } from "../support/models.ts";

test("a load whose least context and sequences an already loaded copy holds gets that copy; one asking for more sequences loads its own", async () => {
  const runtime = await openRuntime({ gpu: "cpu", threads: 1 });
  try {
    const served = await runtime.loadModel(storiesModel, { sequences: 4 });
    const trained = served.model.trainContextSize;
    assert.ok(served.context.contextSize >= 200, `the unsized context holds ${served.context.contextSize} tokens`);

    const run = await runtime.loadModel(storiesModel, { sequences: 2, minContextSize: 200 });
    assert.equal(run.model, served.model, "a run needing 200 tokens on 2 sequences runs on the served copy");
    const beyondTraining = await runtime.loadModel(storiesModel, { sequences: 4, minContextSize: trained * 4 });
    assert.equal(beyondTraining.model, served.model, "a need beyond the trained context is capped at it, as the load would be");

    const wider = await runtime.loadModel(storiesModel, { sequences: 6, minContextSize: 200 });
    assert.notEqual(wider.model, served.model, "6 sequences do not fit the served copy's 4");
    assert.equal(wider.context.totalSequences, 6);
    const sized = await runtime.loadModel(storiesModel, { sequences: 1, contextSize: 128 });
    assert.notEqual(sized.model, served.model, "a context size the user chose is kept, not traded for a bigger copy");
  } finally {
    await runtime.unloadAll();
  }
});
