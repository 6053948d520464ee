// The bundled demo model (resources/models, trained by scripts/train-demo) through Refinery on a 60-item slice of
// its test split: greedy actor and critic, fixed seeds, one item at a time, so every figure is the same on every
// run of the same llama.cpp build. It asserts the directions the shipped model reaches (bench/results/demo.md has
// the full table), so a broken export, tokenizer, chat template or grammar shows up as a model that cannot solve.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { scanLibrary } from "../../native/llm/library.ts";
import { bundledDemoModel, bundledModelFolders, bundledModelsDir, demoCriticFor } from "../../native/llm/bundled-demo.ts";
import { BUNDLED_LABEL, librarySourceLabel } from "../../native/protocol/bundled-demo.ts";
import { measureDemo } from "../../scripts/train-demo/measure.ts";

test("the library lists the shipped demo models as the bundled demo pair, with their chat template", async () => {
  const models = await scanLibrary({
    bundled: bundledModelFolders({}),
    refinery: join(tmpdir(), "no-such-folder"),
    lmstudio: [],
    ollama: [],
    huggingface: [],
    added: [],
    folders: [],
  });
  for (const path of new Set([bundledDemoModel, demoCriticFor(bundledDemoModel)])) {
    const demo = models.find((m) => m.path === path);
    assert.ok(demo, `${path} is not listed from ${bundledModelsDir}`);
    assert.equal(librarySourceLabel(demo.source), BUNDLED_LABEL);
    assert.equal(demo.chatTemplate, true);
    assert.equal(demo.architecture, "llama");
  }
  assert.deepEqual(bundledModelFolders({ REFINERY_BUNDLED_MODELS: "off" }), []);
});

test("through every strategy the demo model keeps its answer format, and the critic's verdicts all parse", async () => {
  const figures = await measureDemo({ model: bundledDemoModel, limit: 60, dir: mkdtempSync(join(tmpdir(), "refinery-demo-")) });
  const column = (name: string) => figures.columns.find((c) => c.column === name)!;
  assert.equal(figures.columns.length, 4);
  for (const c of figures.columns) {
    assert.equal(c.failed, 0, `${c.column} had failed cells`);
    // A broken export, tokenizer or chat template shows here first: the model stops writing "The answer is N."
    assert.ok(c.answered >= 0.9, `${c.column} stated an answer on ${c.answered * 100}% of the items`);
  }
  // The directions the shipped model reaches (bench/results/demo.md): its greedy draft solves the 35% floor
  // or more (a model that cannot read the question's numbers solves none), a vote over its samples keeps most of that,
  // and the critic, though it locates no errors yet, passes most right solutions as right in parseable JSON.
  // …and at most the 75% ceiling: an actor that rarely errs leaves its refinements nothing to fix.
  const single = column("single-pass").accuracy;
  assert.ok(single >= 0.35 && single <= 0.75, `single-pass solved ${single * 100}% of the items`);
  assert.ok(column("self-consistency(n=8)").accuracy >= 0.35, `self-consistency solved ${column("self-consistency(n=8)").accuracy * 100}%`);
  assert.equal(figures.critic.unparseable, 0);
  assert.ok(figures.critic.correctAccuracy >= 0.6, `right solutions judged right: ${figures.critic.correctAccuracy}`);
});
