// ModelBackend over an OpenAI-compatible chat-completions endpoint (vLLM, llama-server, Ollama, LM Studio,
// another Refinery): streamed SSE, seed and sampling, JSON-schema verdicts in whatever form the server takes,
// usage from the server (estimated and marked so when it sends none), reasoning split into the thought,
// retries with backoff on 429/5xx/lost connections, and cancel that aborts the HTTP request.
import type { BackendUsage, GenerateRequest, GenerateResult, JsonSchema, ModelBackend, StopReason } from "./backend.ts";
import {
  EndpointHttpError,
  EndpointUnavailableError,
  openEndpoint,
  type EndpointOptions,
  type OpenAIEndpoint,
  type StructuredOutputMode,
} from "./openai-endpoint.ts";
import type { EndpointSpec } from "../protocol/model-spec.ts";
import { setEndpointKey } from "./endpoint-keys.ts";
import { sseData } from "./sse.ts";
import { ThinkSplitter } from "./think-splitter.ts";
import { CONFIDENCE_TOP_K, tokenConfidence } from "../protocol/token-confidence.ts";

/** Characters per token for estimates when a server reports no usage and has no tokenizer endpoint. */
const CHARS_PER_TOKEN = 4;
export const estimateTokens = (text: string) => Math.ceil(text.length / CHARS_PER_TOKEN);

interface ChunkChoice {
  delta?: { content?: string | null; reasoning_content?: string | null; reasoning?: string | null; refusal?: string | null };
  message?: { content?: string | null; reasoning_content?: string | null; refusal?: string | null };
  finish_reason?: string | null;
  /** With `logprobs` asked: each generated token's log-probability and its top candidates'. */
  logprobs?: { content?: Array<{ logprob?: number; top_logprobs?: Array<{ logprob?: number }> }> | null } | null;
  /** vLLM: the stop string that ended the generation (a number or null when a token did). */
  stop_reason?: string | number | null;
}

interface Chunk {
  choices?: ChunkChoice[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } } | null;
  error?: { message?: string } | string;
}

/** A structured-output form the server refused: the next form is tried. */
function refusesStructuredOutput(error: unknown): boolean {
  return (
    error instanceof EndpointHttpError &&
    (error.status === 400 || error.status === 422 || error.status === 501) &&
    /response_format|json_schema|guided|format|schema|grammar/i.test(error.body)
  );
}

const retryable = (status: number) => status === 429 || status === 408 || status >= 500;

export class OpenAIBackend implements ModelBackend {
  readonly kind = "remote";
  readonly endpoint: OpenAIEndpoint;
  private readonly totals: BackendUsage = { tokensIn: 0, tokensOut: 0, requests: 0 };

  constructor(
    readonly spec: EndpointSpec,
    options: EndpointOptions = {},
  ) {
    if (spec.urlKey) setEndpointKey(spec.baseUrl, spec.urlKey);
    this.endpoint = openEndpoint(spec.baseUrl, options);
  }

  get parallelism(): number {
    return this.endpoint.gate.limit;
  }

  usage(): BackendUsage {
    return { ...this.totals };
  }

  async countTokens(text: string): Promise<number> {
    await this.endpoint.probe();
    return (await this.endpoint.tokenize(text, this.spec.model)) ?? estimateTokens(text);
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    await this.endpoint.probe();
    const leave = await this.endpoint.gate.enter(request.signal);
    try {
      if (!request.jsonSchema) return await this.withRetries(request, null);
      const modes = this.endpoint.structuredModes();
      for (const [index, mode] of modes.entries()) {
        try {
          const result = await this.withRetries(request, mode);
          this.endpoint.recordStructuredMode(mode);
          return result;
        } catch (error) {
          if (index === modes.length - 1 || !refusesStructuredOutput(error)) throw error;
        }
      }
      throw new Error("unreachable");
    } finally {
      leave();
    }
  }

  /** llama-server ends a thought after `thinking_budget_tokens`; other servers have no such field (OpenAI refuses unknown ones). */
  private takesThinkingBudget(): boolean {
    return this.endpoint.describe().kind === "llama-server";
  }

