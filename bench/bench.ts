// `npm run bench`: engine benchmarks as ratios measured in one run, on a generated ~100M-parameter llama.
//   1. engine overhead: a Self-Refine run through the engine vs the same requests sent straight to node-llama-cpp
//   2. 4 parallel drafts (4 sequences of one context) vs the same 4 one after another
//   3. time to first token of a refinement turn that reuses the evaluated prefix vs the same prompt cold
// Writes bench/results/engine.md and engine.json. Options: --threads n, --model <gguf>, --repeats n.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { LlamaChat } from "node-llama-cpp";
import { LlamaBackend, toChatHistory } from "../native/llm/llama-backend.ts";
import { defaultThreads, openRuntime } from "../native/llm/runtime.ts";
import type { ChatMessage, RunEvent } from "../native/protocol/events.ts";
import { executeRun } from "../native/runs/runner.ts";
import { repoRoot, testModel } from "../test/support/models.ts";

const { values } = parseArgs({ options: { threads: { type: "string" }, model: { type: "string" }, repeats: { type: "string" } } });
const threads = values.threads ? Number(values.threads) : defaultThreads();
const repeats = values.repeats ? Number(values.repeats) : 3;
const modelPath = values.model ?? (await testModel("bench100M"));
const runtime = await openRuntime({ threads });
const log = (message: string) => process.stderr.write(`${message}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

log(`model ${modelPath}, ${threads} thread(s), backend ${runtime.report.active}`);
const question = "A farmer has 17 sheep. All but 9 run away. How many sheep does the farmer have left? Explain step by step.";

// ---- 1. engine overhead ------------------------------------------------------------------------------------
// Each repeat starts from freshly loaded models, so neither side finds the other's prefixes cached; the two
// sides alternate which goes first. The engine is timed from run-started to run-finished (loading is
// node-llama-cpp's cost on both sides).
type Recorded = { messages: ChatMessage[]; json: boolean; maxTokens: number };
const load = { contextSize: 2048 };

async function freshWarmModel() {
  await runtime.unloadAll();
  // Touch every weight once (mmap'd pages, first-decode allocations) so neither side pays for it.
  const warm = await runtime.loadModel(modelPath, { ...load, sequences: 4 });
  const warmContext = await warm.model.createContext({ contextSize: 256, threads });
  await new LlamaChat({ contextSequence: warmContext.getSequence() }).generateResponse(toChatHistory([{ role: "user", content: "warm up" }]), { maxTokens: 4 });
  await warmContext.dispose();
  return warm;
}

async function runEngine() {
  const outDir = mkdtempSync(join(tmpdir(), "refinery-bench-"));
  const requests: Recorded[] = [];
  let started = 0;
  let ended = 0;
  const result = await executeRun({
    strategy: "self-refine",
    params: { maxIterations: 2, feedbackModel: "actor", feedbackFormat: "json", stopScore: 10 },
    actor: { path: modelPath, sampling: { maxTokens: 64, temperature: 0 }, load },
    critic: { path: modelPath, sampling: { maxTokens: 96, temperature: 0 }, load },
    task: { question },
    seed: 1,
    outDir,
    threads,
    parallel: false,
    onEvent: (event: RunEvent) => {
      if (event.type === "run-started") started = performance.now();
      if (event.type === "run-finished") ended = performance.now();
      if (event.type === "node-added" && event.prompt) {
        requests.push({ messages: event.prompt, json: event.role === "critique", maxTokens: event.role === "critique" ? 96 : 64 });
      }
    },
  });
  if (result.state.status !== "finished") throw new Error(`bench run failed: ${result.state.failure?.reason}`);
  const tokens = Object.values(result.state.nodes).reduce((sum, node) => sum + node.tokensOut, 0);
  return { ms: ended - started, tokens, requests };
}

// The same requests straight to node-llama-cpp: one sequence per conversation kind, as the engine uses.
async function runDirect(requests: Recorded[]) {
  const loaded = await runtime.loadModel(modelPath, load);
  const { holisticSchema } = await import("../native/strategies/verdicts.ts");
  const grammar = await runtime.llama.createGrammarForJsonSchema(holisticSchema as never);
  const context = await loaded.model.createContext({ contextSize: load.contextSize, sequences: loaded.context.totalSequences, threads });
  const solver = new LlamaChat({ contextSequence: context.getSequence() });
  const feedback = new LlamaChat({ contextSequence: context.getSequence() });
  const started = performance.now();
  let tokens = 0;
  for (const request of requests) {
    const chat = request.json ? feedback : solver;
    const before = chat.sequence.tokenMeter.usedOutputTokens;
    await chat.generateResponse(toChatHistory(request.messages), {
      maxTokens: request.maxTokens,
      temperature: 0,
      seed: 1,
      grammar: request.json ? grammar : undefined,
    });
    tokens += chat.sequence.tokenMeter.usedOutputTokens - before;
  }
  const ms = performance.now() - started;
  await context.dispose();
  return { ms, tokens };
}

let recorded: Recorded[] = [];
async function engineOverhead(repeat: number) {
  await freshWarmModel();
  if (repeat % 2 === 0 || recorded.length === 0) {
    const engine = await runEngine();
    recorded = engine.requests;
    const direct = await runDirect(recorded);
    return { engineMs: engine.ms, directMs: direct.ms, requests: recorded.length, engineTokens: engine.tokens, directTokens: direct.tokens };
  }
  const direct = await runDirect(recorded);
  const engine = await runEngine();
  return { engineMs: engine.ms, directMs: direct.ms, requests: recorded.length, engineTokens: engine.tokens, directTokens: direct.tokens };
}

// ---- 2. parallel drafts ------------------------------------------------------------------------------------
let backend: LlamaBackend;
async function parallelDrafts() {
  const draft = (lane: string, i: number) =>
    backend.generate({ messages: [{ role: "user", content: `${question} (variant ${i})` }], maxTokens: 96, temperature: 0.8, seed: i, lane });
  const sequentialStart = performance.now();
  for (let i = 0; i < 4; i++) await draft("seq", i);
  const sequentialMs = performance.now() - sequentialStart;
  const parallelStart = performance.now();
  await Promise.all([0, 1, 2, 3].map((i) => draft(`par-${i}`, i)));
  const parallelMs = performance.now() - parallelStart;
  return { sequentialMs, parallelMs };
}

// ---- 3. prefix reuse ---------------------------------------------------------------------------------------
async function prefixReuse() {
  const longTask = `${question}\n\n${"Context: the farmer keeps careful records of every animal, every field and every season. ".repeat(40)}`;
  const conversation: ChatMessage[] = [
    { role: "system", content: "Solve step by step." },
    { role: "user", content: longTask },
  ];
  const draft = await backend.generate({ messages: conversation, maxTokens: 48, temperature: 0, seed: 1, lane: "reuse" });
  const turn: ChatMessage[] = [
    ...conversation,
    { role: "assistant", content: draft.text },
    { role: "user", content: "Feedback: step 2 is wrong. Refine your answer." },
  ];
  const warm = await backend.generate({ messages: turn, maxTokens: 4, temperature: 0, seed: 1, lane: "reuse" });
  // Cold: the same prompt on a sequence that holds an unrelated conversation.
  await backend.generate({ messages: [{ role: "user", content: "unrelated" }], maxTokens: 4, temperature: 0, seed: 1, lane: "cold" });
  const cold = await backend.generate({
    messages: turn.map((m) => ({ ...m, content: m.role === "system" ? "Solve carefully, step by step." : m.content })),
    maxTokens: 4,
    temperature: 0,
    seed: 1,
    lane: "cold",
  });
  return {
    promptTokens: warm.tokensIn,
    warmEvaluated: warm.tokensEvaluated,
    coldEvaluated: cold.tokensEvaluated,
    warmMs: warm.firstTokenMs!,
    coldMs: cold.firstTokenMs!,
  };
}

const overhead: Awaited<ReturnType<typeof engineOverhead>>[] = [];
const parallel: Awaited<ReturnType<typeof parallelDrafts>>[] = [];
const reuse: Awaited<ReturnType<typeof prefixReuse>>[] = [];
for (let r = 0; r < repeats; r++) {
  log(`engine overhead ${r + 1}/${repeats}`);
  overhead.push(await engineOverhead(r));
}
await runtime.unloadAll();
backend = new LlamaBackend(runtime, await runtime.loadModel(modelPath, { sequences: 6, contextSize: 4096 }), "bench");
// Warm-up: first evaluations allocate buffers.
await backend.generate({ messages: [{ role: "user", content: "warm up" }], maxTokens: 8, temperature: 0, seed: 1, lane: "warm" });
for (let r = 0; r < repeats; r++) {
  log(`parallel drafts and prefix reuse ${r + 1}/${repeats}`);
  parallel.push(await parallelDrafts());
  reuse.push(await prefixReuse());
}

const engineMs = median(overhead.map((o) => o.engineMs));
const directMs = median(overhead.map((o) => o.directMs));
const sequentialMs = median(parallel.map((p) => p.sequentialMs));
const parallelMs = median(parallel.map((p) => p.parallelMs));
const warmMs = median(reuse.map((p) => p.warmMs));
const coldMs = median(reuse.map((p) => p.coldMs));
const results = {
  date: new Date().toISOString(),
  model: modelPath.replace(repoRoot + "/", ""),
  parameters: "≈100M (768 wide, 12 layers, 32k vocab, Q8_0)",
  backend: runtime.report.active,
  threads,
  repeats,
  engineOverhead: {
    ratio: engineMs / directMs,
    engineMs,
    directMs,
    requests: overhead[0]!.requests,
    engineOutTokens: overhead[0]!.engineTokens,
    directOutTokens: overhead[0]!.directTokens,
  },
  parallelDrafts: { speedup: sequentialMs / parallelMs, sequentialMs, parallelMs },
  prefixReuse: { speedup: coldMs / warmMs, warmTtftMs: warmMs, coldTtftMs: coldMs, ...reuse[0]! },
};
const table = [
  `# Engine benchmarks (${results.date.slice(0, 10)})`,
  "",
  `Model: ${results.model} (${results.parameters}); backend ${results.backend}; ${threads} thread(s); median of ${repeats}.`,
  "",
  "| measure | ratio | detail |",
  "| --- | --- | --- |",
  `| engine overhead: Self-Refine through the engine ÷ same ${results.engineOverhead.requests} requests straight to node-llama-cpp | ${results.engineOverhead.ratio.toFixed(3)}× | ${engineMs.toFixed(0)} ms vs ${directMs.toFixed(0)} ms; ${overhead[0]!.engineTokens} vs ${overhead[0]!.directTokens} tokens generated |`,
  `| 4 parallel drafts (4 sequences) vs 4 sequential: speed-up | ${results.parallelDrafts.speedup.toFixed(2)}× | ${sequentialMs.toFixed(0)} ms sequential, ${parallelMs.toFixed(0)} ms parallel |`,
  `| refinement turn time to first token, cold ÷ prefix reused | ${results.prefixReuse.speedup.toFixed(1)}× | ${coldMs.toFixed(0)} ms cold (${reuse[0]!.coldEvaluated} tokens evaluated) vs ${warmMs.toFixed(0)} ms reused (${reuse[0]!.warmEvaluated} of ${reuse[0]!.promptTokens}) |`,
  "",
].join("\n");
const dir = join(repoRoot, "bench", "results");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "engine.md"), table);
writeFileSync(join(dir, "engine.json"), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(table);
await runtime.dispose();
process.exit(0);
