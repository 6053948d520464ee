// `npm run bench:anchor`: Refinery's local engine raced against a real llama-server (built by
// scripts/llama-server.mjs from the llama.cpp node-llama-cpp binds), in one run, on the same GGUF and threads:
//   1. one sequence's decode tokens/s, local vs llama-server;
//   2. 8 parallel samples: the local engine's 8 sequences vs llama-server's 8 slots, both driven by Refinery,
//      and llama-server driven by plain HTTP with nothing of Refinery in between;
//   3. a Self-Refine run's wall time and each turn's time, local (prefix reuse on the lane) vs through the server.
// Each as a ratio with its parts. Models: the generated ~100M bench model and stories260K. Writes
// bench/results/anchor.md and anchor.json. Options: --threads n (default 2), --tokens n (default 128).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { GenerateRequest, GenerateResult, ModelBackend } from "../native/llm/backend.ts";
import { LlamaBackend } from "../native/llm/llama-backend.ts";
import { OpenAIBackend } from "../native/llm/openai-backend.ts";
import { openRuntime } from "../native/llm/runtime.ts";
import { executeRun, type RunConfig } from "../native/runs/runner.ts";
import { llamaServerBinary, startLlamaServer, type LlamaServer } from "../test/support/llama-server.ts";
import { repoRoot, storiesModel, testModel } from "../test/support/models.ts";

const { values } = parseArgs({ options: { threads: { type: "string" }, tokens: { type: "string" } } });
const threads = Number(values.threads ?? 2);
const maxTokens = Number(values.tokens ?? 128);
const parallel = 8;
const scratch = mkdtempSync(join(tmpdir(), "refinery-anchor-"));
const log = (message: string) => process.stderr.write(`${message}\n`);
const messages = [{ role: "user" as const, content: "Once upon a time there was a little robot who wanted to learn to paint." }];

interface Decode {
  tokens: number;
  seconds: number;
  tokensPerSecond: number;
  firstTokenMs: number;
}

/** Decode speed of one generation: tokens after the first over the time after the first. */
function decodeOf(result: GenerateResult, wallMs: number): Decode {
  const first = result.firstTokenMs ?? 0;
  const seconds = (wallMs - first) / 1000;
  return { tokens: result.tokensOut, seconds, tokensPerSecond: (result.tokensOut - 1) / seconds, firstTokenMs: first };
}

async function timed(backend: ModelBackend, request: GenerateRequest): Promise<{ result: GenerateResult; ms: number }> {
  const started = performance.now();
  const result = await backend.generate(request);
  return { result, ms: performance.now() - started };
}

/** 8 samples at once; aggregate tokens/s over the wall time of the whole batch. */
async function samples(run: (i: number) => Promise<number>): Promise<{ tokens: number; seconds: number; tokensPerSecond: number }> {
  const started = performance.now();
  const counts = await Promise.all(Array.from({ length: parallel }, (_, i) => run(i)));
  const seconds = (performance.now() - started) / 1000;
  const tokens = counts.reduce((a, b) => a + b, 0);
  return { tokens, seconds, tokensPerSecond: tokens / seconds };
}

function selfRefine(model: string, outDir: string): RunConfig {
  return {
    strategy: "self-refine",
    params: { maxIterations: 2, feedbackFormat: "json" },
    actor: { path: model, sampling: { maxTokens: 64, temperature: 0 } },
    critic: { path: model, sampling: { maxTokens: 96, temperature: 0 } },
    task: { question: "Tom has 3 apples and buys 4 more. How many apples does he have?", reference: "7" },
    seed: 11,
    outDir,
    threads,
    parallel: false,
  };
}