  private body(request: GenerateRequest, mode: StructuredOutputMode | null): Record<string, unknown> {
    const budget = this.takesThinkingBudget() ? request.thinkingBudget : undefined;
    return {
      model: this.spec.model,
      messages: request.messages,
      stream: true,
      stream_options: { include_usage: true },
      // The server counts thought and answer against one max_tokens; Refinery's budget gives the answer its own.
      max_tokens: request.maxTokens + (budget ?? 0),
      ...(budget !== undefined ? { thinking_budget_tokens: budget } : {}),
      ...(budget === 0 ? { chat_template_kwargs: { enable_thinking: false } } : {}),
      temperature: request.temperature,
      seed: request.seed,
      ...(request.topP !== undefined ? { top_p: request.topP } : {}),
      ...(request.topK !== undefined ? { top_k: request.topK } : {}),
      ...(this.endpoint.describe().kind === "llama-server" ? localSamplerOn(request) : {}),
      ...(request.stop?.length ? { stop: request.stop } : {}),
      ...(request.confidence ? { logprobs: true, top_logprobs: CONFIDENCE_TOP_K } : {}),
      ...(mode && request.jsonSchema ? structuredFields(mode, request.jsonSchema) : {}),
    };
  }

  /** Retries what a retry can fix, as long as nothing has been streamed to the caller yet. */
  private async withRetries(request: GenerateRequest, mode: StructuredOutputMode | null): Promise<GenerateResult> {
    const retries = this.endpoint.options.retries ?? 4;
    const backoff = this.endpoint.options.backoffMs ?? 500;
    for (let attempt = 0; ; attempt++) {
      const streamed = { any: false };
      try {
        const result = await this.attempt(request, mode, streamed);
        this.endpoint.down = null;
        return result;
      } catch (error) {
        if (request.signal?.aborted) throw error;
        const lost = !(error instanceof EndpointHttpError);
        const canRetry = !streamed.any && (lost || retryable((error as EndpointHttpError).status));
        if (!canRetry || attempt >= retries) {
          if (lost) {
            const reason = streamed.any ? `the connection was lost mid-stream (${(error as Error).message})` : (error as Error).message;
            this.endpoint.down = reason;
            throw new EndpointUnavailableError(this.spec.baseUrl, reason);
          }
          throw error;
        }
        const after = error instanceof EndpointHttpError ? error.retryAfterMs : null;
        await sleep(after ?? Math.min(30_000, backoff * 2 ** attempt), request.signal);
      }
    }
  }

