// A backend that answers from a script: for unit-testing strategies' control flow (calls per role, stop
// rules, selection pools) without a model. Real inference is tested separately through node-llama-cpp.
import type { BackendUsage, GenerateRequest, GenerateResult, ModelBackend, StopReason } from "./backend.ts";
import { firstLowWindowEnd } from "../protocol/token-confidence.ts";

/**
 * A reply with more than its text: per-token confidence (one value per word of the thought and the answer, in
 * order), or the way the generation ended (e.g. cut at its max tokens).
 */
export interface ScriptedReply {
  text: string;
  confidence?: number[];
  stopReason?: StopReason;
}

export type Script = (request: GenerateRequest, call: number) => string | ScriptedReply;

const countWords = (text: string) => (text.match(/\S+/g) ?? []).length;

/** A script's "<think>…</think>answer" plays a reasoning model: the part in the tags is the thought. */
function splitThought(text: string): { thought: string | null; answer: string } {
  const match = /^\s*<think>([\s\S]*?)<\/think>\s*/.exec(text);
  return match ? { thought: match[1]!.trim(), answer: text.slice(match[0].length) } : { thought: null, answer: text };
}

export class ScriptedBackend implements ModelBackend {
  readonly kind = "scripted";
  readonly requests: GenerateRequest[] = [];
  private readonly totals: BackendUsage = { tokensIn: 0, tokensOut: 0, requests: 0 };

  constructor(
    private readonly script: Script,
    readonly parallelism = 4,
    /** A context size to report, for strategies that fit their prompts to it. */
    private readonly contextTokens?: number,
  ) {}

  contextSize(): number | null {
    return this.contextTokens ?? null;
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const call = this.requests.length;
    this.requests.push(request);
    await new Promise((resolve) => setImmediate(resolve));
    const reply = this.script(request, call);
    const { thought, answer: whole } = splitThought(typeof reply === "string" ? reply : reply.text);
    const given = typeof reply === "string" ? [] : (reply.confidence ?? []);
    const confidence: number[] = [];
    const stopBelow = request.confidence?.stopBelow;
    let confidenceStopped = false;
    // A stop string ends the answer where it first appears, and is not part of it (as llama.cpp's stop triggers).
    const stopAt = Math.min(...(request.stop ?? []).map((stop) => whole.indexOf(stop)).filter((at) => at >= 0));
    const answer = Number.isFinite(stopAt) ? whole.slice(0, stopAt) : whole;
    const stream = (text: string, onPiece?: (piece: string) => void) => {
      let emitted = "";
      for (const piece of text.match(/\S+\s*|\s+/g) ?? []) {
        if (request.signal?.aborted || confidenceStopped) break;
        onPiece?.(piece);
        emitted += piece;
        if (!request.confidence || !/\S/.test(piece)) continue;
        confidence.push(given[confidence.length] ?? 0);
        confidenceStopped = stopBelow !== undefined && firstLowWindowEnd(confidence.slice(-stopBelow.window), stopBelow.window, stopBelow.threshold) !== null;
      }
      return emitted;
    };
    const thoughtEmitted = thought === null ? null : stream(thought, request.onThought);
    const emitted = stream(answer, request.onText);
    const tokensIn = request.messages.reduce((sum, m) => sum + countWords(m.content), 0);
    const thoughtTokens = thoughtEmitted === null ? 0 : countWords(thoughtEmitted);
    const tokensOut = countWords(emitted) + thoughtTokens;
    this.totals.tokensIn += tokensIn;
    this.totals.tokensOut += tokensOut;
    this.totals.requests++;
    return {
      text: emitted,
      tokensIn,
      tokensEvaluated: tokensIn,
      tokensReused: 0,
      tokensOut,
      ...(thoughtEmitted !== null ? { thought: thoughtEmitted, thoughtTokens } : {}),
      stopReason: request.signal?.aborted
        ? "aborted"
        : typeof reply !== "string" && reply.stopReason
          ? reply.stopReason
          : Number.isFinite(stopAt) || confidenceStopped
            ? "stop"
            : "eos",
      firstTokenMs: 0,
      ...(request.confidence ? { tokenConfidence: confidence } : {}),
      ...(confidenceStopped ? { confidenceStopped: true } : {}),
    };
  }

  async countTokens(text: string): Promise<number> {
    return countWords(text);
  }

  usage(): BackendUsage {
    return { ...this.totals };
  }
}
