// The bundled demo pair (resources/models, trained by scripts/train-demo) through Refinery on a 60-item slice of
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

test("through every strategy the demo pair keeps its answer format; the critic's verdicts all parse and locate wrong steps", async () => {
  const figures = await measureDemo({ model: bundledDemoModel, limit: 60, dir: mkdtempSync(join(tmpdir(), "refinery-demo-")) });
  const column = (name: string) => figures.columns.find((c) => c.column === name)!;
  assert.equal(figures.columns.length, 4);
  for (const c of figures.columns) {
    assert.equal(c.failed, 0, `${c.column} had failed cells`);
    // A broken export, tokenizer or chat template shows here first: the model stops writing "The answer is N."
    assert.ok(c.answered >= 0.9, `${c.column} stated an answer on ${c.answered * 100}% of the items`);
  }
  // The directions the shipped pair reaches (bench/results/demo.md): the actor's greedy draft solves the 35%
  // floor or more (a model that cannot read the question's numbers solves none) and at most its 75% ceiling (an
  // actor that rarely errs leaves its refinements nothing to fix), and a vote over its samples keeps most of that.
  const single = column("single-pass").accuracy;
  assert.ok(single >= 0.35 && single <= 0.75, `single-pass solved ${single * 100}% of the items`);
  assert.ok(column("self-consistency(n=8)").accuracy >= 0.35, `self-consistency solved ${column("self-consistency(n=8)").accuracy * 100}%`);
  // The critic, in parseable JSON, judges steps better than calling every one correct would, locates the first
  // wrong step of a good share of the wrong solutions (47.8% on this slice), and passes nearly every right one.
  const critic = figures.critic;
  assert.equal(critic.unparseable, 0);
  assert.ok(critic.stepAccuracy > critic.allCorrectBaseline, `step accuracy ${critic.stepAccuracy} against ${critic.allCorrectBaseline} for all-correct`);
  assert.ok(critic.erroneousAccuracy >= 0.3, `wrong solutions located: ${critic.erroneousAccuracy}`);
  assert.ok(critic.correctAccuracy >= 0.8, `right solutions judged right: ${critic.correctAccuracy}`);
  assert.ok(critic.f1 >= 0.5, `first-error F1 ${critic.f1}`);
});
