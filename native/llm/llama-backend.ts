// ModelBackend over a node-llama-cpp model: streaming chat generation on pooled sequences, JSON-schema
// grammars for critics, abort through AbortSignal (partial text is kept). Thought and answer are told apart by
// node-llama-cpp's own thought segments (the chat wrapper's), streamed and counted separately.
import {
  LlamaText,
  type ChatHistoryItem,
  type ChatModelResponse,
  type Token,
  type LlamaChatResponse,
  type LlamaChatResponseChunk,
  type LlamaChatResponseSegment,
  type LlamaGrammar,
} from "node-llama-cpp";
import type { ChatMessage } from "../protocol/events.ts";
import {
  ContextOverflowError,
  type BackendUsage,
  type ChatFormatInfo,
  type GenerateRequest,
  type GenerateResult,
  type ModelBackend,
  type StopReason,
} from "./backend.ts";
import type { LlamaRuntime, LoadedModel } from "./runtime.ts";
import { SequencePool, type Lease } from "./sequence-pool.ts";
import { rescoreConfidence } from "./llama-confidence.ts";
import { firstLowWindowEnd } from "../protocol/token-confidence.ts";

const pools = new WeakMap<LoadedModel, SequencePool>();

function poolFor(loaded: LoadedModel): SequencePool {
  let pool = pools.get(loaded);
  if (!pool) {
    pool = new SequencePool(loaded.context, loaded.chatWrapper);
    pools.set(loaded, pool);
  }
  return pool;
}

export function toChatHistory(messages: ChatMessage[], continueAnswer = false): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((message) =>
    message.role === "assistant" ? { type: "model", response: [message.content] } : { type: message.role, text: message.content },
  );
  // generateResponse extends the history's last model turn: an empty one starts a new answer, the given one goes on.
  if (!(continueAnswer && messages.at(-1)?.role === "assistant")) history.push({ type: "model", response: [] });
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

/** For models that do not think: the two-phase "reason, then verdict" turns (the reasoning plays the thought). */
export const reasonFirstPrompts = {
  reason: "Before giving your verdict, reason about the solution step by step in plain text. Do not write the JSON yet.",
  verdict: "Now give your verdict as the JSON object described above.",
};

/**
 * "Do not think" for any template with thought segments: the response starts with an empty, closed thought
 * (what Qwen3's enable_thinking=false renders), so the model goes straight to its answer.
 */
function withoutThought(history: ChatHistoryItem[]): ChatHistoryItem[] {
  return history.slice(0, -1).concat({ type: "model", response: [{ type: "segment", segmentType: "thought", text: "", ended: true }] });
}

/** Default reasoning allowance of a two-phase verdict when no thinking budget is given. */
const DEFAULT_REASONING_TOKENS = 256;

/** Collects one generation's chunks: thought and answer apart, with their token counts, streamed as they come. */
class SegmentRecorder {
  thought = "";
  answer = "";
  thoughtTokens = 0;
  answerTokens = 0;
  firstTokenMs: number | null = null;
  /** Set when the answer reached its own budget and generation was stopped there. */
  answerCut = false;
  /** Prompt tokens over all phases, and those shared with the lane's previous conversation in this run. */
  promptTokens = 0;
  reusedTokens = 0;
  /** What the confidence pass put on the sequence's output meter: evaluation, not generation. */
  rescoredTokens = 0;

  constructor(
    private readonly request: GenerateRequest,
    private readonly started: number,
    /** After a thought, the template's line breaks before the answer are formatting; elsewhere text is kept as is. */
    private readonly trimLeadingWhitespace: boolean,
  ) {}

  /** Returns true when the answer budget is spent and generation should stop. */
  take(chunk: LlamaChatResponseChunk, answerBudget: number | null): boolean {
    if (chunk.tokens.length > 0) this.firstTokenMs ??= performance.now() - this.started;
    if (chunk.type === "segment") {
      if (chunk.segmentType !== "thought") return false;
      this.thoughtTokens += chunk.tokens.length;
      if (chunk.text) {
        this.thought += chunk.text;
        this.request.onThought?.(chunk.text);
      }
      return false;
    }
    this.answerTokens += chunk.tokens.length;
    if (chunk.text) {
      const text = this.answer === "" && this.trimLeadingWhitespace ? chunk.text.replace(/^\s+/, "") : chunk.text;
      this.answer += text;
      if (text) this.request.onText?.(text);
    }
    if (answerBudget !== null && this.answerTokens >= answerBudget) {
      this.answerCut = true;
      return true;
    }
    return false;
  }

