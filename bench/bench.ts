// `npm run bench`: engine benchmarks as ratios measured in one run, on a generated ~100M-parameter llama.
//   1. engine overhead: Self-Refine, self-consistency (4 samples, one at a time and at once) and Best-of-N through
//      the engine vs the same requests sent straight to node-llama-cpp, per generated token, with a breakdown
//   2. 4 parallel drafts (4 sequences of one context) vs the same 4 one after another
//   3. time to first token of a refinement turn that reuses the evaluated prefix vs the same prompt cold
//   4. threads under contention: best-of-n (n=4) with no load added and with two busy processes, at the default threads and
//      pinned (bench/contention.ts; on the small generated chat model unless --contention-model)
// Writes bench/results/engine.md and engine.json. Options: --threads n, --model <gguf>, --repeats n.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { LlamaChat } from "node-llama-cpp";
import { LlamaBackend, toChatHistory } from "../native/llm/llama-backend.ts";
import { openRuntime } from "../native/llm/runtime.ts";
import type { ChatMessage, RunEvent } from "../native/protocol/events.ts";
import { executeRun } from "../native/runs/runner.ts";
import { repoRoot, testModel } from "../test/support/models.ts";
import { contentionTableRows, threadsUnderContention } from "./contention.ts";

const { values } = parseArgs({
  options: {
    threads: { type: "string" },
    model: { type: "string" },
    repeats: { type: "string" },
    only: { type: "string" },
    "overhead-only": { type: "boolean" },
    "contention-model": { type: "string" },
  },
});
// The engine's defaults unless --threads pins them: one generation on defaultThreads(), a batch on every core.
const pinnedThreads = values.threads ? Number(values.threads) : undefined;
const repeats = values.repeats ? Number(values.repeats) : 3;
const modelPath = values.model ?? (await testModel("bench100M"));
const runtime = await openRuntime({ threads: pinnedThreads });
const { threads, parallelThreads } = runtime.report;
const log = (message: string) => process.stderr.write(`${message}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

log(`model ${modelPath}, ${threads} thread(s) (${parallelThreads} while several sequences decode), backend ${runtime.report.active}`);
const question = "A farmer has 17 sheep. All but 9 run away. How many sheep does the farmer have left? Explain step by step.";

// ---- 1. engine overhead ------------------------------------------------------------------------------------
// Each repeat starts from freshly loaded models, so neither side finds the other's prefixes cached; the two
// sides alternate which goes first. The engine is timed from run-started to run-finished (loading is
// node-llama-cpp's cost on both sides); the direct side sends the prompts the engine's nodes recorded, on as
// many sequences as the engine used lanes, in the same order (or at once, where the engine ran them at once).
// Temperature 0 on both sides, so both generate the same tokens; the ratio is of time per generated token.
type Recorded = { messages: ChatMessage[]; json: boolean; maxTokens: number; sequence: number };
const load = { contextSize: 2048 };

interface Scenario {
  name: string;
  strategy: string;
  params: Record<string, unknown>;
  parallel: boolean;
  /** The sequence the engine's lanes put a node on: its role and how many of that role came before it. */
  sequenceOf(role: string, index: number): number;
}
const scenarios: Scenario[] = [
  {
    name: "Self-Refine (2 iterations)",
    strategy: "self-refine",
    params: { maxIterations: 2, feedbackModel: "actor", feedbackFormat: "json", stopScore: 10 },
    parallel: false,
    sequenceOf: (role) => (role === "critique" ? 1 : 0),
  },
  {
    name: "self-consistency, 4 samples one at a time",
    strategy: "self-consistency",
    params: { n: 4, temperature: 0 },
    parallel: false,
    sequenceOf: (_role, index) => index,
  },
  {
    name: "self-consistency, 4 samples at once",
    strategy: "self-consistency",
    params: { n: 4, temperature: 0 },
    parallel: true,
    sequenceOf: (_role, index) => index,
  },
  {
    name: "Best-of-N (4 samples, critic scores each)",
    strategy: "best-of-n",
    params: { n: 4, temperature: 0 },
    parallel: false,
    sequenceOf: (role, index) => (role === "critique" ? 4 + index : index),
  },
];

async function freshWarmModel() {
  await runtime.unloadAll();
  // Touch every weight once (mmap'd pages, first-decode allocations) so neither side pays for it.
  const warm = await runtime.loadModel(modelPath, { ...load, sequences: 4 });
  const warmContext = await warm.model.createContext({ contextSize: 256, threads });
  await new LlamaChat({ contextSequence: warmContext.getSequence() }).generateResponse(toChatHistory([{ role: "user", content: "warm up" }]), { maxTokens: 4 });
  await warmContext.dispose();
  return warm;
}

async function runEngine(scenario: Scenario) {
  const outDir = mkdtempSync(join(tmpdir(), "refinery-bench-"));
  const requests: Recorded[] = [];
  const seen = new Map<string, number>();
  let started = 0;
  let ended = 0;
  let insideNodesMs = 0;
  let evaluated = 0;
  let utilization: ReturnType<typeof performance.eventLoopUtilization> | undefined;
  const result = await executeRun({
    strategy: scenario.strategy,
    params: scenario.params,
    actor: { path: modelPath, sampling: { maxTokens: 64, temperature: 0 }, load },
    critic: { path: modelPath, sampling: { maxTokens: 96, temperature: 0 }, load },
    task: { question },
    seed: 1,
    outDir,
    threads: pinnedThreads,
    parallel: scenario.parallel,
    onEvent: (event: RunEvent) => {
      if (event.type === "run-started") {
        started = performance.now();
        utilization = performance.eventLoopUtilization();
      }
      if (event.type === "run-finished") ended = performance.now();
      if (event.type === "node-added" && event.prompt) {
        const index = seen.get(event.role) ?? 0;
        seen.set(event.role, index + 1);
        const json = event.role === "critique";
        requests.push({ messages: event.prompt, json, maxTokens: json ? 96 : 64, sequence: scenario.sequenceOf(event.role, index) });
      }
      if (event.type === "node-completed") {
        insideNodesMs += event.wallMs;
        evaluated += event.tokensEvaluated ?? event.tokensIn;
      }
    },
  });
  if (result.state.status !== "finished") throw new Error(`bench run failed: ${result.state.failure?.reason}`);
  const busy = performance.eventLoopUtilization(utilization).utilization;
  const tokens = Object.values(result.state.nodes).reduce((sum, node) => sum + node.tokensOut, 0);
  return { ms: ended - started, tokens, evaluated, requests, insideNodesMs, mainThreadBusy: busy };
}

// The same requests straight to node-llama-cpp, on the sequences the engine's lanes used.
async function runDirect(scenario: Scenario, requests: Recorded[]) {
  const loaded = await runtime.loadModel(modelPath, load);
  const { holisticSchema } = await import("../native/strategies/verdicts.ts");
  const grammar = await runtime.llama.createGrammarForJsonSchema(holisticSchema as never);
  const sequences = Math.max(...requests.map((r) => r.sequence)) + 1;
  // Requests sent at once decode in shared batches: on the threads the engine gives such batches (node-llama-cpp
  // caps a context's threads by llama.maxThreads, when it is made and at each decode).
  if (scenario.parallel) runtime.llama.maxThreads = parallelThreads;
  const context = await loaded.model.createContext({
    contextSize: load.contextSize,
    sequences: Math.max(sequences, loaded.context.totalSequences),
    threads: scenario.parallel ? parallelThreads : threads,
  });
  const chats = Array.from({ length: sequences }, () => new LlamaChat({ contextSequence: context.getSequence() }));
  let tokens = 0;
  let evaluated = 0;
  const send = async (request: Recorded) => {
    const chat = chats[request.sequence]!;
    const before = { out: chat.sequence.tokenMeter.usedOutputTokens, in: chat.sequence.tokenMeter.usedInputTokens };
    await chat.generateResponse(toChatHistory(request.messages), {
      maxTokens: request.maxTokens,
      temperature: 0,
      seed: 1,
      grammar: request.json ? grammar : undefined,
    });
    tokens += chat.sequence.tokenMeter.usedOutputTokens - before.out;
    evaluated += chat.sequence.tokenMeter.usedInputTokens - before.in;
  };
  const started = performance.now();
  if (scenario.parallel) await Promise.all(requests.map(send));
  else for (const request of requests) await send(request);
  const ms = performance.now() - started;
  await context.dispose();
  runtime.llama.maxThreads = threads;
  return { ms, tokens, evaluated };
}

const recorded = new Map<string, Recorded[]>();
async function engineOverhead(scenario: Scenario, repeat: number) {
  await freshWarmModel();
  const engineFirst = repeat % 2 === 0 || !recorded.has(scenario.name);
  let engine: Awaited<ReturnType<typeof runEngine>> | undefined;
  if (engineFirst) {
    engine = await runEngine(scenario);
    recorded.set(scenario.name, engine.requests);
  }
  const direct = await runDirect(scenario, recorded.get(scenario.name)!);
  engine ??= await runEngine(scenario);
  return {
    engineMs: engine.ms,
    directMs: direct.ms,
    requests: engine.requests.length,
    engineTokens: engine.tokens,
    directTokens: direct.tokens,
    engineEvaluated: engine.evaluated,
    directEvaluated: direct.evaluated,
    /** Run time outside any generation: strategy code, events, files, between nodes. */
    betweenNodesMs: scenario.parallel ? null : engine.ms - engine.insideNodesMs,
    mainThreadBusy: engine.mainThreadBusy,
    /** Time per generated token, engine ÷ direct. */
    ratio: engine.ms / Math.max(1, engine.tokens) / (direct.ms / Math.max(1, direct.tokens)),
  };
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

// ---- 2b. what threads buy: raw node-llama-cpp, one sequence and four at once, at each thread count -------------
async function threadScaling(threadCounts: number[]) {
  const loaded = await runtime.loadModel(modelPath, load);
  const rows: { threads: number; singleTokensPerSecond: number; fourTokensPerSecond: number }[] = [];
  for (const t of threadCounts) {
    // llama.maxThreads caps every context of the process (the engine moves it with the number generating).
    runtime.llama.maxThreads = t;
    const context = await loaded.model.createContext({ contextSize: 2048, sequences: 4, threads: t });
    const chats = [0, 1, 2, 3].map(() => new LlamaChat({ contextSequence: context.getSequence() }));
    const ask = async (chat: LlamaChat, i: number) => {
      const before = chat.sequence.tokenMeter.usedOutputTokens;
      await chat.generateResponse(toChatHistory([{ role: "user", content: `${question} (variant ${i})` }]), { maxTokens: 64, temperature: 0.8, seed: i });
      return chat.sequence.tokenMeter.usedOutputTokens - before;
    };
    await ask(chats[0]!, 99); // warm-up: first decodes allocate
    let start = performance.now();
    const single = await ask(chats[0]!, 0);
    const singleTokensPerSecond = single / ((performance.now() - start) / 1000);
    start = performance.now();
    const four = (await Promise.all(chats.map((chat, i) => ask(chat, i + 1)))).reduce((a, b) => a + b, 0);
    const fourTokensPerSecond = four / ((performance.now() - start) / 1000);
    rows.push({ threads: t, singleTokensPerSecond, fourTokensPerSecond });
    await context.dispose();
  }
  runtime.llama.maxThreads = threads;
  return rows;
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

const overhead = new Map<string, Awaited<ReturnType<typeof engineOverhead>>[]>();
const parallel: Awaited<ReturnType<typeof parallelDrafts>>[] = [];
const reuse: Awaited<ReturnType<typeof prefixReuse>>[] = [];
for (const scenario of scenarios.filter((s) => !values.only || s.name.includes(values.only))) {
  overhead.set(scenario.name, []);
  for (let r = 0; r < repeats; r++) {
    const o = await engineOverhead(scenario, r);
    log(
      `engine overhead: ${scenario.name} ${r + 1}/${repeats}: engine ${o.engineMs.toFixed(0)} ms, direct ${o.directMs.toFixed(0)} ms, ${o.ratio.toFixed(3)}×`,
    );
    overhead.get(scenario.name)!.push(o);
  }
}
if (values["overhead-only"]) process.exit(0);
await runtime.unloadAll();
backend = new LlamaBackend(runtime, await runtime.loadModel(modelPath, { sequences: 6, contextSize: 4096 }), "bench");
// Warm-up: first evaluations allocate buffers.
await backend.generate({ messages: [{ role: "user", content: "warm up" }], maxTokens: 8, temperature: 0, seed: 1, lane: "warm" });
log("thread scaling");
const cores = availableParallelism();
const scaling = await threadScaling([...new Set([1, 2, cores].filter((t) => t <= cores))]);
for (let r = 0; r < repeats; r++) {
  log(`parallel drafts and prefix reuse ${r + 1}/${repeats}`);
  parallel.push(await parallelDrafts());
  reuse.push(await prefixReuse());
}

const overheadRows = scenarios.map((scenario) => {
  const runs = overhead.get(scenario.name)!;
  const between = runs.map((o) => o.betweenNodesMs).filter((x): x is number => x !== null);
  return {
    scenario: scenario.name,
    ratio: median(runs.map((o) => o.ratio)),
    engineMs: median(runs.map((o) => o.engineMs)),
    directMs: median(runs.map((o) => o.directMs)),
    requests: runs[0]!.requests,
    engineOutTokens: runs[0]!.engineTokens,
    directOutTokens: runs[0]!.directTokens,
    engineEvaluated: runs[0]!.engineEvaluated,
    directEvaluated: runs[0]!.directEvaluated,
    betweenNodesMs: between.length ? median(between) : null,
    mainThreadBusy: median(runs.map((o) => o.mainThreadBusy)),
  };
});
// ---- 4. threads under contention (each run its own process, so this process's runtime is left alone) -------
log("threads under contention (best-of-n with no load added, then with two busy processes)");
const contention = threadsUnderContention(values["contention-model"] ?? (await testModel("tinyChat")));

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
  parallelThreads,
  repeats,
  engineOverhead: overheadRows,
  parallelDrafts: { speedup: sequentialMs / parallelMs, sequentialMs, parallelMs },
  threadScaling: scaling,
  prefixReuse: { speedup: coldMs / warmMs, warmTtftMs: warmMs, coldTtftMs: coldMs, ...reuse[0]! },
  threadsUnderContention: contention,
};
const table = [
  `# Engine benchmarks (${results.date.slice(0, 10)})`,
  "",
  `Model: ${results.model} (${results.parameters}); backend ${results.backend}; ${threads} thread(s) for one generation, ${parallelThreads} while several decode at once (the engine's defaults unless --threads); median of ${repeats}.`,
  "",
  "| measure | ratio | detail |",
  "| --- | --- | --- |",
  ...overheadRows.map(
    (o) =>
      `| engine overhead, ${o.scenario}: time per generated token through the engine ÷ the same ${o.requests} requests straight to node-llama-cpp | ${o.ratio.toFixed(3)}× | ${o.engineMs.toFixed(0)} ms vs ${o.directMs.toFixed(0)} ms; ${o.engineOutTokens} vs ${o.directOutTokens} tokens generated, ${o.engineEvaluated} vs ${o.directEvaluated} prompt tokens evaluated; ${o.betweenNodesMs === null ? "" : `${o.betweenNodesMs.toFixed(0)} ms between nodes (strategy, events, files); `}engine main thread busy ${(100 * o.mainThreadBusy).toFixed(0)}% |`,
  ),
  `| 4 parallel drafts (4 sequences) vs 4 sequential: speed-up | ${results.parallelDrafts.speedup.toFixed(2)}× | ${sequentialMs.toFixed(0)} ms sequential, ${parallelMs.toFixed(0)} ms parallel |`,
  ...scaling.map(
    (row) =>
      `| raw node-llama-cpp at ${row.threads} thread(s): 4 sequences at once ÷ 1 sequence, tokens/s | ${(row.fourTokensPerSecond / row.singleTokensPerSecond).toFixed(2)}× | ${row.singleTokensPerSecond.toFixed(1)} tok/s alone, ${row.fourTokensPerSecond.toFixed(1)} tok/s for four |`,
  ),
  `| refinement turn time to first token, cold ÷ prefix reused | ${results.prefixReuse.speedup.toFixed(1)}× | ${coldMs.toFixed(0)} ms cold (${reuse[0]!.coldEvaluated} tokens evaluated) vs ${warmMs.toFixed(0)} ms reused (${reuse[0]!.warmEvaluated} of ${reuse[0]!.promptTokens}) |`,
  "",
  "## Threads under contention",
  "",
  "Best-of-n on the small generated chat model (4 samples at once, then a critic scoring each), each run its own process; with no load added, then with two busy processes (`yes > /dev/null` ×2) taking cores. The default fits its threads to the cores left idle when the model loads (`native/llm/cpu-headroom.ts`).",
  "",
  "| measure | ratio | detail |",
  "| --- | --- | --- |",
  ...contentionTableRows(contention),
  "",
].join("\n");
const dir = join(repoRoot, "bench", "results");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "engine.md"), table);
writeFileSync(join(dir, "engine.json"), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(table);
await runtime.dispose();
process.exit(0);
