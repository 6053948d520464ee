// `npm run bench:gpu`: what a lent GPU machine must tell us, in one run of a few minutes, for a generated model
// (default: shaped like a 1.5B-parameter llama, Q8_0), on every backend asked for that proves itself:
//   - decode tokens/s, and the weight bytes it streams per second against the device's memory bandwidth
//     (a decode reads every weight once per token, so bandwidth ÷ weight bytes is its ceiling)
//   - 4 and 8 sequences decoding at once against one: aggregate tokens/s and the speed-up
//   - prefix reuse: time to first token for a ~1500-token prompt, cold and sharing all but its last words
//   - the joint memory plan for two models (this one as actor, a smaller one as critic; native/llm/memory-plan.ts)
//     against what loading both with that plan took (node-llama-cpp's VRAM state; RSS growth on the CPU)
// Self-contained (synthetic vocabulary, models made on the spot), so scripts/device-check.sh can carry it to a GPU
// machine with no network. Results are written after each backend (a run stopped by its time limit keeps what it
// finished): bench/results/gpu-<shape>.md, and $OUT/gpu.json when OUT is set.
//   --shape 1.5b|100m|tiny (tiny: the dry run's)   --backends cpu,vulkan,cuda (default: cpu and every GPU backend that loads)
//   --threads n   --tokens n (per generation, default 128)   --peak-gbs n (the device's bandwidth, when the
//   table below does not know it)   --out <dir>
import { mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { getLlama, type Llama, LlamaChat, type LlamaContext, LlamaLogLevel, type LlamaModel } from "node-llama-cpp";
import { GgmlType } from "../native/llm/gguf/format.ts";
import { type SyntheticShape, writeSyntheticLlama } from "../native/llm/gguf/probe-model.ts";
import { type MemoryPlan, planMemory } from "../native/llm/memory-plan.ts";
import { formatBytes } from "../native/protocol/format.ts";

const { values } = parseArgs({
  options: {
    shape: { type: "string" },
    backends: { type: "string" },
    threads: { type: "string" },
    tokens: { type: "string" },
    "peak-gbs": { type: "string" },
    out: { type: "string" },
  },
});
const shapes: Record<string, SyntheticShape> = {
  "1.5b": { embedding: 2048, layers: 24, heads: 16, feedForward: 5632, vocab: 32000, contextLength: 4096, weightType: GgmlType.Q8_0 },
  "100m": { embedding: 768, layers: 12, heads: 12, feedForward: 2048, vocab: 32000, contextLength: 4096, weightType: GgmlType.Q8_0 },
  tiny: { embedding: 128, layers: 2, heads: 4, feedForward: 256, vocab: 2048, contextLength: 4096, weightType: GgmlType.Q8_0 },
  "tiny-critic": { embedding: 64, layers: 1, heads: 4, feedForward: 128, vocab: 2048, contextLength: 4096, weightType: GgmlType.Q8_0 },
};
/** The critic of the two-model plan: another, smaller file beside the actor, as a run pairs them. */
const criticShapeOf: Record<string, string> = { "1.5b": "100m", "100m": "tiny", tiny: "tiny-critic" };
const shapeName = values.shape ?? "1.5b";
const shape = criticShapeOf[shapeName] ? shapes[shapeName] : undefined;
if (!shape) throw new Error(`--shape takes ${Object.keys(criticShapeOf).join(", ")}; got '${shapeName}'`);
const threads = values.threads ? Number(values.threads) : availableParallelism();
const tokens = values.tokens ? Number(values.tokens) : 128;
const log = (message: string) => process.stderr.write(`${message}\n`);

/** Peak memory bandwidth, GB/s, by the device name node-llama-cpp reports (vendors' data sheets), most specific first. */
const PEAK_GBS: Array<[RegExp, number]> = [
  [/H200/i, 4800],
  [/H100.*NVL/i, 3900],
  [/H100.*PCIe/i, 2000],
  [/H100/i, 3350],
  [/A100.*80/i, 2039],
  [/A100/i, 1555],
  [/L40S?/i, 864],
  [/RTX 4090/i, 1008],
];

async function syntheticModel(name: string): Promise<string> {
  const path = join(tmpdir(), `refinery-gpu-bench-${name}.gguf`);
  try {
    statSync(path);
  } catch {
    log(`writing a ${name}-shaped model to ${path}`);
    await writeSyntheticLlama(`${path}.tmp`, shapes[name]!, `bench-${name}`);
    renameSync(`${path}.tmp`, path);
  }
  return path;
}

const modelPath = await syntheticModel(shapeName);
const criticPath = await syntheticModel(criticShapeOf[shapeName]!);
const weightBytes = statSync(modelPath).size;

interface Scaling {
  sequences: number;
  ms: number;
  tokensPerSecond: number;
  /** Aggregate tokens/s over one sequence's. */
  speedUp: number;
}

interface Row {
  backend: string;
  devices: string;
  loadMs: number;
  decodeTps: number;
  /** Weight bytes streamed per second while decoding one sequence. */
  achievedGbs: number;
  peakGbs: number | null;
  scaling: Scaling[];
  coldTtftMs: number;
  warmTtftMs: number;
  memory: MemoryCheck;
}

interface MemoryCheck {
  plan: Pick<MemoryPlan, "verdict" | "summary" | "used"> & { layers: string };
  /** What loading both models as planned took: VRAM from node-llama-cpp's state, RAM as this process's RSS growth. */
  actual: { vram: number; rssGrowth: number; loadMs: number };
}

const ask = (chat: LlamaChat, text: string, maxTokens: number, onTextChunk?: () => void) =>
  chat.generateResponse(
    [
      { type: "user", text },
      { type: "model", response: [] },
    ],
    { maxTokens, temperature: 0, ...(onTextChunk ? { onTextChunk } : {}) },
  );

/** `chats` decoding at once, each a fresh conversation; tokens counted by the sequences' meters, not as asked. */
async function decodeAtOnce(chats: LlamaChat[]): Promise<{ ms: number; tokens: number }> {
  const before = chats.map((chat) => chat.sequence.tokenMeter.usedOutputTokens);
  const started = performance.now();
  await Promise.all(chats.map((chat, i) => ask(chat, `Story number ${i + 1} begins by the sea.`, tokens)));
  const ms = performance.now() - started;
  return { ms, tokens: chats.reduce((sum, chat, i) => sum + chat.sequence.tokenMeter.usedOutputTokens - before[i]!, 0) };
}

async function measure(llama: Llama, backend: string): Promise<Row> {
  const gpuLayers = backend === "cpu" ? 0 : "max";
  const loadStart = performance.now();
  const model = await llama.loadModel({ modelPath, gpuLayers });
  const loadMs = performance.now() - loadStart;
  const context = await model.createContext({ contextSize: 2048, sequences: 9, threads });
  const chats = Array.from({ length: 9 }, () => new LlamaChat({ contextSequence: context.getSequence() }));
  // Warm-up: the first decode on a GPU compiles shaders.
  await ask(chats[0]!, "warm up", 8);
  const meter = chats[0]!.sequence.tokenMeter;
  const outBefore = meter.usedOutputTokens;
  const decodeStart = performance.now();
  await ask(chats[0]!, "Tell me a long story about the sea.", tokens);
  const decodeMs = performance.now() - decodeStart;
  const decodeTps = (meter.usedOutputTokens - outBefore) / (decodeMs / 1000);
  const scaling: Scaling[] = [];
  for (const count of [4, 8]) {
    const { ms, tokens: made } = await decodeAtOnce(chats.slice(1, 1 + count));
    const tokensPerSecond = made / (ms / 1000);
    scaling.push({ sequences: count, ms, tokensPerSecond, speedUp: tokensPerSecond / decodeTps });
  }
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
  const deviceNames = backend === "cpu" ? [] : await llama.getGpuDeviceNames();
  const devices = backend === "cpu" ? `${threads} threads` : deviceNames.join(", ");
  await context.dispose();
  await model.dispose();
  const peakGbs = values["peak-gbs"] ? Number(values["peak-gbs"]) : (PEAK_GBS.find(([name]) => deviceNames.some((d) => name.test(d)))?.[1] ?? null);
  return {
    backend,
    devices,
    loadMs,
    decodeTps,
    achievedGbs: (weightBytes * decodeTps) / 1e9,
    peakGbs,
    scaling,
    coldTtftMs,
    warmTtftMs,
    memory: await memoryCheck(llama, backend),
  };
}

/** The plan for actor + critic (4 sequences each, 4096 tokens), then both loaded as planned, measured. */
async function memoryCheck(llama: Llama, backend: string): Promise<MemoryCheck> {
  const role = (path: string) => ({ path, contextSize: 4096, sequences: 4 });
  const plan = await planMemory({ llama, actor: role(modelPath), critic: role(criticPath) });
  const [actorPlan, criticPlan] = plan.roles;
  const vramBefore = backend === "cpu" ? 0 : (await llama.getVramState()).used;
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const loaded: Array<{ model: LlamaModel; context: LlamaContext }> = [];
  for (const [path, rolePlan] of [
    [modelPath, actorPlan!],
    [criticPath, criticPlan!],
  ] as const) {
    const model = await llama.loadModel({ modelPath: path, gpuLayers: backend === "cpu" ? 0 : rolePlan.gpuLayers });
    loaded.push({ model, context: await model.createContext({ contextSize: rolePlan.contextSize, sequences: rolePlan.sequences, threads }) });
  }
  const loadMs = performance.now() - started;
  const vram = backend === "cpu" ? 0 : (await llama.getVramState()).used - vramBefore;
  const rssGrowth = process.memoryUsage().rss - rssBefore;
  for (const { model, context } of loaded.reverse()) {
    await context.dispose();
    await model.dispose();
  }
  return {
    plan: {
      verdict: plan.verdict,
      summary: plan.summary,
      used: plan.used,
      layers: `actor ${actorPlan!.gpuLayers}/${actorPlan!.totalLayers}, critic ${criticPlan!.gpuLayers}/${criticPlan!.totalLayers} on the GPU`,
    },
    actual: { vram, rssGrowth, loadMs },
  };
}

const wanted = values.backends?.split(",") ?? ["cpu", "cuda", "vulkan", "metal"];
const rows: Row[] = [];
const skipped: string[] = [];

function report(): string {
  const scalingCell = (r: Row, n: number) => {
    const s = r.scaling.find((x) => x.sequences === n);
    return s ? `${s.tokensPerSecond.toFixed(1)} tok/s (${s.speedUp.toFixed(2)}×)` : "–";
  };
  const ratio = (actual: number, planned: number) => (planned > 0 ? `${(actual / planned).toFixed(2)}×` : "–");
  return [
    `# GPU benchmark (${new Date().toISOString().slice(0, 10)}): ${shapeName}-shaped llama, Q8_0 (${formatBytes(weightBytes)}), synthetic vocabulary, greedy, ${tokens} tokens a generation`,
    "",
    "| backend | devices | load | decode tok/s | weights streamed | of peak bandwidth | 4 sequences at once | 8 sequences at once | TTFT cold (~1500 tok) | TTFT shared prefix |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.backend} | ${r.devices} | ${r.loadMs.toFixed(0)} ms | ${r.decodeTps.toFixed(1)} | ${r.achievedGbs.toFixed(1)} GB/s | ${r.peakGbs ? `${((100 * r.achievedGbs) / r.peakGbs).toFixed(0)}% of ${r.peakGbs} GB/s` : "unknown peak (--peak-gbs)"} | ${scalingCell(r, 4)} | ${scalingCell(r, 8)} | ${r.coldTtftMs.toFixed(0)} ms | ${r.warmTtftMs.toFixed(1)} ms |`,
    ),
    "",
    `Two-model memory plan (actor ${shapeName}, critic ${criticShapeOf[shapeName]}, 4096 tokens × 4 sequences each) against loading both as planned:`,
    "",
    "| backend | plan | planned VRAM | loaded VRAM | loaded ÷ planned | planned RAM | RSS growth | load both |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.backend} | ${r.memory.plan.verdict}: ${r.memory.plan.layers} | ${formatBytes(r.memory.plan.used.vram)} | ${formatBytes(r.memory.actual.vram)} | ${ratio(r.memory.actual.vram, r.memory.plan.used.vram)} | ${formatBytes(r.memory.plan.used.ram)} | ${formatBytes(r.memory.actual.rssGrowth)} | ${r.memory.actual.loadMs.toFixed(0)} ms |`,
    ),
    "",
    "RSS growth understates RAM for mmapped weights (pages count once touched); on the CPU the plan's RAM is the figure to trust.",
    "",
    ...(skipped.length ? ["Not available:", ...skipped.map((s) => `- ${s}`), ""] : []),
  ].join("\n");
}

function write(): void {
  const text = report();
  const dir = values.out ?? join(process.cwd(), "bench", "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `gpu-${shapeName}.md`), text);
  if (process.env.OUT) {
    writeFileSync(join(process.env.OUT, "gpu.json"), JSON.stringify({ shape: shapeName, weightBytes, tokens, rows, skipped }, null, 2));
    writeFileSync(join(process.env.OUT, `gpu-${shapeName}.md`), text);
  }
}

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
  write();
}
write();
process.stdout.write(report());
process.exit(0);