  private async attempt(request: GenerateRequest, mode: StructuredOutputMode | null, streamed: { any: boolean }): Promise<GenerateResult> {
    const started = performance.now();
    const timeout = new AbortController();
    // Closes the stream when the confidence stop ends the generation, so the server stops generating too.
    const lowConfidence = new AbortController();
    const signal = AbortSignal.any([...(request.signal ? [request.signal] : []), timeout.signal, lowConfidence.signal]);
    const confidence = request.confidence ? new StreamedConfidence(request.confidence.stopBelow) : null;
    const requestTimer = setTimeout(
      () => timeout.abort(new Error(`no answer within ${this.endpoint.options.requestTimeoutMs ?? 120_000} ms`)),
      this.endpoint.options.requestTimeoutMs ?? 120_000,
    );
    const splitter = new ThinkSplitter();
    let reasoning = "";
    let refusal = "";
    let finish: string | null = null;
    let stoppedByString = false;
    let usage: Chunk["usage"] = null;
    let firstTokenMs: number | null = null;
    const emit = (visible: string) => {
      if (!visible) return;
      firstTokenMs ??= performance.now() - started;
      streamed.any = true;
      request.onText?.(visible);
    };
    let idleTimer: NodeJS.Timeout | undefined;
    try {
      let response: Response;
      try {
        response = await fetch(`${this.spec.baseUrl}/chat/completions`, {
          method: "POST",
          headers: this.endpoint.headers(),
          body: JSON.stringify(this.body(request, mode)),
          signal,
        });
      } catch (error) {
        if (request.signal?.aborted) return this.finish(request, splitter, reasoning, "aborted", null, firstTokenMs);
        throw describeFetchError(error, signal);
      }
      clearTimeout(requestTimer);
      if (!response.ok)
        throw new EndpointHttpError(response.status, await response.text().catch(() => ""), this.spec.baseUrl, response.headers.get("retry-after"));
      const idleMs = this.endpoint.options.idleTimeoutMs ?? 120_000;
      const armIdle = () => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => timeout.abort(new Error(`the stream stalled for ${idleMs} ms`)), idleMs);
      };
      armIdle();
      const type = response.headers.get("content-type") ?? "";
      try {
        if (!type.includes("text/event-stream")) {
          // A server that ignores `stream` answers with one JSON body.
          const whole = (await response.json()) as Chunk;
          const choice = whole.choices?.[0];
          emit(splitter.push(choice?.message?.content ?? ""));
          reasoning += choice?.message?.reasoning_content ?? "";
          refusal += choice?.message?.refusal ?? "";
          finish = choice?.finish_reason ?? null;
          stoppedByString = typeof choice?.stop_reason === "string";
          usage = whole.usage ?? null;
          confidence?.take(choice?.logprobs);
        } else {
          for await (const data of sseData(response.body!)) {
            armIdle();
            if (data === "[DONE]") break;
            let chunk: Chunk;
            try {
              chunk = JSON.parse(data) as Chunk;
            } catch {
              continue; // a keep-alive or a vendor's non-JSON line
            }
            if (chunk.error) throw new EndpointHttpError(500, JSON.stringify({ error: chunk.error }), this.spec.baseUrl);
            if (chunk.usage) usage = chunk.usage;
            const choice = chunk.choices?.[0];
            if (!choice) continue;
            const delta = choice.delta ?? choice.message ?? {};
            if (delta.reasoning_content || (delta as { reasoning?: string }).reasoning) {
              firstTokenMs ??= performance.now() - started;
              reasoning += delta.reasoning_content ?? (delta as { reasoning?: string }).reasoning ?? "";
            }
            if (delta.refusal) refusal += delta.refusal;
            if (delta.content) emit(splitter.push(delta.content));
            if (choice.finish_reason) finish = choice.finish_reason;
            if (typeof choice.stop_reason === "string") stoppedByString = true;
            if (confidence?.take(choice.logprobs)) {
              lowConfidence.abort();
              break;
            }
          }
        }
      } catch (error) {
        if (request.signal?.aborted) return this.finish(request, splitter, reasoning, "aborted", usage, firstTokenMs);
        if (lowConfidence.signal.aborted) return this.finish(request, splitter, reasoning, "stop", usage, firstTokenMs, confidence);
        if (error instanceof EndpointHttpError) throw error;
        throw describeFetchError(error, signal);
      }
      if (confidence?.stopped) {
        emit(splitter.end());
        return this.finish(request, splitter, reasoning, "stop", usage, firstTokenMs, confidence);
      }
      if (finish === null && !usage) throw new Error("the stream ended before the server said it was finished");
      emit(splitter.end());
      if (refusal && !splitter.text) {
        // A structured-output refusal: kept as the text so the verdict reads as unparseable, not as a verdict.
        emit(refusal);
        splitter.text = refusal;
      }
      // "stop" covers the end of the answer and a stop string alike; only a server that names the string tells them apart.
      const stopReason: StopReason = finish === "length" ? "maxTokens" : (finish === "stop" && !stoppedByString) || finish === "eos" ? "eos" : "stop";
      return this.finish(request, splitter, reasoning, stopReason, usage, firstTokenMs, confidence);
    } finally {
      clearTimeout(requestTimer);
      clearTimeout(idleTimer);
    }
  }

  private async finish(
    request: GenerateRequest,
    splitter: ThinkSplitter,
    reasoning: string,
    stopReason: StopReason,
    usage: Chunk["usage"],
    firstTokenMs: number | null,
    confidence: StreamedConfidence | null = null,
  ): Promise<GenerateResult> {
    const text = splitter.text;
    const thought = (reasoning + splitter.thought).trim();
    let tokensIn = usage?.prompt_tokens;
    let tokensOut = usage?.completion_tokens;
    let estimated = false;
    if (tokensIn === undefined || tokensOut === undefined) {
      // No usage (an aborted stream, an older Ollama): count with the server's tokenizer, else estimate.
      estimated = !this.endpoint.hasTokenizer;
      const count = async (t: string) => (stopReason === "aborted" ? estimateTokens(t) : await this.countTokens(t));
      tokensIn ??= await count(request.messages.map((m) => m.content).join("\n"));
      tokensOut ??= await count(thought + text);
      if (estimated || stopReason === "aborted") this.endpoint.sawEstimate = true;
    } else {
      this.endpoint.sawUsage = true;
    }
    const cachedTokens = usage?.prompt_tokens_details?.cached_tokens ?? 0;
    const budgetIgnored =
      request.thinkingBudget !== undefined && !this.takesThinkingBudget()
        ? `this server takes no thinking budget: the model thought as it liked within ${request.maxTokens} tokens`
        : undefined;
    this.totals.tokensIn += tokensIn;
    this.totals.tokensOut += tokensOut;
    this.totals.requests++;
    this.endpoint.requests++;
    this.endpoint.tokensOut += tokensOut;
    return {
      text,
      tokensIn,
      tokensEvaluated: Math.max(0, tokensIn - cachedTokens),
      tokensOut,
      stopReason,
      firstTokenMs,
      ...(thought ? { thought } : {}),
      ...(estimated ? { tokensEstimated: true } : {}),
      ...(budgetIgnored ? { warning: budgetIgnored } : {}),
      ...(confidence ? { tokenConfidence: confidence.values } : {}),
      ...(confidence?.stopped ? { confidenceStopped: true } : {}),
    };
  }
}

