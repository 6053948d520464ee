// The direct side of the process-level benches: a fresh process that loads one model the way a run's manifest says
// it was loaded (context size, sequences, threads) and sends the recorded requests straight through node-llama-cpp's
// LlamaChat, one after another, with the sampling given. Prints {ms, tokens, evaluated} as JSON: the time from the first request
// to the last answer (loading excluded, as the engine's run-started → run-finished window excludes it).
// Usage: node --import tsx bench/direct-replay.ts <plan.json>
import { readFileSync } from "node:fs";
import { getLlama, LlamaChat, LlamaLogLevel } from "node-llama-cpp";
import { toChatHistory } from "../native/llm/llama-backend.ts";
import type { GenerateRequest } from "../native/llm/backend.ts";

/** A generation as the engine asked for it, on a context sequence of its own choosing. */
export type ReplayRequest = Pick<GenerateRequest, "messages" | "maxTokens" | "temperature" | "topP" | "topK" | "seed"> & {
  /** The context sequence it runs on: a request after another on the same sequence reuses their common prefix. */
  sequence: number;
  /** The path evaluated this request's whole prompt (it reused no prefix): the replay clears the sequence first. */
  fresh?: boolean;
};

export interface ReplayPlan {
  model: string;
  contextSize: number;
  sequences: number;
  threads: number;
  requests: ReplayRequest[];
  /** A generation before the window, on the last sequence: the path's side was warmed the same way (a server's first request). */
  warmUp?: { text: string; maxTokens: number };
}

/** What the replay prints: its window, and the tokens generated and evaluated by the sequences' own meters. */
export interface ReplayResult {
  ms: number;
  tokens: number;
  evaluated: number;
  /** Tokens the warm-up generated, to set beside the path's own first request. */
  warmUpTokens?: number;
  /** The window on the wall clock (ms since the epoch, as a run log's `at`), to place it on a CPU profile. */
  window: { fromMs: number; toMs: number };
}

const plan = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as ReplayPlan;
const llama = await getLlama({ build: "never", gpu: false, logLevel: LlamaLogLevel.error, maxThreads: plan.threads });
const model = await llama.loadModel({ modelPath: plan.model });
const context = await model.createContext({ contextSize: plan.contextSize, sequences: plan.sequences, threads: plan.threads });
const sequences = Array.from({ length: plan.sequences }, () => context.getSequence());
const chats = sequences.map((contextSequence) => new LlamaChat({ contextSequence }));
if (plan.warmUp)
  await chats.at(-1)!.generateResponse(toChatHistory([{ role: "user", content: plan.warmUp.text }]), { maxTokens: plan.warmUp.maxTokens, temperature: 0 });
const warm = sequences.map((sequence) => ({ out: sequence.tokenMeter.usedOutputTokens, in: sequence.tokenMeter.usedInputTokens }));
const warmUpTokens = warm.reduce((sum, meter) => sum + meter.out, 0);
const started = performance.now();
const wallMs = () => performance.timeOrigin + performance.now();
const fromMs = wallMs();
for (const request of plan.requests) {
  const chat = chats[request.sequence % chats.length]!;
  if (request.fresh) await chat.sequence.clearHistory();
  await chat.generateResponse(toChatHistory(request.messages), {
    maxTokens: request.maxTokens,
    temperature: request.temperature,
    ...(request.topP !== undefined ? { topP: request.topP } : {}),
    ...(request.topK !== undefined ? { topK: request.topK } : {}),
    seed: request.seed,
  });
}
const ms = performance.now() - started;
const window = { fromMs, toMs: wallMs() };
// Generated tokens as the engine counts them (its nodes' tokensOut): the sequences' own meters.
const tokens = sequences.reduce((sum, sequence, i) => sum + sequence.tokenMeter.usedOutputTokens - warm[i]!.out, 0);
const evaluated = sequences.reduce((sum, sequence, i) => sum + sequence.tokenMeter.usedInputTokens - warm[i]!.in, 0);
const result: ReplayResult = { ms, tokens, evaluated, window, ...(plan.warmUp ? { warmUpTokens } : {}) };
process.stdout.write(`${JSON.stringify(result)}\n`);
await context.dispose();
await model.dispose();
