// A tiny self-contained llama GGUF (byte-level SPM vocabulary, random weights) for proving a GPU backend: the
// app can make it anywhere, with no tokenizer file to borrow.
import { GgmlType, GgufValueType, type GgufKv } from "./format.ts";
import { llamaMetadata, llamaTensors } from "./random-model.ts";
import { writeGguf } from "./writer.ts";

export interface SyntheticShape {
  embedding: number;
  layers: number;
  heads: number;
  kvHeads?: number;
  feedForward: number;
  vocab: number;
  contextLength: number;
  weightType?: GgmlType.F16 | GgmlType.Q8_0;
}

/** The probe: one layer, 64 wide, a few hundred tokens. */
export function writeProbeModel(path: string): Promise<void> {
  return writeSyntheticLlama(path, { embedding: 64, layers: 1, heads: 4, feedForward: 128, vocab: 264, contextLength: 256 }, "refinery-probe");
}

/**
 * Any llama shape with a synthetic byte-level SPM vocabulary: for benchmarks on machines that have neither a
 * model nor a tokenizer file (the GPU machine), e.g. a 1.5B-parameter shape.
 */
export async function writeSyntheticLlama(path: string, shape: SyntheticShape, name = "refinery-synthetic"): Promise<void> {
  const words = ["▁", "▁a", "▁the", "e", "t"];
  const extra = Math.max(0, shape.vocab - 259 - words.length);
  const tokens = [
    "<unk>",
    "<s>",
    "</s>",
    ...Array.from({ length: 256 }, (_, i) => `<0x${i.toString(16).toUpperCase().padStart(2, "0")}>`),
    ...words,
    ...Array.from({ length: extra }, (_, i) => `▁w${i}`),
  ];
  const types = tokens.map((_, i) => (i === 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1));
  const n = shape.embedding;
  const ff = shape.feedForward;
  const kvDim = (n / shape.heads) * (shape.kvHeads ?? shape.heads);
  const type = shape.weightType ?? GgmlType.F16;
  const u32 = (value: number): GgufKv => ({ type: GgufValueType.UINT32, value });
  const metadata = llamaMetadata({ ...shape, kvHeads: shape.kvHeads ?? shape.heads, type }, name);
  for (const [key, kv] of new Map<string, GgufKv>([
    ["tokenizer.ggml.model", { type: GgufValueType.STRING, value: "llama" }],
    ["tokenizer.ggml.tokens", { type: GgufValueType.ARRAY, value: { itemType: GgufValueType.STRING, items: tokens } }],
    ["tokenizer.ggml.scores", { type: GgufValueType.ARRAY, value: { itemType: GgufValueType.FLOAT32, items: tokens.map((_, i) => -i) } }],
    ["tokenizer.ggml.token_type", { type: GgufValueType.ARRAY, value: { itemType: GgufValueType.INT32, items: types } }],
    ["tokenizer.ggml.unknown_token_id", u32(0)],
    ["tokenizer.ggml.bos_token_id", u32(1)],
    ["tokenizer.ggml.eos_token_id", u32(2)],
  ]))
    metadata.set(key, kv);
  const tensors = llamaTensors({ embedding: n, layers: shape.layers, kvDim, feedForward: ff, vocab: tokens.length, type, seed: 1 });
  await writeGguf(path, metadata, tensors);
}
