// `npm run bench:anchor`: Refinery's local engine raced against a real llama-server (built by
// scripts/llama-server.mjs from the llama.cpp node-llama-cpp binds), in one run, on the same GGUF and threads:
//   1. one sequence's decode tokens/s, local vs llama-server;
//   2. 8 parallel samples: the local engine's 8 sequences vs llama-server's 8 slots, both driven by Refinery,
//      and llama-server driven by plain HTTP with nothing of Refinery in between;
//   3. a Self-Refine run's wall time and each turn's time, local (prefix reuse on the lane) vs through the server.
// Each as a ratio with its parts. Models: a generated ~100M model (chatml100M: bench100M's shape, ChatML control
// tokens, no broken UTF-8, which llama-server refuses) and stories260K. Writes
// bench/results/anchor.md and anchor.json. Options: --threads n (default 2), --tokens n (default 128), --rounds n
// (default 3). The sides take turns within each round, in an order that rotates from round to round, and each
// figure is the median over the rounds: on a shared machine the load drifts, and a side measured only after the
// other would carry that drift.
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

const { values } = parseArgs({ options: { threads: { type: "string" }, tokens: { type: "string" }, rounds: { type: "string" } } });
const threads = Number(values.threads ?? 2);
const maxTokens = Number(values.tokens ?? 128);
const rounds = Number(values.rounds ?? 3);
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

/** Runs each side once per round, the order rotating each round; returns every side's measurements in round order. */
async function interleaved<K extends string, T>(sides: Record<K, (round: number) => Promise<T>>): Promise<Record<K, T[]>> {
  const names = Object.keys(sides) as K[];
  const out = Object.fromEntries(names.map((name) => [name, [] as T[]])) as Record<K, T[]>;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      out[name].push(await sides[name](round));
    }
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median of one measure over a side's rounds (in place of that measure), every round's value beside it. */
function medianOf<T, K extends keyof T>(runs: T[], key: K): T & { rounds: number[] } {
  const values = runs.map((run) => Number(run[key]));
  const m = median(values);
  const closest = runs[values.indexOf(values.reduce((best, v) => (Math.abs(v - m) < Math.abs(best - m) ? v : best)))]!;
  return { ...closest, [key]: m, rounds: values.map((v) => Number(v.toFixed(2))) };
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
    const oneRuns = await interleaved({
      local: async (round) => {
        const { result, ms } = await timed(local, request(2 + round));
        return decodeOf(result, ms);
      },
      server: async (round) => {
        const { result, ms } = await timed(remote, request(2 + round));
        return decodeOf(result, ms);
      },
    });
    const one = { local: medianOf(oneRuns.local, "tokensPerSecond"), server: medianOf(oneRuns.server, "tokensPerSecond") };
    log(`${label}: one sequence ${one.local.tokensPerSecond.toFixed(1)} vs ${one.server.tokensPerSecond.toFixed(1)} tokens/s`);

    const direct = async (i: number) => {
      const response = await fetch(`${server.baseUrl}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        // The sampler Refinery sends llama-server (openai-backend.ts), so both HTTP sides sample alike.
        body: JSON.stringify({
          messages,
          max_tokens: maxTokens,
          temperature: 0.8,
          seed: 100 + i,
          top_k: 40,
          top_p: 0.95,
          min_p: 0,
          repeat_penalty: 1,
          stream: true,
          stream_options: { include_usage: true },
        }),
      });
      const text = await response.text();
      const usage = [...text.matchAll(/"completion_tokens":(\d+)/g)].at(-1)?.[1];
      return Number(usage ?? 0);
    };
    const manyRuns = await interleaved({
      local: () => samples(async (i) => (await local.generate(request(100 + i, `s${i}`))).tokensOut),
      serverViaRefinery: () => samples(async (i) => (await remote.generate(request(100 + i, `s${i}`))).tokensOut),
      serverDirect: () => samples(direct),
    });
    const localMany = medianOf(manyRuns.local, "tokensPerSecond");
    const remoteMany = medianOf(manyRuns.serverViaRefinery, "tokensPerSecond");
    const directMany = medianOf(manyRuns.serverDirect, "tokensPerSecond");
    log(
      `${label}: ${parallel} samples ${localMany.tokensPerSecond.toFixed(1)} local, ${remoteMany.tokensPerSecond.toFixed(1)} server via Refinery, ${directMany.tokensPerSecond.toFixed(1)} direct`,
    );

    const refineRuns = await interleaved({
      local: async (round) => {
        const started = performance.now();
        const run = await executeRun(selfRefine(model, join(scratch, `${label}-local-${round}`)));
        return { ms: performance.now() - started, state: run.state };
      },
      server: async (round) => {
        const started = performance.now();
        const run = await executeRun(selfRefine(`openai:${server.baseUrl}#${label}`, join(scratch, `${label}-remote-${round}`)));
        return { ms: performance.now() - started, state: run.state };
      },
    });
    const localRun = medianOf(refineRuns.local, "ms");
    const remoteRun = medianOf(refineRuns.server, "ms");
    const localMs = localRun.ms;
    const remoteMs = remoteRun.ms;
    log(`${label}: Self-Refine ${Math.round(localMs)} ms local, ${Math.round(remoteMs)} ms through the server`);
    const turns = (state: typeof localRun.state) =>
      state.order
        .map((id) => state.nodes[id]!)
        .filter((node) => node.model)
        .map((node) => ({
          role: node.role,
          wallMs: Math.round(node.wallMs),
          tokensIn: node.tokensIn,
          tokensEvaluated: node.tokensEvaluated,
          tokensOut: node.tokensOut,
        }));
    await runtime.unloadAll();
    return {
      model: label,
      oneSequence: { ...one, localOverServer: one.local.tokensPerSecond / one.server.tokensPerSecond },
      rounds,
      parallelSamples: {
        local: localMany,
        serverViaRefinery: remoteMany,
        serverDirect: directMany,
        localOverServer: localMany.tokensPerSecond / remoteMany.tokensPerSecond,
        // The same tokens on both sides: the time ratio is the inverse of the rate ratio.
        refineryOverDirectTime: directMany.tokensPerSecond / remoteMany.tokensPerSecond,
      },
      selfRefine: {
        localMs: Math.round(localMs),
        serverMs: Math.round(remoteMs),
        serverOverLocal: remoteMs / localMs,
        status: [localRun.state.status, remoteRun.state.status],
        localRoundsMs: localRun.rounds.map(Math.round),
        serverRoundsMs: remoteRun.rounds.map(Math.round),
        localTurns: turns(localRun.state),
        serverTurns: turns(remoteRun.state),
      },
    };
  } finally {
    await server.kill();
  }
}

const startLoad = loadavg()[0]!;
llamaServerBinary(); // before generating the 100M model: a missing binary says how to build it at once
const results = [];
for (const [label, model] of [
  ["chatml-100m", await testModel("chatml100M")],
  ["stories260K", storiesModel],
] as const) {
  results.push(await race(label, model));
}

const pct = (x: number) => `${x.toFixed(2)}×`;
const lines = [
  "# Anchor: the local engine vs a real llama-server",
  "",
  `Same GGUF, ${threads} threads each, ${maxTokens} tokens a sample, ${parallel} parallel samples; medians of ${rounds} rounds, the sides interleaved (the order rotates each round); load average at the start ${startLoad.toFixed(1)}, at the end ${loadavg()[0]!.toFixed(1)}.`,
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