  /**
   * Makes one call's thought and answer counts add up to the tokens the meter says it sampled. A thought segment's
   * chunks can carry more tokens than were sampled: node-llama-cpp re-tokenizes text it held back or trimmed (a
   * continued thought's first word, " fotos" sampled, "f" "otos" streamed); the answer's chunks are what was sampled.
   */
  settleCounts(sampled: number, from: { thoughtTokens: number; answerTokens: number }): void {
    if (this.thoughtTokens === from.thoughtTokens) return;
    this.thoughtTokens = from.thoughtTokens + Math.max(0, sampled - (this.answerTokens - from.answerTokens));
  }

  /** Reasoning written as plain text (a model without thought segments) counts as the thought. */
  answerAsThought(text: string): void {
    this.thought = text;
    this.thoughtTokens += this.answerTokens;
    this.answer = "";
    this.answerTokens = 0;
  }

  /**
   * The final texts come from node-llama-cpp's response, not the streamed chunks: it holds back and trims what
   * could have been a stop trigger, so the response is what the model said.
   */
  settle(result: LlamaChatResponse, trimStart: boolean, thoughtFrom: LlamaChatResponse | null = result): void {
    this.answer = trimStart ? result.response.replace(/^\s+/, "") : result.response;
    if (thoughtFrom) this.thought = thoughtOf(thoughtFrom) ?? this.thought;
  }
}

/** Tokens a DeepConf online trace generates between two confidence checks. */
export const CONFIDENCE_SLICE = 64;

/** A model turn so far followed by what one more call added: text joins text, an open segment takes its rest. */
function continuedResponse(so: ChatModelResponse["response"], added: LlamaChatResponse["fullResponse"]): ChatModelResponse["response"] {
  const out = [...so];
  for (const item of added) {
    const last = out.at(-1);
    if (typeof item === "string" && typeof last === "string") out[out.length - 1] = last + item;
    else if (
      typeof item === "object" &&
      typeof last === "object" &&
      last.type === "segment" &&
      item.type === "segment" &&
      !last.ended &&
      last.segmentType === item.segmentType
    )
      out[out.length - 1] = { ...last, text: last.text + item.text, ended: item.ended };
    else out.push(item);
  }
  return out;
}

function thoughtSegment(result: LlamaChatResponse): LlamaChatResponseSegment | undefined {
  return result.fullResponse.find(
    (item): item is LlamaChatResponseSegment => typeof item === "object" && item.type === "segment" && item.segmentType === "thought",
  );
}

function thoughtOf(result: LlamaChatResponse): string | undefined {
  return thoughtSegment(result)?.text;
}

function stopReasonOf(result: LlamaChatResponse, recorder: SegmentRecorder): StopReason {
  if (recorder.answerCut) return "maxTokens";
  const reason = result.metadata.stopReason;
  return reason === "abort" ? "aborted" : reason === "maxTokens" ? "maxTokens" : reason === "eogToken" ? "eos" : "stop";
}

export class LlamaBackend implements ModelBackend {
  readonly kind = "llama.cpp";
  private readonly pool: SequencePool;
  /** Per lane, the tokens of this backend's (this run's) last conversation there. */
  private readonly laneTokens = new Map<string, readonly Token[]>();
  private readonly totals: Required<BackendUsage> = { tokensIn: 0, tokensOut: 0, requests: 0, tokensEvaluated: 0, thoughtTokens: 0 };

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

  chatFormat(): ChatFormatInfo {
    return this.loaded.chatFormat;
  }

  contextSize(): number {
    return this.loaded.context.contextSize;
  }

  async countTokens(text: string): Promise<number> {
    return this.loaded.model.tokenize(text).length;
  }

  usage(): BackendUsage {
    return { ...this.totals };
  }

  private get thinks(): boolean {
    return this.loaded.chatFormat.thoughts;
  }

  /** Qwen's templates read `/no_think` in the user's turn as "answer without thinking". */
  private historyFor(request: GenerateRequest): ChatHistoryItem[] {
    const history = toChatHistory(request.messages, request.continueAnswer);
    if (request.thinkingBudget === 0 && this.loaded.chatFormat.wrapper === "Qwen") {
      const lastUser = history.findLast((item) => item.type === "user");
      if (lastUser && lastUser.type === "user") lastUser.text = `${lastUser.text} /no_think`;
    }
    return history;
  }

