// Random-weight llama GGUFs with a real tokenizer (and chat template) copied from another GGUF. Tests and
// benchmarks make models of any shape with this; the weights are noise, but tokenisation, chat formatting,
// grammars, batching and memory behave as they do for a trained model of that shape.
import { GgmlType, GgufValueType, type GgufArray, type GgufKv } from "./format.ts";
import { readGgufHeader } from "./reader.ts";
import { writeGguf, type TensorToWrite } from "./writer.ts";
import { mulberry32 } from "../../util/random.ts";

export interface RandomLlamaShape {
  embedding: number;
  layers: number;
  heads: number;
  kvHeads?: number;
  feedForward: number;
  contextLength: number;
  /** Matrix weight type; norms are always F32. */
  weightType?: GgmlType.F16 | GgmlType.Q8_0;
  seed?: number;
  name?: string;
}

export function float32ToFloat16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exponent <= 0) return sign; // flush tiny values to zero; fine for weights
  if (exponent >= 31) return sign | 0x7c00;
  return sign | (exponent << 10) | (mantissa >>> 13);
}

/** A random pattern tiled over the buffer at a per-tensor offset: fast for 100M+ parameters, and noise enough. */
export function makeFiller(type: GgmlType, seed: number, scale: number): (target: Buffer) => void {
  const random = mulberry32(seed);
  const patternBytes = 1 << 16;
  const pattern = Buffer.alloc(patternBytes + 34 * 1024);
  if (type === GgmlType.F32) {
    for (let i = 0; i + 4 <= pattern.length; i += 4) pattern.writeFloatLE((random() * 2 - 1) * scale, i);
  } else if (type === GgmlType.F16) {
    for (let i = 0; i + 2 <= pattern.length; i += 2) pattern.writeUInt16LE(float32ToFloat16Bits((random() * 2 - 1) * scale), i);
  } else {
    // Q8_0 blocks: an f16 scale then 32 signed bytes.
    const d = float32ToFloat16Bits(scale / 127);
    for (let i = 0; i + 34 <= pattern.length; i += 34) {
      pattern.writeUInt16LE(d, i);
      for (let j = 0; j < 32; j++) pattern.writeInt8(Math.floor(random() * 255) - 127, i + 2 + j);
    }
  }
  const unit = type === GgmlType.Q8_0 ? 34 : type === GgmlType.F16 ? 2 : 4;
  // Copies must start on block boundaries, or Q8_0 scales would be read from weight bytes.
  const chunk = unit * Math.floor(patternBytes / unit);
  return (target) => {
    let shift = Math.floor(random() * 1024) * unit;
    for (let at = 0; at < target.length; at += chunk) {
      const length = Math.min(chunk, target.length - at);
      pattern.copy(target, at, shift, shift + length);
      shift = (shift + 7 * unit) % (34 * 1024);
    }
  };
}

const ones = (target: Buffer) => {
  for (let i = 0; i < target.length; i += 4) target.writeFloatLE(1, i);
};

/** The tensors of a llama with random matrices and unit norms; the embedding doubles as the output matrix. */
export function llamaTensors(shape: {
  embedding: number;
  layers: number;
  kvDim: number;
  feedForward: number;
  vocab: number;
  type: GgmlType;
  seed: number;
}): TensorToWrite[] {
  const { embedding: n, kvDim, feedForward: ff, type } = shape;
  let seed = shape.seed;
  const matrix = (name: string, dims: number[], scale = 0.08): TensorToWrite => ({ name, dims, type, fill: makeFiller(type, seed++, scale) });
  const norm = (name: string): TensorToWrite => ({ name, dims: [n], type: GgmlType.F32, fill: ones });
  const tensors: TensorToWrite[] = [matrix("token_embd.weight", [n, shape.vocab], 0.5), norm("output_norm.weight")];
  for (let i = 0; i < shape.layers; i++) {
    tensors.push(
      norm(`blk.${i}.attn_norm.weight`),
      matrix(`blk.${i}.attn_q.weight`, [n, n]),
      matrix(`blk.${i}.attn_k.weight`, [n, kvDim]),
      matrix(`blk.${i}.attn_v.weight`, [n, kvDim]),
      matrix(`blk.${i}.attn_output.weight`, [n, n]),
      norm(`blk.${i}.ffn_norm.weight`),
      matrix(`blk.${i}.ffn_gate.weight`, [n, ff]),
      matrix(`blk.${i}.ffn_up.weight`, [n, ff]),
      matrix(`blk.${i}.ffn_down.weight`, [ff, n]),
    );
  }
  return tensors;
}

