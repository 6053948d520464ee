// What the confidence Refinery stores costs per generation: LlamaBackend.generate with `confidence` asked (the
// generation, then one batched re-evaluation of its tokens with the full next-token distribution at each position,
// top 20 kept) against the same generation without it, same seed, same tokens. Writes
// bench/results/token-confidence-rescore-<model>.md and .json. Run: node --import tsx bench/token-confidence-rescore-bench.ts [tinyChat|qwenChat]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { GenerateRequest } from "../native/llm/backend.ts";
import { LlamaBackend } from "../native/llm/llama-backend.ts";
import { openRuntime } from "../native/llm/runtime.ts";
import { repoRoot, testModel } from "../test/support/models.ts";

const kind = (process.argv[2] ?? "tinyChat") as "tinyChat" | "qwenChat";
const runs = 5;
const runtime = await openRuntime({ threads: 1 });
const loaded = await runtime.loadModel(await testModel(kind), { sequences: 1 });
const backend = new LlamaBackend(runtime, loaded, "bench-");
const request = (seed: number, confidence: boolean): GenerateRequest => ({
  messages: [{ role: "user", content: "Tom has 3 apples and buys 4 more. How many apples does he have? Explain at length." }],
  maxTokens: 128,
  temperature: 0.8,
  seed,
  lane: `l${seed}-${confidence}`,
  ...(confidence ? { confidence: {} } : {}),
});

async function timed(confidence: boolean): Promise<{ ms: number; tokens: number }> {
  let ms = 0;
  let tokens = 0;
  for (let seed = 1; seed <= runs; seed++) {
    const started = performance.now();
    const result = await backend.generate(request(seed, confidence));
    ms += performance.now() - started;
    tokens += result.tokensOut;
  }
  return { ms, tokens };
}

await timed(false); // warm-up
const plain = await timed(false);
const scored = await timed(true);
const vocab = loaded.model.fileInfo.metadata.tokenizer?.ggml?.tokens?.length;
const json = {
  model: kind,
  vocabulary: vocab,
  generations: runs,
  tokens: plain.tokens,
  msPerToken: { plain: plain.ms / plain.tokens, withConfidence: scored.ms / scored.tokens },
  ratio: scored.ms / scored.tokens / (plain.ms / plain.tokens),
};
const out = join(repoRoot, "bench/results");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, `token-confidence-rescore-${kind}.json`), `${JSON.stringify(json, null, 2)}\n`);
writeFileSync(
  join(out, `token-confidence-rescore-${kind}.md`),
  [
    `# Confidence by re-scoring in LlamaBackend (${kind}, ${vocab} tokens of vocabulary, CPU, 1 thread, ${runs} generations of up to 128 tokens)`,
    "",
    "| generation | ms per generated token | × plain |",
    "| --- | --- | --- |",
    `| plain | ${json.msPerToken.plain.toFixed(3)} | 1.00 |`,
    `| with confidence (re-scoring pass, top 20 of the full distribution) | ${json.msPerToken.withConfidence.toFixed(3)} | ${json.ratio.toFixed(2)} |`,
    "",
  ].join("\n"),
);
console.log(JSON.stringify(json));
await runtime.dispose();