  /** Refuses a conversation that cannot fit before anything is generated: nothing is cut from its start. */
  private checkFits(lease: Lease, history: ChatHistoryItem[], generated: number): void {
    const { contextText } = lease.chat.chatWrapper.generateContextState({ chatHistory: history });
    const needed = contextText.tokenize(this.loaded.model.tokenizer).length + generated;
    const size = lease.sequence.contextSize;
    if (needed > size) throw new ContextOverflowError(needed, size);
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const started = performance.now();
    const grammar = request.jsonSchema ? await this.runtime.grammarFor(request.jsonSchema) : undefined;
    const lease = await this.pool.acquire(`${this.lanePrefix}:${request.lane ?? "default"}`, request.signal);
    this.runtime.generationStarted();
    const meter = lease.sequence.tokenMeter;
    const before = { out: meter.usedOutputTokens };
    const recorder = new SegmentRecorder(request, started, this.thinks);
    const lane = `${this.lanePrefix}:${request.lane ?? "default"}`;
    const finish = (stopReason: StopReason): GenerateResult => {
      const tokensOut = meter.usedOutputTokens - before.out - recorder.rescoredTokens;
      const tokensIn = recorder.promptTokens;
      const tokensEvaluated = tokensIn - recorder.reusedTokens;
      const budget = request.thinkingBudget;
      this.totals.tokensIn += tokensIn;
      this.totals.tokensOut += tokensOut;
      this.totals.tokensEvaluated += tokensEvaluated;
      this.totals.thoughtTokens += recorder.thoughtTokens;
      this.totals.requests++;
      return {
        text: recorder.answer,
        tokensIn,
        tokensEvaluated,
        tokensOut,
        tokensReused: recorder.reusedTokens,
        // What the meter counted beyond the thought: a token sampled but held back as a possible stop trigger when
        // the answer's budget stopped generation reaches no chunk, yet it was generated (and is paid for) all the same.
        answerTokens: Math.max(0, tokensOut - recorder.thoughtTokens),
        stopReason,
        firstTokenMs: recorder.firstTokenMs,
        ...(recorder.thought || recorder.thoughtTokens > 0 ? { thought: recorder.thought, thoughtTokens: recorder.thoughtTokens } : {}),
        ...(budget !== undefined && budget > 0 && recorder.thoughtTokens >= budget ? { thoughtCut: true } : {}),
      };
    };
    try {
      const history = this.historyFor(request);
      const twoPhase = grammar !== undefined && (request.reasonBeforeJson === true || (this.thinks && (request.thinkingBudget ?? 0) > 0));
      if (twoPhase) {
        const stopReason = await this.reasonThenJson(lease, lane, history, request, grammar, recorder);
        return finish(stopReason);
      }
      if (request.confidence?.stopBelow) {
        this.checkFits(lease, history, request.maxTokens);
        const { stopReason, confidence, stopped } = await this.generateUntilUnsure(lease, lane, history, request, recorder, request.confidence.stopBelow);
        return { ...finish(stopReason), tokenConfidence: confidence, ...(stopped ? { confidenceStopped: true } : {}) };
      }
      const thinkingBudget = this.thinks ? request.thinkingBudget : undefined;
      this.checkFits(lease, history, request.maxTokens + (thinkingBudget ?? 0));
      const result = await this.phase(lease, lane, this.thinks && thinkingBudget === 0 ? withoutThought(history) : history, request, recorder, {
        grammar,
        // The thought has its own budget; the answer keeps maxTokens for itself after the thought.
        maxTokens: request.maxTokens + (thinkingBudget ?? 0),
        answerBudget: thinkingBudget !== undefined ? request.maxTokens : null,
        thinkingBudget,
      });
      recorder.settle(result, this.thinks);
      const cut = promptCut(request.messages, result.lastEvaluation.contextWindow, lease.sequence.context.contextSize);
      const confidence = request.confidence ? await this.confidenceOf(lease, meter.usedOutputTokens - before.out, recorder) : null;
      return {
        ...finish(stopReasonOf(result, recorder)),
        ...(cut ? { warning: cut } : {}),
        ...(confidence ? { tokenConfidence: confidence } : {}),
      };
    } catch (error) {
      // llama.cpp's grammar sampler throws when a token with an empty piece (e.g. <unk>) is sampled after the
      // grammar has already completed; the constrained output is whole by then, so keep it.
      if (grammar && /empty grammar stack/i.test((error as Error).message)) return finish("stop");
      throw error;
    } finally {
      lease.release();
      this.runtime.generationEnded();
    }
  }

