// `npm run bench:gpu`: decode tokens/s, parallel-sequence scaling and prefix-reuse time to first token for a
// generated model (default: shaped like a 1.5B-parameter llama, Q8_0), on the CPU and on the GPU backend that
// proves itself. Self-contained (synthetic vocabulary, model made on the spot), so ../shared/device/pack.sh can
// carry it to a GPU machine without node or network. Writes bench/results/gpu.md (and $OUT/gpu.json when set).
//   --shape 1.5b|100m   --backends cpu,vulkan,cuda (default: cpu and every GPU backend that loads)   --threads n
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { getLlama, LlamaChat, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { GgmlType } from "../native/llm/gguf/format.ts";
import { writeSyntheticLlama, type SyntheticShape } from "../native/llm/gguf/probe-model.ts";

const { values } = parseArgs({ options: { shape: { type: "string" }, backends: { type: "string" }, threads: { type: "string" }, out: { type: "string" } } });
const shapes: Record<string, SyntheticShape> = {
  "1.5b": { embedding: 2048, layers: 24, heads: 16, feedForward: 5632, vocab: 32000, contextLength: 4096, weightType: GgmlType.Q8_0 },
  "100m": { embedding: 768, layers: 12, heads: 12, feedForward: 2048, vocab: 32000, contextLength: 4096, weightType: GgmlType.Q8_0 },
};
const shapeName = values.shape ?? "1.5b";
const shape = shapes[shapeName];
if (!shape) throw new Error(`unknown --shape ${shapeName} (1.5b or 100m)`);
const threads = values.threads ? Number(values.threads) : availableParallelism();
const log = (message: string) => process.stderr.write(`${message}\n`);
const modelPath = join(tmpdir(), `refinery-gpu-bench-${shapeName}.gguf`);
if (!existsSync(modelPath)) {
  log(`writing a ${shapeName}-shaped model to ${modelPath}`);
  await writeSyntheticLlama(modelPath, shape, `bench-${shapeName}`);
}

type Row = {
  backend: string;
  devices: string;
  decodeTps: number;
  parallel4Ms: number;
  sequential4Ms: number;
  coldTtftMs: number;
  warmTtftMs: number;
  loadMs: number;
};

async function measure(llama: Llama, backend: string): Promise<Row> {
  const loadStart = performance.now();
  const model = await llama.loadModel({ modelPath, gpuLayers: backend === "cpu" ? 0 : "max" });
  const loadMs = performance.now() - loadStart;
  const context = await model.createContext({ contextSize: 4096, sequences: 5, threads });
  const chats = Array.from({ length: 5 }, () => new LlamaChat({ contextSequence: context.getSequence() }));
  const ask = (chat: LlamaChat, text: string, maxTokens: number) =>
    chat.generateResponse(
      [
        { type: "user", text },
        { type: "model", response: [] },
      ],
      { maxTokens, temperature: 0 },
    );
  // Warm-up: the first decode on a GPU compiles shaders.
  await ask(chats[0]!, "warm up", 8);
  const decodeStart = performance.now();
  const decoded = await ask(chats[0]!, "Tell me a long story about the sea.", 128);
  void decoded;
  const decodeMs = performance.now() - decodeStart;
  const sequentialStart = performance.now();
  for (let i = 1; i <= 4; i++) await ask(chats[i]!, `Sequential story ${i}.`, 128);
  const sequential4Ms = performance.now() - sequentialStart;
  const parallelStart = performance.now();
  await Promise.all([1, 2, 3, 4].map((i) => ask(chats[i]!, `Parallel story number ${i} begins.`, 128)));
  const parallel4Ms = performance.now() - parallelStart;
  // Time to first token for a ~1500-token prompt: cold, then sharing all but the last words with it.
  const prompt = model.detokenize(model.tokenize("The sea was calm and the ship sailed on through the night. ".repeat(200)).slice(0, 1500));
  const ttft = async (chat: LlamaChat, text: string) => {
    const started = performance.now();
    let first = 0;
    await chat.generateResponse(
      [
        { type: "user", text },
        { type: "model", response: [] },
      ],
      { maxTokens: 2, temperature: 0, onTextChunk: () => (first ||= performance.now() - started) },
    );
    return first || performance.now() - started;
  };
  const coldTtftMs = await ttft(chats[0]!, `${prompt} What happened first?`);
  const warmTtftMs = await ttft(chats[0]!, `${prompt} What happened next, and why did it matter?`);
  const devices = backend === "cpu" ? `${threads} threads` : (await llama.getGpuDeviceNames()).join(", ");
  await context.dispose();
  await model.dispose();
  return { backend, devices, decodeTps: 128 / (decodeMs / 1000), parallel4Ms, sequential4Ms, coldTtftMs, warmTtftMs, loadMs };
}

const wanted = values.backends?.split(",") ?? ["cpu", "cuda", "vulkan", "metal"];
const rows: Row[] = [];
const skipped: string[] = [];
for (const backend of wanted) {
  let llama: Llama;
  try {
    llama = await getLlama({
      gpu: backend === "cpu" ? false : (backend as "cuda" | "vulkan" | "metal"),
      build: "never",
      logLevel: LlamaLogLevel.error,
      progressLogs: false,
      maxThreads: threads,
    });
  } catch (error) {
    skipped.push(`${backend}: ${(error as Error).message.split("\n")[0]}`);
    continue;
  }
  if ((llama.gpu === false ? "cpu" : llama.gpu) !== backend) {
    skipped.push(`${backend}: node-llama-cpp loaded ${llama.gpu === false ? "the CPU build" : llama.gpu} instead`);
    await llama.dispose();
    continue;
  }
  log(`measuring ${backend}`);
  rows.push(await measure(llama, backend));
  await llama.dispose();
}

const table = [
  `# GPU benchmark (${new Date().toISOString().slice(0, 10)}): ${shapeName}-shaped llama, Q8_0, synthetic vocabulary, greedy`,
  "",
  "| backend | devices | decode tok/s | 4 parallel × 128 tok | 4 sequential | parallel speed-up | TTFT cold (~1500 tok) | TTFT shared prefix | load |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map(
    (r) =>
      `| ${r.backend} | ${r.devices} | ${r.decodeTps.toFixed(1)} | ${r.parallel4Ms.toFixed(0)} ms | ${r.sequential4Ms.toFixed(0)} ms | ${(r.sequential4Ms / r.parallel4Ms).toFixed(2)}× | ${r.coldTtftMs.toFixed(0)} ms | ${r.warmTtftMs.toFixed(1)} ms | ${r.loadMs.toFixed(0)} ms |`,
  ),
  "",
  ...(skipped.length ? ["Not available:", ...skipped.map((s) => `- ${s}`), ""] : []),
].join("\n");
process.stdout.write(table);
const dir = values.out ?? join(process.cwd(), "bench", "results");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, `gpu-${shapeName}.md`), table);
if (process.env.OUT) writeFileSync(join(process.env.OUT, "gpu.json"), JSON.stringify({ shape: shapeName, rows, skipped }, null, 2));
process.exit(0);
