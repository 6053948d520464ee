// Test models, made once per checkout under .cache/test-models: random-weight llamas with real tokenizers
// taken from the vocab-only GGUFs in node-llama-cpp's bundled llama.cpp source.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GgmlType } from "../../native/llm/gguf/format.ts";
import { writeRandomLlama, type RandomLlamaShape } from "../../native/llm/gguf/random-model.ts";
import { qwen3ThinkingTemplate, qwen3ThinkTokens } from "./thinking-template.ts";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const cacheDir = join(repoRoot, ".cache");
export const storiesModel = resolve(repoRoot, "../shared/models/stories260K.gguf");

/** Copies models/ggml-vocab-<name>.gguf out of the llama.cpp git bundle that node-llama-cpp ships. */
export function vocabFile(name: "qwen2" | "llama-spm"): string {
  const target = join(cacheDir, "vocab", `ggml-vocab-${name}.gguf`);
  if (existsSync(target)) return target;
  mkdirSync(dirname(target), { recursive: true });
  const bundle = join(repoRoot, "node_modules/node-llama-cpp/llama/gitRelease.bundle");
  const gitDir = join(cacheDir, "llama-bundle.git");
  if (!existsSync(gitDir)) {
    execFileSync("git", ["init", "-q", "--bare", gitDir]);
    execFileSync("git", ["--git-dir", gitDir, "fetch", "-q", bundle, "+HEAD:refs/heads/bundle"]);
  }
  const bytes = execFileSync("git", ["--git-dir", gitDir, "show", `bundle:models/ggml-vocab-${name}.gguf`], {
    maxBuffer: 64 << 20,
  });
  const tmp = `${target}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, target);
  return target;
}

/**
 * Plain ChatML, as ChatML fine-tunes of SPM llamas ship it. Qwen2's template also writes a default system turn
 * ("You are a helpful assistant") when a conversation has none; node-llama-cpp's ChatML wrapper does not, so under
 * Qwen2's template llama-server's prompts would be ten tokens longer than the local engine's.
 */
const chatmlTemplate =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

export const shapes = {
  /**
   * Chat model with the Llama SPM tokenizer (32k tokens: grammar-constrained sampling stays fast) and the
   * ChatML template taken from the Qwen2 vocab file.
   */
  tinyChat: { embedding: 64, layers: 2, heads: 4, feedForward: 128, contextLength: 4096, name: "tiny-chat" },
  /**
   * tinyChat's shape and SPM vocabulary with "<|im_end|>" and "<|im_start|>" appended as CONTROL tokens, as ChatML
   * fine-tunes of SPM llamas add them, "<|im_end|>" ending generation, and no space prefix (as Gemma's SPM): a small
   * vocabulary (fast grammars) whose chat prompts llama-server and node-llama-cpp tokenise alike, and whose
   * generation prompt llama-server's JSON grammars accept (its prefill skips a leading space only on the first token).
   * Its output matrix is untied, so greedy decoding writes varied text rather than repeating the prompt's last token.
   */
  chatmlChat: { embedding: 64, layers: 2, heads: 4, feedForward: 128, contextLength: 4096, seed: 13, untiedOutput: true, name: "chatml-chat" },
  /** Same shape with a different seed: a second, distinct model for actor/critic tests. */
  tinyCritic: { embedding: 64, layers: 2, heads: 4, feedForward: 128, contextLength: 4096, seed: 7, name: "tiny-critic" },
  /** Qwen2's own 152k-token tokenizer and template: slower per token, used where the real pairing matters. */
  qwenChat: { embedding: 64, layers: 2, heads: 4, feedForward: 128, contextLength: 4096, seed: 3, name: "qwen-chat" },
  /** Qwen2's tokenizer with Qwen3's <think> markers and the Qwen3 thinking template: a reasoning model. */
  thinkingChat: { embedding: 64, layers: 2, heads: 4, feedForward: 128, contextLength: 4096, seed: 5, name: "thinking-chat" },
  /** The same kind of reasoning model with other weights, for the critic role. */
  thinkingCritic: { embedding: 64, layers: 2, heads: 4, feedForward: 128, contextLength: 4096, seed: 9, name: "thinking-critic" },
  /** About 100M parameters (32000-token SPM vocabulary): the benchmark model. */
  bench100M: {
    embedding: 768,
    layers: 12,
    heads: 12,
    feedForward: 2048,
    contextLength: 4096,
    weightType: GgmlType.Q8_0,
    name: "bench-100m",
  },
  /**
   * bench100M's shape with chatmlChat's tokenizer and untied output: the anchor bench's model, which llama-server
   * serves as the local engine does (bench100M's random bytes make broken UTF-8, which llama-server refuses).
   */
  chatml100M: {
    embedding: 768,
    layers: 12,
    heads: 12,
    feedForward: 2048,
    contextLength: 4096,
    weightType: GgmlType.Q8_0,
    untiedOutput: true,
    name: "chatml-100m",
  },
} satisfies Record<string, RandomLlamaShape>;

export async function testModel(kind: keyof typeof shapes): Promise<string> {
  const shape = shapes[kind];
  const thinking = kind === "thinkingChat" || kind === "thinkingCritic";
  const vocab = kind === "qwenChat" || thinking ? "qwen2" : "llama-spm";
  const path = join(cacheDir, "test-models", `${kind}.gguf`);
  if (existsSync(path)) return path;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const tokenizer = thinking
    ? { chatTemplate: qwen3ThinkingTemplate, renameTokens: qwen3ThinkTokens }
    : kind === "chatmlChat" || kind === "chatml100M"
      ? { chatTemplate: chatmlTemplate, controlTokens: ["<|im_end|>", "<|im_start|>"], eosToken: "<|im_end|>", addSpacePrefix: false }
      : {};
  await writeRandomLlama(tmp, vocabFile(vocab), shape, vocabFile("qwen2"), tokenizer);
  renameSync(tmp, path);
  return path;
}