async function race(label: string, model: string) {
  log(`${label}: starting llama-server (${parallel} slots, ${threads} threads) and loading the local engine`);
  const server: LlamaServer = await startLlamaServer({
    model,
    slots: parallel,
    context: parallel * 1024,
    threads,
  });
  try {
    const runtime = await openRuntime({ threads, gpu: "cpu" });
    const local = new LlamaBackend(runtime, await runtime.loadModel(model, { contextSize: parallel * 1024, sequences: parallel }), "bench");
    const remote = new OpenAIBackend({ kind: "endpoint", baseUrl: server.baseUrl, model: label });
    const request = (seed: number, lane = "one"): GenerateRequest => ({ messages, maxTokens, temperature: 0.8, seed, lane });
    // Warm both (first-load costs, the server's first slot), then measure.
    await local.generate(request(1));
    await remote.generate(request(1));
    const localOne = await timed(local, request(2));
    const remoteOne = await timed(remote, request(2));
    const one = { local: decodeOf(localOne.result, localOne.ms), server: decodeOf(remoteOne.result, remoteOne.ms) };
    log(`${label}: one sequence ${one.local.tokensPerSecond.toFixed(1)} vs ${one.server.tokensPerSecond.toFixed(1)} tokens/s`);

    const localMany = await samples(async (i) => (await local.generate(request(100 + i, `s${i}`))).tokensOut);
    const remoteMany = await samples(async (i) => (await remote.generate(request(100 + i, `s${i}`))).tokensOut);
    const directMany = await samples(async (i) => {
      const response = await fetch(`${server.baseUrl}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ messages, max_tokens: maxTokens, temperature: 0.8, seed: 100 + i, stream: true, stream_options: { include_usage: true } }),
      });
      const text = await response.text();
      const usage = [...text.matchAll(/"completion_tokens":(\d+)/g)].at(-1)?.[1];
      return Number(usage ?? 0);
    });
    log(
      `${label}: ${parallel} samples ${localMany.tokensPerSecond.toFixed(1)} local, ${remoteMany.tokensPerSecond.toFixed(1)} server via Refinery, ${directMany.tokensPerSecond.toFixed(1)} direct`,
    );

    const refineLocal = performance.now();
    const localRun = await executeRun(selfRefine(model, join(scratch, `${label}-local`)));
    const localMs = performance.now() - refineLocal;
    const refineRemote = performance.now();
    const remoteRun = await executeRun(selfRefine(`openai:${server.baseUrl}#${label}`, join(scratch, `${label}-remote`)));
    const remoteMs = performance.now() - refineRemote;
    const turns = (state: typeof localRun.state) =>
      state.order
        .map((id) => state.nodes[id]!)
        .filter((node) => node.model)
        .map((node) => ({ role: node.role, wallMs: Math.round(node.wallMs), tokensIn: node.tokensIn, tokensEvaluated: node.tokensEvaluated }));
    await runtime.unloadAll();
    return {
      model: label,
      oneSequence: { ...one, localOverServer: one.local.tokensPerSecond / one.server.tokensPerSecond },
      parallelSamples: {
        local: localMany,
        serverViaRefinery: remoteMany,
        serverDirect: directMany,
        localOverServer: localMany.tokensPerSecond / remoteMany.tokensPerSecond,
        refineryOverDirectTime: remoteMany.seconds / directMany.seconds,
      },
      selfRefine: {
        localMs: Math.round(localMs),
        serverMs: Math.round(remoteMs),
        serverOverLocal: remoteMs / localMs,
        status: [localRun.state.status, remoteRun.state.status],
        localTurns: turns(localRun.state),
        serverTurns: turns(remoteRun.state),
      },
    };
  } finally {
    await server.kill();
  }
}

llamaServerBinary(); // before generating the 100M model: a missing binary says how to build it at once
const results = [];
for (const [label, model] of [
  ["bench-100m", await testModel("bench100M")],
  ["stories260K", storiesModel],
] as const) {
  results.push(await race(label, model));
}

const pct = (x: number) => `${x.toFixed(2)}×`;
const lines = [
  "# Anchor: the local engine vs a real llama-server",
  "",
  `Same GGUF, ${threads} threads each, ${maxTokens} tokens a sample, ${parallel} parallel samples; load average at the end ${loadavg()[0]!.toFixed(1)}.`,
  "Goals: local ≥ 0.95× llama-server for one sequence, ≥ 0.9× for 8 samples; Refinery over llama-server ≤ 1.05× direct HTTP.",
  "",
  "| model | one sequence local/server | 8 samples local/server | Refinery/direct time | Self-Refine server/local wall |",
  "| --- | --- | --- | --- | --- |",
  ...results.map(
    (r) =>
      `| ${r.model} | ${pct(r.oneSequence.localOverServer)} (${r.oneSequence.local.tokensPerSecond.toFixed(1)} vs ${r.oneSequence.server.tokensPerSecond.toFixed(1)} t/s) | ${pct(r.parallelSamples.localOverServer)} (${r.parallelSamples.local.tokensPerSecond.toFixed(1)} vs ${r.parallelSamples.serverViaRefinery.tokensPerSecond.toFixed(1)} t/s) | ${pct(r.parallelSamples.refineryOverDirectTime)} | ${pct(r.selfRefine.serverOverLocal)} (${r.selfRefine.serverMs} vs ${r.selfRefine.localMs} ms) |`,
  ),
  "",
];
mkdirSync(join(repoRoot, "bench", "results"), { recursive: true });
writeFileSync(join(repoRoot, "bench", "results", "anchor.md"), lines.join("\n"));
writeFileSync(join(repoRoot, "bench", "results", "anchor.json"), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(lines.join("\n"));
process.exit(0);
