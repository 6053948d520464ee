// The critic's whole-word vocabulary only helps if llama.cpp splits text as the trainer learnt it: every number
// a problem uses must come out of node-llama-cpp's tokenizer as one token, where the actor's splits it into digits.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { getLlama } from "node-llama-cpp";
import { writeUntrainedModel } from "./model-file.ts";
import { DEMO_SHAPE, UNTRAINED_IDENTITY } from "./settings.ts";
import { readGgufHeader } from "../../native/llm/gguf/reader.ts";
import { bpeOfModel, trainBpe, type PreTokenizer } from "./tokenizer.ts";
import { goldSolution, makeSplits, renderSolution } from "./world.ts";

const { train } = makeSplits(30, 300, 10);
const texts = train.flatMap((p) => [p.question, renderSolution(goldSolution(p))]);
const line = "Ann has 23 apples. She buys 7 more: 23 + 7 = 30.";

async function pieces(pre: PreTokenizer, text: string): Promise<string[]> {
  const bpe = trainBpe(texts, 2000, pre);
  const path = join(mkdtempSync(join(tmpdir(), "refinery-tokenizer-")), `${pre}.gguf`);
  await writeUntrainedModel(path, bpe, { ...DEMO_SHAPE, layers: 1, contextLength: 64 }, UNTRAINED_IDENTITY);
  const llama = await getLlama({ build: "never", gpu: false });
  const model = await llama.loadModel({ modelPath: path });
  try {
    return model.tokenize(text).map((token) => model.detokenize([token]));
  } finally {
    await model.dispose();
  }
}

test("the critic's GPT-2 vocabulary keeps every number whole in llama.cpp's own tokenizer; the actor's splits digits", async () => {
  const whole = await pieces("gpt-2", line);
  assert.deepEqual(whole, ["Ann", " has", " 23", " apples", ".", " She", " buys", " 7", " more", ":", " 23", " +", " 7", " =", " 30", "."]);
  const digits = await pieces("qwen2", line);
  assert.ok(digits.includes("2") && digits.includes("3") && !digits.some((p) => p.includes("23")), digits.join("|"));
});

test("learning stops once no pair occurs twice, and a number seen once stays in pieces", () => {
  const bpe = trainBpe(["x 417 y", "x 5 y", "x 5 y"], 100, "gpt-2");
  assert.ok(bpe.tokens.includes("Ġ5") && bpe.tokens.includes("Ġy"));
  assert.ok(!bpe.tokens.includes("Ġ417"));
  assert.equal(bpe.pre, "gpt-2");
});

test("a demo GGUF's vocabulary reads back as the one written, pre-tokenizer included, so a critic's training can go on", async () => {
  const dir = mkdtempSync(join(tmpdir(), "refinery-tokenizer-"));
  for (const pre of ["gpt-2", "qwen2"] as const) {
    const bpe = trainBpe(texts, 300, pre);
    await writeUntrainedModel(join(dir, `${pre}.gguf`), bpe, { ...DEMO_SHAPE, layers: 1, contextLength: 64 }, UNTRAINED_IDENTITY);
    assert.deepEqual(bpeOfModel(await readGgufHeader(join(dir, `${pre}.gguf`))), bpe);
  }
});
