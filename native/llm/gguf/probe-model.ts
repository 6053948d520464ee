// A tiny self-contained llama GGUF (byte-level SPM vocabulary, random weights) for proving a GPU backend: the
// app can make it anywhere, with no tokenizer file to borrow.
import { GgmlType, GgufValueType, type GgufKv } from "./format.ts";
import { makeFiller } from "./random-model.ts";
import { writeGguf, type TensorToWrite } from "./writer.ts";

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
  const tokens = ["<unk>", "<s>", "</s>", ...Array.from({ length: 256 }, (_, i) => `<0x${i.toString(16).toUpperCase().padStart(2, "0")}>`), ...words, ...Array.from({ length: extra }, (_, i) => `▁w${i}`)];
  const types = tokens.map((_, i) => (i === 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1));
  const n = shape.embedding;
  const ff = shape.feedForward;
  const kvDim = (n / shape.heads) * (shape.kvHeads ?? shape.heads);
  const type = shape.weightType ?? GgmlType.F16;
  const u32 = (value: number): GgufKv => ({ type: GgufValueType.UINT32, value });
  const metadata = new Map<string, GgufKv>([
    ["general.architecture", { type: GgufValueType.STRING, value: "llama" }],
    ["general.name", { type: GgufValueType.STRING, value: name }],
    ["general.file_type", u32(type === GgmlType.Q8_0 ? 7 : 1)],
    ["llama.context_length", u32(shape.contextLength)],
    ["llama.embedding_length", u32(n)],
    ["llama.block_count", u32(shape.layers)],
    ["llama.feed_forward_length", u32(ff)],
    ["llama.attention.head_count", u32(shape.heads)],
    ["llama.attention.head_count_kv", u32(shape.kvHeads ?? shape.heads)],
    ["llama.rope.dimension_count", u32(n / shape.heads)],
    ["llama.attention.layer_norm_rms_epsilon", { type: GgufValueType.FLOAT32, value: 1e-5 }],
    ["tokenizer.ggml.model", { type: GgufValueType.STRING, value: "llama" }],
    ["tokenizer.ggml.tokens", { type: GgufValueType.ARRAY, value: { itemType: GgufValueType.STRING, items: tokens } }],
    ["tokenizer.ggml.scores", { type: GgufValueType.ARRAY, value: { itemType: GgufValueType.FLOAT32, items: tokens.map((_, i) => -i) } }],
    ["tokenizer.ggml.token_type", { type: GgufValueType.ARRAY, value: { itemType: GgufValueType.INT32, items: types } }],
    ["tokenizer.ggml.unknown_token_id", u32(0)],
    ["tokenizer.ggml.bos_token_id", u32(1)],
    ["tokenizer.ggml.eos_token_id", u32(2)],
  ]);
  let seed = 1;
  const m = (tensor: string, dims: number[], scale = 0.08): TensorToWrite => ({ name: tensor, dims, type, fill: makeFiller(type, seed++, scale) });
  const norm = (tensor: string): TensorToWrite => ({ name: tensor, dims: [n], type: GgmlType.F32, fill: (b) => { for (let i = 0; i < b.length; i += 4) b.writeFloatLE(1, i); } });
  const tensors: TensorToWrite[] = [m("token_embd.weight", [n, tokens.length], 0.5), norm("output_norm.weight")];
  for (let i = 0; i < shape.layers; i++) {
    tensors.push(
      norm(`blk.${i}.attn_norm.weight`),
      m(`blk.${i}.attn_q.weight`, [n, n]),
      m(`blk.${i}.attn_k.weight`, [n, kvDim]),
      m(`blk.${i}.attn_v.weight`, [n, kvDim]),
      m(`blk.${i}.attn_output.weight`, [n, n]),
      norm(`blk.${i}.ffn_norm.weight`),
      m(`blk.${i}.ffn_gate.weight`, [n, ff]),
      m(`blk.${i}.ffn_up.weight`, [n, ff]),
      m(`blk.${i}.ffn_down.weight`, [ff, n]),
    );
  }
  await writeGguf(path, metadata, tensors);
}