/** Token confidence from streamed `logprobs`, and the online stop when its window falls below the threshold. */
class StreamedConfidence {
  readonly values: number[] = [];
  stopped = false;
  private windowSum = 0;

  constructor(private readonly stopBelow: { window: number; threshold: number } | undefined) {}

  /** Returns true when this piece brought the window below the threshold. */
  take(logprobs: ChunkChoice["logprobs"]): boolean {
    for (const entry of logprobs?.content ?? []) {
      const top = (entry.top_logprobs ?? []).map((candidate) => candidate.logprob ?? Number.NEGATIVE_INFINITY);
      const value = tokenConfidence(top.length ? top : [entry.logprob ?? Number.NEGATIVE_INFINITY]);
      this.values.push(value);
      if (!this.stopBelow) continue;
      const { window, threshold } = this.stopBelow;
      this.windowSum += value - (this.values.length > window ? this.values[this.values.length - 1 - window]! : 0);
      if (this.values.length >= window && this.windowSum / window < threshold) {
        this.stopped = true;
        return true;
      }
    }
    return false;
  }
}

function structuredFields(mode: StructuredOutputMode, schema: JsonSchema): Record<string, unknown> {
  switch (mode) {
    case "response_format":
      return { response_format: { type: "json_schema", json_schema: { name: "verdict", schema, strict: true } } };
    case "format":
      return { format: schema };
    case "guided_json":
      return { guided_json: schema };
    case "json_schema":
      return { json_schema: schema };
    case "none":
      return {};
  }
}

function describeFetchError(error: unknown, signal: AbortSignal): Error {
  if (signal.aborted && signal.reason instanceof Error) return signal.reason;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const message = cause?.code ? `${cause.code}${cause.message ? ` (${cause.message})` : ""}` : (cause?.message ?? (error as Error).message);
  return new Error(message);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * The sampler node-llama-cpp runs locally (LlamaContext's defaults: top-k 40, top-p 0.95, min-p 0, no repeat
 * penalty), spelled out for llama-server, whose own defaults differ (min_p 0.05): a model served remotely then
 * samples as it does on the local engine. Other servers get only what the request names.
 */
function localSamplerOn(request: GenerateRequest): Record<string, number> {
  return { top_k: request.topK ?? 40, top_p: request.topP ?? 0.95, min_p: 0, repeat_penalty: 1 };
}