  /**
   * Confidence of the tokens the last call on this lease sampled: every one but the last (which never enters the
   * context) is at the context's end. Counted back from there, not on from the rendered prompt: a thinking
   * template writes its opening (`<think>\n`) into the response itself, and the model never sampled it.
   */
  private async confidenceOf(lease: Lease, sampled: number, recorder: SegmentRecorder): Promise<number[]> {
    const start = lease.sequence.contextTokens.length - (sampled - 1);
    if (sampled < 2) return [];
    const before = lease.sequence.tokenMeter.usedOutputTokens;
    const values = await rescoreConfidence(lease.sequence, start);
    recorder.rescoredTokens += lease.sequence.tokenMeter.usedOutputTokens - before;
    return values;
  }

  /**
   * DeepConf online: generation in slices of CONFIDENCE_SLICE tokens, each scored when it ends, until a window of
   * the trace's confidence falls below the threshold (or it ends, or the budget is spent). The check falls at
   * slice ends, so a trace may run up to a slice past the token where its window fell low. Each slice continues
   * the response on the same sequence (its prefix reused); thinking budgets do not apply here.
   */
  private async generateUntilUnsure(
    lease: Lease,
    lane: string,
    history: ChatHistoryItem[],
    request: GenerateRequest,
    recorder: SegmentRecorder,
    stopBelow: { window: number; threshold: number },
  ): Promise<{ stopReason: StopReason; confidence: number[]; stopped: boolean }> {
    const confidence: number[] = [];
    const opening = history.at(-1);
    let response: ChatModelResponse["response"] = opening?.type === "model" ? [...opening.response] : [];
    let current = history;
    let remaining = request.maxTokens;
    const first = { prompt: -1, reused: 0 };
    for (;;) {
      const before = { out: lease.sequence.tokenMeter.usedOutputTokens, thoughtTokens: recorder.thoughtTokens, answerTokens: recorder.answerTokens };
      const result = await this.phase(lease, lane, current, request, recorder, { maxTokens: Math.min(CONFIDENCE_SLICE, remaining), answerBudget: null });
      if (first.prompt < 0) Object.assign(first, { prompt: recorder.promptTokens, reused: recorder.reusedTokens });
      const sampled = lease.sequence.tokenMeter.usedOutputTokens - before.out;
      remaining -= sampled;
      recorder.settleCounts(sampled, before);
      confidence.push(...(await this.confidenceOf(lease, sampled, recorder)));
      // One conversation, many calls: its prompt counts once; what later slices had to evaluate again still counts.
      const evaluated = recorder.promptTokens - recorder.reusedTokens;
      recorder.promptTokens = first.prompt;
      recorder.reusedTokens = Math.max(0, first.prompt - evaluated);
      if (firstLowWindowEnd(confidence, stopBelow.window, stopBelow.threshold) !== null) return { stopReason: "stop", confidence, stopped: true };
      const reason = stopReasonOf(result, recorder);
      if (reason !== "maxTokens" || remaining <= 0 || request.signal?.aborted) return { stopReason: reason, confidence, stopped: false };
      response = continuedResponse(response, result.fullResponse);
      current = history.slice(0, -1).concat({ type: "model", response });
    }
  }

