// ModelBackend over a node-llama-cpp model: streaming chat generation on pooled sequences, JSON-schema
// grammars for critics, abort through AbortSignal (partial text is kept).
import { LlamaText, type ChatHistoryItem } from "node-llama-cpp";
import type { ChatMessage } from "../protocol/events.ts";
import type { BackendUsage, GenerateRequest, GenerateResult, ModelBackend, StopReason } from "./backend.ts";
import type { LlamaRuntime, LoadedModel } from "./runtime.ts";
import { SequencePool } from "./sequence-pool.ts";

const pools = new WeakMap<LoadedModel, SequencePool>();

function poolFor(loaded: LoadedModel): SequencePool {
  let pool = pools.get(loaded);
  if (!pool) {
    pool = new SequencePool(loaded.context);
    pools.set(loaded, pool);
  }
  return pool;
}

export function toChatHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((message) =>
    message.role === "assistant"
      ? { type: "model", response: [message.content] }
      : { type: message.role, text: message.content },
  );
  history.push({ type: "model", response: [] });
  return history;
}

function textOf(item: ChatHistoryItem): string {
  if (item.type === "model") return item.response.filter((part) => typeof part === "string").join("");
  return typeof item.text === "string" ? item.text : LlamaText.fromJSON(item.text).toString();
}

/**
 * When the conversation does not fit the context, node-llama-cpp's context shift drops or shortens messages and
 * generates anyway; say so, with how much of the prompt the model saw. The window's last item is the new reply.
 */
export function promptCut(messages: ChatMessage[], contextWindow: ChatHistoryItem[], contextSize: number): string | null {
  // Trimmed: the template may drop surrounding whitespace, which is not a cut.
  const given = messages.reduce((sum, message) => sum + message.content.trim().length, 0);
  const seen = contextWindow.slice(0, -1).reduce((sum, item) => sum + textOf(item).trim().length, 0);
  if (seen >= given) return null;
  return `the prompt was cut to fit the ${contextSize}-token context: the model saw ${seen.toLocaleString("en-US")} of its ${given.toLocaleString("en-US")} characters`;
}

export class LlamaBackend implements ModelBackend {
  readonly kind = "llama.cpp";
  private readonly pool: SequencePool;
  private readonly totals: BackendUsage = { tokensIn: 0, tokensOut: 0, requests: 0 };

  constructor(
    private readonly runtime: LlamaRuntime,
    readonly loaded: LoadedModel,
    /** Prefix for lane names, so two roles sharing one model never share a conversation by accident. */
    private readonly lanePrefix: string,
  ) {
    this.pool = poolFor(loaded);
  }

  get parallelism(): number {
    return this.pool.size;
  }

  get contextSize(): number {
    return this.loaded.context.contextSize;
  }

  async countTokens(text: string): Promise<number> {
    return this.loaded.model.tokenize(text).length;
  }

  usage(): BackendUsage {
    return { ...this.totals };
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const started = performance.now();
    const grammar = request.jsonSchema ? await this.runtime.grammarFor(request.jsonSchema) : undefined;
    const lease = await this.pool.acquire(`${this.lanePrefix}:${request.lane ?? "default"}`, request.signal);
    const meter = lease.sequence.tokenMeter;
    const inBefore = meter.usedInputTokens;
    const outBefore = meter.usedOutputTokens;
    let firstTokenMs: number | null = null;
    let streamed = "";
    const finish = (text: string, stopReason: StopReason): GenerateResult => {
      const tokensOut = meter.usedOutputTokens - outBefore;
      const tokensEvaluated = meter.usedInputTokens - inBefore;
      const tokensIn = Math.max(0, lease.sequence.contextTokens.length - tokensOut);
      this.totals.tokensIn += tokensIn;
      this.totals.tokensOut += tokensOut;
      this.totals.requests++;
      return { text, tokensIn, tokensEvaluated, tokensOut, stopReason, firstTokenMs };
    };
    try {
      const result = await lease.chat.generateResponse(toChatHistory(request.messages), {
        maxTokens: request.maxTokens,
        temperature: request.temperature,
        topP: request.topP,
        topK: request.topK,
        seed: request.seed,
        grammar,
        signal: request.signal,
        stopOnAbortSignal: true,
        onTextChunk: (text) => {
          firstTokenMs ??= performance.now() - started;
          streamed += text;
          request.onText?.(text);
        },
      });
      const cut = promptCut(request.messages, result.lastEvaluation.contextWindow, lease.sequence.context.contextSize);
      const stopReason: StopReason =
        result.metadata.stopReason === "abort" ? "aborted"
        : result.metadata.stopReason === "maxTokens" ? "maxTokens"
        : result.metadata.stopReason === "eogToken" ? "eos"
        : "stop";
      return { ...finish(result.response, stopReason), ...(cut ? { warning: cut } : {}) };
    } catch (error) {
      // llama.cpp's grammar sampler throws when a token with an empty piece (e.g. <unk>) is sampled after the
      // grammar has already completed; the constrained output is whole by then, so keep it.
      if (grammar && /empty grammar stack/i.test((error as Error).message)) return finish(streamed, "stop");
      throw error;
    } finally {
      lease.release();
    }
  }
}
