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
  /**
   * An output matrix of its own instead of the token embedding's transpose. With tied random weights the last
   * input token's own row scores highest, so greedy decoding repeats the prompt's last token ("\n" after a chat
   * template) forever; an untied output writes varied text. Its rows for the byte tokens of non-ASCII UTF-8
   * (<0x80>…<0xFF>) are zero, far below the top-k a sampler keeps: alone, such a byte is broken UTF-8, which a
   * trained model never writes and llama-server refuses ("does not match the expected ... format", HTTP 500).
   */
  untiedOutput?: boolean;
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

/** IEEE half to single precision, subnormals included: reads back what float32ToFloat16Bits wrote. */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
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

/** The tensors of a llama with random matrices and unit norms; the embedding doubles as the output matrix unless untied. */
export function llamaTensors(shape: {
  embedding: number;
  layers: number;
  kvDim: number;
  feedForward: number;
  vocab: number;
  type: GgmlType;
  seed: number;
  /** Token ids whose rows in the output matrix are zero; implies an untied output. */
  untiedOutput?: { zeroRows: number[] };
}): TensorToWrite[] {
  const { embedding: n, kvDim, feedForward: ff, type } = shape;
  let seed = shape.seed;
  const matrix = (name: string, dims: number[], scale = 0.08): TensorToWrite => ({ name, dims, type, fill: makeFiller(type, seed++, scale) });
  const norm = (name: string): TensorToWrite => ({ name, dims: [n], type: GgmlType.F32, fill: ones });
  const tensors: TensorToWrite[] = [matrix("token_embd.weight", [n, shape.vocab], 0.5), norm("output_norm.weight")];
  if (shape.untiedOutput) {
    const output = matrix("output.weight", [n, shape.vocab], 0.5);
    const rowBytes = type === GgmlType.Q8_0 ? (n / 32) * 34 : type === GgmlType.F16 ? n * 2 : n * 4;
    const { zeroRows } = shape.untiedOutput;
    const random = output.fill;
    output.fill = (target) => {
      random(target);
      for (const row of zeroRows) target.fill(0, row * rowBytes, (row + 1) * rowBytes);
    };
    tensors.push(output);
  }
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
  /**
   * Tokens appended to the vocabulary as CONTROL tokens, as chat fine-tunes of SPM llamas add "<|im_start|>" and
   * "<|im_end|>": the tokenizer then matches them whole in special text instead of spelling them " <", "|", "im"...
   */
  controlTokens?: string[];
  /** The token that ends generation (tokenizer.ggml.eos_token_id), by its text: a chat model's end of turn. */
  eosToken?: string;
  /**
   * tokenizer.ggml.add_space_prefix. An SPM tokenizer that prefixes a space also does so after every special token,
   * so "<|im_start|>assistant" becomes "<|im_start|>", " assistant": false (as Gemma's SPM has it) keeps the text
   * after a marker as the template wrote it.
   */
  addSpacePrefix?: boolean;
}

/** llama.cpp's LLAMA_TOKEN_TYPE_CONTROL (llama_token_type in llama.h). */
const LLAMA_TOKEN_TYPE_CONTROL = 3;

/** The tokenizer arrays with CONTROL tokens appended: tokens, their scores and their types stay the same length. */
function appendControlTokens(metadata: Map<string, GgufKv>, texts: string[]): void {
  const array = (key: string): GgufArray => {
    const value = metadata.get(key)?.value;
    if (!value || typeof value !== "object" || !("items" in value)) throw new Error(`the tokenizer has no ${key} to extend`);
    return value;
  };
  const tokens = array("tokenizer.ggml.tokens");
  for (const text of texts) if (tokens.items.includes(text)) throw new Error(`the vocabulary already holds ${text}`);
  const extend = (key: string, value: string | number) => {
    const current = array(key);
    metadata.set(key, { type: GgufValueType.ARRAY, value: { itemType: current.itemType, items: [...current.items, ...texts.map(() => value)] } });
  };
  metadata.set("tokenizer.ggml.tokens", { type: GgufValueType.ARRAY, value: { itemType: tokens.itemType, items: [...tokens.items, ...texts] } });
  if (metadata.has("tokenizer.ggml.scores")) extend("tokenizer.ggml.scores", 0);
  extend("tokenizer.ggml.token_type", LLAMA_TOKEN_TYPE_CONTROL);
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
  const vocab = tokens.items.length + (tokenizer.controlTokens?.length ?? 0);
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
  if (tokenizer.controlTokens?.length) appendControlTokens(metadata, tokenizer.controlTokens);
  if (tokenizer.addSpacePrefix !== undefined) metadata.set("tokenizer.ggml.add_space_prefix", { type: GgufValueType.BOOL, value: tokenizer.addSpacePrefix });
  if (tokenizer.eosToken !== undefined) {
    const id = (metadata.get("tokenizer.ggml.tokens")!.value as GgufArray).items.indexOf(tokenizer.eosToken);
    if (id < 0) throw new Error(`the end-of-generation token ${tokenizer.eosToken} is not in the vocabulary`);
    metadata.set("tokenizer.ggml.eos_token_id", { type: GgufValueType.UINT32, value: id });
  }
  if (tokenizer.chatTemplate) metadata.set("tokenizer.chat_template", { type: GgufValueType.STRING, value: tokenizer.chatTemplate });
  if (chatTemplateSource && !metadata.has("tokenizer.chat_template")) {
    const template = (await readGgufHeader(chatTemplateSource)).metadata.get("tokenizer.chat_template");
    if (template) metadata.set("tokenizer.chat_template", template);
  }

  const nonAsciiBytes = tokens.items.flatMap((text, id) => (typeof text === "string" && /^<0x[89A-F][0-9A-F]>$/.test(text) ? [id] : []));
  const untiedOutput = shape.untiedOutput ? { zeroRows: nonAsciiBytes } : undefined;
  const tensors = llamaTensors({ embedding: n, layers, kvDim, feedForward: ff, vocab, type, seed: shape.seed ?? 1, untiedOutput });
  await writeGguf(path, metadata, tensors);
}
