// What DeepConf's per-token confidence would cost under node-llama-cpp 3.21.1. Its chat API (LlamaChat,
// LlamaChatSession, LlamaCompletion) gives no token probabilities; LlamaContextSequence.evaluateWithMetadata does:
// `confidence` (the sampled token's probability) or `probabilities` (the whole vocabulary, sorted — what DeepConf's
// top-k mean log-probability needs). Generates the same tokens three ways on a generated model and writes
// bench/results/token-confidence.md and .json. Run: node --import tsx bench/token-confidence-bench.ts
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getLlama, type Token } from "node-llama-cpp";
import { repoRoot, testModel } from "../test/support/models.ts";

const kind = (process.argv[2] ?? "tinyChat") as "tinyChat" | "qwenChat";
const tokens = 96;
const llama = await getLlama({ gpu: false });
const model = await llama.loadModel({ modelPath: await testModel(kind) });
const context = await model.createContext({ contextSize: 1024, threads: 1 });
const prompt = model.tokenize("Tom has 3 apples and buys 4 more. How many apples does he have?");

type Mode = "none" | "confidence" | "probabilities";
async function generate(mode: Mode): Promise<{ msPerToken: number; topK: number[] }> {
  const sequence = context.getSequence();
  const metadata = mode === "none" ? {} : mode === "confidence" ? { confidence: true } : { probabilities: true };
  const topK: number[] = [];
  const start = performance.now();
  let count = 0;
  for await (const output of sequence.evaluateWithMetadata(prompt, metadata, { temperature: 0.8, seed: 5 })) {
    const probabilities = (output as { probabilities?: Map<Token, number> }).probabilities;
    if (probabilities) {
      // DeepConf's token confidence: −mean log p over the top 20 candidates.
      const top = [...probabilities.values()].slice(0, 20);
      topK.push(-top.reduce((s, p) => s + Math.log(Math.max(p, 1e-12)), 0) / top.length);
    }
    if (++count >= tokens) break;
  }
  const msPerToken = (performance.now() - start) / count;
  sequence.dispose();
  return { msPerToken, topK };
}

const results: Record<Mode, number> = { none: 0, confidence: 0, probabilities: 0 };
for (const mode of ["none", "confidence", "probabilities"] as const) {
  await generate(mode); // warm-up
  results[mode] = (await generate(mode)).msPerToken;
}
const vocab = model.fileInfo.metadata.tokenizer?.ggml?.tokens?.length;
const out = join(repoRoot, "bench/results");
mkdirSync(out, { recursive: true });
const json = {
  model: kind,
  vocabulary: vocab,
  tokens,
  msPerToken: results,
  ratio: { confidence: results.confidence / results.none, probabilities: results.probabilities / results.none },
};
writeFileSync(join(out, `token-confidence-${kind}.json`), `${JSON.stringify(json, null, 2)}\n`);
writeFileSync(
  join(out, `token-confidence-${kind}.md`),
  [
    `# Per-token confidence in node-llama-cpp (${kind}, ${vocab} tokens of vocabulary, CPU, 1 thread)`,
    "",
    "| metadata | ms per token | × plain |",
    "| --- | --- | --- |",
    ...(["none", "confidence", "probabilities"] as const).map((m) => `| ${m} | ${results[m].toFixed(3)} | ${(results[m] / results.none).toFixed(2)} |`),
    "",
  ].join("\n"),
);
console.log(JSON.stringify(json));
await context.dispose();
await model.dispose();
