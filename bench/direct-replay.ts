// The direct side of the process-level benches: a fresh process that loads one model the way a run's manifest says
// it was loaded (context size, sequences, threads) and sends the recorded requests straight through node-llama-cpp's
// LlamaChat, one after another, with the sampling given. Prints {ms, tokens, evaluated} as JSON: the time from the first request
// to the last answer (loading excluded, as the engine's run-started → run-finished window excludes it).
// Usage: node --import tsx bench/direct-replay.ts <plan.json>
import { readFileSync } from "node:fs";
import { getLlama, type LLamaChatGenerateResponseOptions, LlamaLogLevel } from "node-llama-cpp";
import { toChatHistory } from "../native/llm/llama-backend.ts";
import type { GenerateRequest } from "../native/llm/backend.ts";
import { SequencePool } from "../native/llm/sequence-pool.ts";
import type { ChatMessage } from "../native/protocol/events.ts";

/**
 * A generation as the engine asked for it, on the engine's lane for it. Each goes on the sequence the engine's pool
 * gives that lane: the lane's own, else an unused one, else the least recently used. LlamaChat keeps whatever prefix
 * that sequence shares with the prompt, as node-llama-cpp does under the engine, so both sides evaluate the same
 * tokens (a run log's own count says only what a run reused of its own conversations: an experiment's next cell
 * and a server's next request also reuse the system prompt an earlier one left).
 */
export type ReplayRequest = Pick<GenerateRequest, "messages" | "maxTokens" | "temperature" | "topP" | "topK" | "seed"> & { lane: string };

export interface ReplayPlan {
  model: string;
  contextSize: number;
  sequences: number;
  threads: number;
  requests: ReplayRequest[];
  /** A generation before the window, a lane of its own: the path's side was warmed the same way (a server's first request). */
  warmUp?: { text: string; maxTokens: number };
  /**
   * Passes of the requests before the window with `replace` swapped for `with` in their messages: the path's side
   * rehearsed its requests on another question the same number of times (a server's clients meet it warm).
   */
  rehearse?: { passes: number; replace: string; with: string };
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
// The engine's own pool hands the sequences to lanes, so each request finds the prefixes it found under the engine.
const pool = new SequencePool(context);
const meters = { out: 0, in: 0 };
async function generate(lane: string, messages: ChatMessage[], options: LLamaChatGenerateResponseOptions<never>): Promise<void> {
  const lease = await pool.acquire(lane);
  const before = { out: lease.sequence.tokenMeter.usedOutputTokens, in: lease.sequence.tokenMeter.usedInputTokens };
  try {
    await lease.chat.generateResponse(toChatHistory(messages), options);
  } finally {
    meters.out += lease.sequence.tokenMeter.usedOutputTokens - before.out;
    meters.in += lease.sequence.tokenMeter.usedInputTokens - before.in;
    lease.release();
  }
}
if (plan.warmUp) await generate("warm-up", [{ role: "user", content: plan.warmUp.text }], { maxTokens: plan.warmUp.maxTokens, temperature: 0 });
const warmUpTokens = meters.out;

async function replay(requests: ReplayRequest[]): Promise<void> {
  for (const request of requests) {
    await generate(request.lane, request.messages, {
      maxTokens: request.maxTokens,
      temperature: request.temperature,
      ...(request.topP !== undefined ? { topP: request.topP } : {}),
      ...(request.topK !== undefined ? { topK: request.topK } : {}),
      seed: request.seed,
    });
  }
}
const { rehearse } = plan;
if (rehearse) {
  const swapped = plan.requests.map((request) => ({
    ...request,
    messages: request.messages.map((message) => ({ ...message, content: message.content.replaceAll(rehearse.replace, rehearse.with) })),
  }));
  for (let pass = 0; pass < rehearse.passes; pass++) await replay(swapped.map((request) => ({ ...request, lane: `rehearsal-${pass}/${request.lane}` })));
}
const warm = { ...meters };
const started = performance.now();
const wallMs = () => performance.timeOrigin + performance.now();
const fromMs = wallMs();
await replay(plan.requests);
const ms = performance.now() - started;
const window = { fromMs, toMs: wallMs() };
// Generated tokens as the engine counts them (its nodes' tokensOut): the sequences' own meters.
const tokens = meters.out - warm.out;
const evaluated = meters.in - warm.in;
const result: ReplayResult = { ms, tokens, evaluated, window, ...(plan.warmUp ? { warmUpTokens } : {}) };
process.stdout.write(`${JSON.stringify(result)}\n`);
await context.dispose();
await model.dispose();
