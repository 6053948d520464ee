// A small byte-level BPE vocabulary learnt from the demo corpus, in the layout llama.cpp reads for GPT-2-style
// tokenizers (tokenizer.ggml.model "gpt2"). Qwen2's pre-tokenizer splits every digit on its own, so numbers are
// digit tokens and the model's arithmetic works digit by digit; the words of Refinery's prompts become whole
// tokens, which keeps a critic's prompt a few hundred tokens long.
import { GgufValueType, type GgufKv } from "../../native/llm/gguf/format.ts";

export const SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] as const;

/** The plain ChatML template: node-llama-cpp resolves it to its ChatML wrapper. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** llama.cpp's "qwen2" pre-tokenizer regex. */
const PRE_TOKENIZER =
  /(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;

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
}

/** Learns `mergeCount` merges, most frequent pair first (ties by the pair's text, so the result is reproducible). */
export function trainBpe(texts: Iterable<string>, mergeCount: number): Bpe {
  const counts = new Map<string, number>();
  for (const text of texts) for (const [chunk] of text.matchAll(PRE_TOKENIZER)) counts.set(chunk, (counts.get(chunk) ?? 0) + 1);
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
  return { tokens, merges };
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
    ["tokenizer.ggml.pre", { type: GgufValueType.STRING, value: "qwen2" }],
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

export function vocabSize(bpe: Bpe): number {
  return bpe.tokens.length + SPECIAL_TOKENS.length;
}