  /** One generateResponse call, recording chunks; stops early when the answer's own budget is spent. */
  private async phase(
    lease: Lease,
    lane: string,
    history: ChatHistoryItem[],
    request: GenerateRequest,
    recorder: SegmentRecorder,
    options: { grammar?: LlamaGrammar; maxTokens: number; answerBudget: number | null; thinkingBudget?: number; stopAtAnswer?: boolean },
  ): Promise<LlamaChatResponse> {
    // The phase's own stop (answer budget, end of a reasoning phase) joined with the run's cancel; AbortSignal.any
    // follows the run's signal without adding a listener to it per request (twelve waiting lanes would add twelve).
    const stop = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, stop.signal]) : stop.signal;
    const prompt = this.promptLength(lease, history);
    try {
      const result = await lease.chat.generateResponse(history, {
        maxTokens: options.maxTokens,
        temperature: request.temperature,
        topP: request.topP,
        topK: request.topK,
        seed: request.seed,
        grammar: options.grammar,
        ...(request.stop?.length ? { customStopTriggers: request.stop } : {}),
        signal,
        stopOnAbortSignal: true,
        ...(options.thinkingBudget !== undefined ? { budgets: { thoughtTokens: options.thinkingBudget } } : {}),
        onResponseChunk: (chunk) => {
          const answerStarted = options.stopAtAnswer === true && chunk.type !== "segment" && chunk.tokens.length > 0;
          if (answerStarted) {
            stop.abort();
            return;
          }
          if (recorder.take(chunk, options.answerBudget)) stop.abort();
        },
      });
      this.account(lease, lane, recorder, prompt);
      return result;
    } catch (error) {
      // What was evaluated and generated before the error still counts (a grammar-completed output is kept).
      this.account(lease, lane, recorder, prompt);
      throw error;
    }
  }

  /** The prompt's tokens as LlamaChat lays the history out: the sequence also holds the generated tokens after it. */
  private promptLength(lease: Lease, history: ChatHistoryItem[]): number {
    const { contextText } = lease.chat.chatWrapper.generateContextState({ chatHistory: history });
    return contextText.tokenize(this.loaded.model.tokenizer).length;
  }

  /**
   * Prompt accounting that does not depend on what other runs left in a sequence: a prompt counts as reused only
   * where it repeats this run's previous conversation on the same lane (the refinement continuing its history),
   * so the same run costs the same whatever ran before it on the shared model. The prompt's last token is always
   * evaluated: sampling needs its logits, so node-llama-cpp (as llama-server) decodes it again when the whole
   * prompt is already in the sequence.
   */
  private account(lease: Lease, lane: string, recorder: SegmentRecorder, prompt: number): void {
    const tokens = lease.sequence.contextTokens;
    const previous = this.laneTokens.get(lane) ?? [];
    const reusable = Math.max(0, prompt - 1);
    let shared = 0;
    while (shared < reusable && shared < previous.length && previous[shared] === tokens[shared]) shared++;
    recorder.promptTokens += prompt;
    recorder.reusedTokens += shared;
    this.laneTokens.set(lane, tokens.slice());
  }

  /**
   * Critics that think, then judge: the first phase reasons freely (a thinking model's thought segment, or
   * plain reasoning asked for by a turn of its own), the second continues with only the verdict JSON under the
   * grammar. Both phases run on the same sequence, so the second reuses the first's tokens.
   */
  private async reasonThenJson(
    lease: Lease,
    lane: string,
    history: ChatHistoryItem[],
    request: GenerateRequest,
    grammar: LlamaGrammar,
    recorder: SegmentRecorder,
  ): Promise<StopReason> {
    const budget = request.thinkingBudget && request.thinkingBudget > 0 ? request.thinkingBudget : DEFAULT_REASONING_TOKENS;
    if (this.thinks) {
      this.checkFits(lease, history, budget + request.maxTokens);
      const first = await this.phase(lease, lane, history, request, recorder, {
        maxTokens: budget + 1,
        answerBudget: null,
        thinkingBudget: budget,
        stopAtAnswer: true,
      });
      recorder.thought = thoughtOf(first) ?? recorder.thought;
      if (request.signal?.aborted) return "aborted";
      const thought = thoughtSegment(first);
      const continued = history.slice(0, -1).concat({ type: "model", response: thought ? [{ ...thought, ended: true }] : [] });
      const second = await this.phase(lease, lane, continued, request, recorder, {
        grammar,
        maxTokens: request.maxTokens,
        answerBudget: null,
        thinkingBudget: 0,
      });
      recorder.settle(second, true, null);
      return stopReasonOf(second, recorder);
    }
    const reasoningTurn = history.slice(0, -1);
    const lastUser = reasoningTurn.findLast((item) => item.type === "user");
    if (lastUser && lastUser.type === "user") lastUser.text = `${lastUser.text}\n\n${reasonFirstPrompts.reason}`;
    reasoningTurn.push({ type: "model", response: [] });
    this.checkFits(lease, reasoningTurn, budget + request.maxTokens);
    const reasoning = await this.phase(lease, lane, reasoningTurn, request, recorder, { maxTokens: budget, answerBudget: null });
    recorder.answerAsThought(reasoning.response);
    if (request.signal?.aborted) return "aborted";
    const verdictTurn: ChatHistoryItem[] = [
      ...reasoningTurn.slice(0, -1),
      { type: "model", response: [recorder.thought] },
      { type: "user", text: reasonFirstPrompts.verdict },
      { type: "model", response: [] },
    ];
    const second = await this.phase(lease, lane, verdictTurn, request, recorder, { grammar, maxTokens: request.maxTokens, answerBudget: null });
    recorder.settle(second, false, null);
    return stopReasonOf(second, recorder);
  }
}
