import assert from "node:assert/strict";
import { test } from "node:test";
import { catalogFileUrl, catalogUri, formatParameters, inLibrary, MODEL_CATALOG } from "./model-catalog.ts";

/** Bits a weight costs in each quantisation llama.cpp writes (with its scales), loosely: Q4_K_M mixes 4- and 6-bit blocks. */
const BITS: Record<string, [number, number]> = { Q4_K_M: [4.3, 6.5], Q8_0: [8.0, 9.5] };

test("every listed model is one GGUF file of a Hugging Face repository, its size matching its parameters and quantisation", () => {
  assert.ok(MODEL_CATALOG.length >= 5 && MODEL_CATALOG.length <= 10, "a handful, not a registry");
  assert.equal(new Set(MODEL_CATALOG.map((m) => m.id)).size, MODEL_CATALOG.length, "ids are unique");
  for (const model of MODEL_CATALOG) {
    assert.match(model.repo, /^[\w.-]+\/[\w.-]+-GGUF$/i, `${model.id}: a GGUF repository`);
    assert.match(model.file, /^[\w.-]+\.gguf$/, `${model.id}: one file, no folder`);
    assert.ok(model.file.toUpperCase().includes(model.quantisation), `${model.id}: the file is the ${model.quantisation} one`);
    assert.ok(model.roles.length > 0, `${model.id}: suits some role`);
    const bits = (model.sizeBytes * 8) / model.parameters;
    const [low, high] = BITS[model.quantisation] ?? [0, 0];
    // Small models carry a large embedding at higher precision, so the per-weight cost sits at the top of the range.
    assert.ok(bits >= low && bits <= high + 2, `${model.id}: ${bits.toFixed(1)} bits a weight for ${model.quantisation}`);
  }
  // A first run can fill every field of the setup from the list.
  for (const role of ["actor", "critic", "judge", "thinking"] as const) {
    assert.ok(
      MODEL_CATALOG.some((m) => m.roles.includes(role)),
      `a model for the ${role}`,
    );
  }
});

test("a listed model is fetched by its Hugging Face reference, and counts as in the library under the downloader's name or its own", () => {
  const qwen = MODEL_CATALOG.find((m) => m.id === "qwen2.5-0.5b-instruct")!;
  assert.equal(catalogUri(qwen), "hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf");
  assert.equal(catalogFileUrl(qwen), "https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf");
  assert.ok(inLibrary(qwen, ["/home/u/.refinery/models/hf_Qwen_qwen2.5-0.5b-instruct-q4_k_m.gguf"]));
  assert.ok(inLibrary(qwen, ["C:\\models\\Qwen2.5-0.5B-Instruct-Q4_K_M.gguf"]), "fetched by hand, under its own name in another case");
  // Another quantisation of the same model is another file.
  assert.ok(!inLibrary(qwen, ["/m/hf_Qwen_qwen2.5-0.5b-instruct-q8_0.gguf", "/m/qwen2.5-1.5b-instruct-q4_k_m.gguf"]));
  assert.ok(!inLibrary(qwen, []));
});

test("parameter counts read as people compare models", () => {
  assert.equal(formatParameters(494_000_000), "494M");
  assert.equal(formatParameters(1_540_000_000), "1.5B");
});
