// Self-Refine's task data as shipped (../shared/data/open-ended/self_refine): each file loads as tasks that say
// which Self-Refine task they are, with what that task's prompts show.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadDataset } from "./dataset.ts";

const shipped = resolve(import.meta.dirname, "../../../shared/data/open-ended/self_refine/data");

test("Yelp's records are sentiment reversal toward their own target", async () => {
  const { tasks } = await loadDataset(join(shipped, "tasks/yelp/yelp-extreme.jsonl"), { limit: 2 });
  const [first] = tasks;
  assert.equal(first!.selfRefine!.task, "sentiment");
  assert.equal(first!.selfRefine!.sourceSentiment, "Very negative");
  assert.equal(first!.selfRefine!.targetSentiment, "Very positive");
  assert.match(first!.selfRefine!.input!, /^fun music and vacation atmosphere/);
  assert.match(first!.question, /^Very negative: fun music[\s\S]*Rewrite this review to have a Very positive sentiment\.$/);
});

test("CommonGen-Hard's concept lists and FED's dialogues load as their tasks", async () => {
  const commongen = (await loadDataset(join(shipped, "prompt/commongen/commongen_hard.jsonl"), { limit: 1 })).tasks[0]!;
  assert.equal(commongen.selfRefine!.task, "commongen");
  assert.equal(commongen.selfRefine!.concepts!.length, 30);
  assert.match(commongen.question, /^Write one sentence that uses all of these concepts: vest, snow, remove/);
  const fed = (await loadDataset(join(shipped, "prompt/responsegen/fed_data.json"), { limit: 1 })).tasks[0]!;
  assert.equal(fed.selfRefine!.task, "dialogue");
  // run.py's history: the last 8 lines, without the speaker labels.
  assert.equal(fed.selfRefine!.input!.split("\n").length, 8);
  assert.doesNotMatch(fed.selfRefine!.input!, /User: |System: /);
  assert.match(fed.selfRefine!.input!, /Can't say$/);
});

test("a record with a question of its own stays a plain task unless it is Yelp's", async () => {
  const dir = mkdtempSync(join(tmpdir(), "refinery-self-refine-data-"));
  const file = join(dir, "mixed.jsonl");
  writeFileSync(
    file,
    [
      { question: "Use these words.", concepts: ["a", "b"] },
      { title: "Deep Residual Learning", acronym: "ResNet" },
    ]
      .map((r) => JSON.stringify(r))
      .join("\n"),
  );
  const { tasks } = await loadDataset(file);
  assert.equal(tasks[0]!.selfRefine, undefined);
  assert.equal(tasks[0]!.question, "Use these words.");
  assert.deepEqual(tasks[1]!.selfRefine, { task: "acronym", input: "Deep Residual Learning" });
});
