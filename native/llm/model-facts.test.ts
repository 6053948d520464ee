import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GgmlType, GgufValueType } from "./gguf/format.ts";
import { writeGguf } from "./gguf/writer.ts";
import { ggufInfo, modelFacts } from "./model-facts.ts";

const dir = mkdtempSync(join(tmpdir(), "refinery-model-facts-"));

async function writeModel(path: string, layers: number) {
  await writeGguf(
    path,
    new Map([
      ["general.architecture", { type: GgufValueType.STRING, value: "llama" }],
      ["llama.block_count", { type: GgufValueType.UINT32, value: layers }],
    ]),
    [{ name: "a", dims: [8], type: GgmlType.F32, fill: (b) => b.fill(1) }],
  );
}

test("a model file is read once per version, and again when it changes", async () => {
  const path = join(dir, "m.gguf");
  await writeModel(path, 3);
  const first = await modelFacts(path);
  assert.equal(first.layers, 3);
  assert.equal(await modelFacts(path), first, "unchanged file: the same summary, not a second parse");
  const info = await ggufInfo(path);
  assert.equal(await ggufInfo(path), info);
  await writeModel(path, 5);
  utimesSync(path, new Date(), new Date(Date.now() + 5000));
  const second = await modelFacts(path);
  assert.notEqual(second, first);
  assert.equal(second.layers, 5);
  assert.notEqual(await ggufInfo(path), info);
});

test("a bad file fails with the specific message each time; a missing one is not cached", async () => {
  const good = join(dir, "good.gguf");
  await writeModel(good, 2);
  const cut = join(dir, "cut.gguf");
  writeFileSync(cut, readFileSync(good).subarray(0, 20));
  await assert.rejects(modelFacts(cut), /cut short/);
  await assert.rejects(modelFacts(cut), /cut short/);
  const later = join(dir, "later.gguf");
  await assert.rejects(modelFacts(later), /model file not found/);
  await writeModel(later, 4);
  assert.equal((await modelFacts(later)).layers, 4);
});