/** The llama hyperparameters every generated model carries (the tokenizer keys are added by the caller). */
export function llamaMetadata(
  shape: { embedding: number; layers: number; heads: number; kvHeads: number; feedForward: number; contextLength: number; type: GgmlType },
  name: string,
): Map<string, GgufKv> {
  const u32 = (value: number): GgufKv => ({ type: GgufValueType.UINT32, value });
  return new Map<string, GgufKv>([
    ["general.architecture", { type: GgufValueType.STRING, value: "llama" }],
    ["general.name", { type: GgufValueType.STRING, value: name }],
    ["general.file_type", u32(shape.type === GgmlType.Q8_0 ? 7 : 1)],
    ["llama.context_length", u32(shape.contextLength)],
    ["llama.embedding_length", u32(shape.embedding)],
    ["llama.block_count", u32(shape.layers)],
    ["llama.feed_forward_length", u32(shape.feedForward)],
    ["llama.attention.head_count", u32(shape.heads)],
    ["llama.attention.head_count_kv", u32(shape.kvHeads)],
    ["llama.rope.dimension_count", u32(shape.embedding / shape.heads)],
    ["llama.attention.layer_norm_rms_epsilon", { type: GgufValueType.FLOAT32, value: 1e-5 }],
  ]);
}

export interface TokenizerOverrides {
  chatTemplate?: string;
  renameTokens?: Array<{ id: number; text: string }>;
}

function renameTokens(tokens: GgufArray, renames: Array<{ id: number; text: string }>): GgufKv {
  const items = [...tokens.items];
  for (const { id, text } of renames) {
    if (id >= items.length) throw new Error(`token id ${id} is outside the vocabulary (${items.length} tokens)`);
    items[id] = text;
  }
  return { type: GgufValueType.ARRAY, value: { itemType: tokens.itemType, items } };
}

export async function writeRandomLlama(
  path: string,
  tokenizerSource: string,
  shape: RandomLlamaShape,
  /** A GGUF whose tokenizer.chat_template to use when the tokenizer source has none. */
  chatTemplateSource?: string,
  /** A template to use instead, and tokens to rename (a reasoning model's <think> markers on padding ids). */
  tokenizer: TokenizerOverrides = {},
): Promise<void> {
  const source = await readGgufHeader(tokenizerSource);
  const tokens = source.metadata.get("tokenizer.ggml.tokens")?.value;
  if (!tokens || typeof tokens !== "object") throw new Error(`${tokenizerSource} has no tokenizer.ggml.tokens`);
  const vocab = tokens.items.length;
  const { embedding: n, layers, heads, feedForward: ff } = shape;
  const kvHeads = shape.kvHeads ?? heads;
  const kvDim = (n / heads) * kvHeads;
  const type = shape.weightType ?? GgmlType.F16;
  const metadata = llamaMetadata(
    { embedding: n, layers, heads, kvHeads, feedForward: ff, contextLength: shape.contextLength, type },
    shape.name ?? "refinery-random-llama",
  );
  metadata.set("llama.vocab_size", { type: GgufValueType.UINT32, value: vocab });
  for (const [key, kv] of source.metadata) if (key.startsWith("tokenizer.")) metadata.set(key, kv);
  if (tokenizer.renameTokens?.length) metadata.set("tokenizer.ggml.tokens", renameTokens(tokens, tokenizer.renameTokens));
  if (tokenizer.chatTemplate) metadata.set("tokenizer.chat_template", { type: GgufValueType.STRING, value: tokenizer.chatTemplate });
  if (chatTemplateSource && !metadata.has("tokenizer.chat_template")) {
    const template = (await readGgufHeader(chatTemplateSource)).metadata.get("tokenizer.chat_template");
    if (template) metadata.set("tokenizer.chat_template", template);
  }

  const tensors = llamaTensors({ embedding: n, layers, kvDim, feedForward: ff, vocab, type, seed: shape.seed ?? 1 });
  await writeGguf(path, metadata, tensors);
}
