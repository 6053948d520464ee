// A small byte-level BPE vocabulary learnt from the demo corpus, in the layout llama.cpp reads for GPT-2-style
// tokenizers (tokenizer.ggml.model "gpt2"). The actor's uses Qwen2's pre-tokenizer, which splits every digit on its
// own, so numbers are digit tokens and the model's arithmetic works digit by digit; the words of Refinery's prompts
// become whole tokens, which keeps a critic's prompt a few hundred tokens long. The critic's uses GPT-2's, which
// keeps " 24" in one piece, and enough merges that every number and word it sees is one token: a line of the
// prompt is then a few rare tokens, which a model this small learns to find and copy (the digit vocabulary never
// let it, resources/models/README.md).
import { GgufValueType, type GgufKv } from "../../native/llm/gguf/format.ts";
import { type GgufHeader, metadataValue } from "../../native/llm/gguf/reader.ts";

export const SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] as const;

/** The plain ChatML template: node-llama-cpp resolves it to its ChatML wrapper. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** llama.cpp's pre-tokenizer regexes (llama-vocab.cpp), by the name tokenizer.ggml.pre gives them. */
const PRE_TOKENIZERS = {
  qwen2: /(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu,
  "gpt-2": /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu,
} as const;
export type PreTokenizer = keyof typeof PRE_TOKENIZERS;

/** GPT-2's byte → printable character table (a byte-level BPE stores every token in these characters). */
export function byteToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const table: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + extra++);
  return table;
}

const BYTES = byteToUnicode();
const encodeChunk = (chunk: string) => [...Buffer.from(chunk, "utf8")].map((b) => BYTES[b]!);

export interface Bpe {
  tokens: string[];
  merges: string[];
  /** Absent in the actor's tokenizer.json, which predates the choice: qwen2. */
  pre?: PreTokenizer;
}

/**
 * Learns up to `mergeCount` merges, most frequent pair first (ties by the pair's text, so the result is
 * reproducible); stops early once no pair occurs twice.
 */
export function trainBpe(texts: Iterable<string>, mergeCount: number, pre: PreTokenizer = "qwen2"): Bpe {
  const counts = new Map<string, number>();
  for (const text of texts) for (const [chunk] of text.matchAll(PRE_TOKENIZERS[pre])) counts.set(chunk, (counts.get(chunk) ?? 0) + 1);
  const words = [...counts.entries()].map(([chunk, count]) => ({ symbols: encodeChunk(chunk), count }));
  const tokens = [...BYTES];
  const merges: string[] = [];
  for (let m = 0; m < mergeCount; m++) {
    const pairs = new Map<string, number>();
    for (const word of words)
      for (let i = 0; i + 1 < word.symbols.length; i++) {
        const key = `${word.symbols[i]} ${word.symbols[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + word.count);
      }
    let best: string | null = null;
    let bestCount = 1;
    for (const [key, count] of pairs) if (count > bestCount || (count === bestCount && best !== null && key < best)) [best, bestCount] = [key, count];
    if (best === null) break;
    const [left, right] = best.split(" ") as [string, string];
    merges.push(best);
    tokens.push(left + right);
    for (const word of words) {
      const next: string[] = [];
      for (let i = 0; i < word.symbols.length; i++) {
        if (i + 1 < word.symbols.length && word.symbols[i] === left && word.symbols[i + 1] === right) {
          next.push(left + right);
          i++;
        } else next.push(word.symbols[i]!);
      }
      word.symbols = next;
    }
  }
  return pre === "qwen2" ? { tokens, merges } : { tokens, merges, pre };
}

/** The tokenizer.* metadata of a GGUF: byte-level BPE, ChatML control tokens, <|im_end|> ends a turn. */
export function tokenizerMetadata(bpe: Bpe): Map<string, GgufKv> {
  const tokens = [...bpe.tokens, ...SPECIAL_TOKENS];
  const types = tokens.map((token) => ((SPECIAL_TOKENS as readonly string[]).includes(token) ? 3 : 1));
  const id = (token: string) => tokens.indexOf(token);
  const u32 = (value: number): GgufKv => ({ type: GgufValueType.UINT32, value });
  const strings = (items: string[]): GgufKv => ({ type: GgufValueType.ARRAY, value: { itemType: GgufValueType.STRING, items } });
  return new Map<string, GgufKv>([
    ["tokenizer.ggml.model", { type: GgufValueType.STRING, value: "gpt2" }],
    ["tokenizer.ggml.pre", { type: GgufValueType.STRING, value: bpe.pre ?? "qwen2" }],
    ["tokenizer.ggml.tokens", strings(tokens)],
    ["tokenizer.ggml.token_type", { type: GgufValueType.ARRAY, value: { itemType: GgufValueType.INT32, items: types } }],
    ["tokenizer.ggml.merges", strings(bpe.merges)],
    ["tokenizer.ggml.bos_token_id", u32(id("<|endoftext|>"))],
    ["tokenizer.ggml.eos_token_id", u32(id("<|im_end|>"))],
    ["tokenizer.ggml.padding_token_id", u32(id("<|endoftext|>"))],
    ["tokenizer.ggml.add_bos_token", { type: GgufValueType.BOOL, value: false }],
    ["tokenizer.chat_template", { type: GgufValueType.STRING, value: CHATML_TEMPLATE }],
  ]);
}

/** A demo GGUF's vocabulary read back (tokenizerMetadata's inverse), so training can go on from a committed file. */
export function bpeOfModel(header: GgufHeader): Bpe {
  const items = (key: string) => (metadataValue(header, key) as { items: string[] } | undefined)?.items ?? [];
  const tokens = items("tokenizer.ggml.tokens");
  if (tokens.slice(-SPECIAL_TOKENS.length).join() !== SPECIAL_TOKENS.join()) throw new Error("not a demo vocabulary: its last tokens are not ChatML's");
  const pre = String(metadataValue(header, "tokenizer.ggml.pre")) as PreTokenizer;
  if (!(pre in PRE_TOKENIZERS)) throw new Error(`not a demo vocabulary: pre-tokenizer '${pre}'`);
  const bpe: Bpe = { tokens: tokens.slice(0, -SPECIAL_TOKENS.length), merges: items("tokenizer.ggml.merges") };
  return pre === "qwen2" ? bpe : { ...bpe, pre };
}

export function vocabSize(bpe: Bpe): number {
  return bpe.tokens.length + SPECIAL_TOKENS.length;
}
