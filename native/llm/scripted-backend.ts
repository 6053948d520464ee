// A backend that answers from a script: for unit-testing strategies' control flow (calls per role, stop
// rules, selection pools) without a model. Real inference is tested separately through node-llama-cpp.
import type { BackendUsage, GenerateRequest, GenerateResult, ModelBackend } from "./backend.ts";

export type Script = (request: GenerateRequest, call: number) => string;

const countWords = (text: string) => (text.match(/\S+/g) ?? []).length;

export class ScriptedBackend implements ModelBackend {
  readonly kind = "scripted";
  readonly requests: GenerateRequest[] = [];
  private readonly totals: BackendUsage = { tokensIn: 0, tokensOut: 0, requests: 0 };

  constructor(
    private readonly script: Script,
    readonly parallelism = 4,
    /** A context size to report, for strategies that fit their prompts to it. */
    readonly contextSize?: number,
  ) {}

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const call = this.requests.length;
    this.requests.push(request);
    await new Promise((resolve) => setImmediate(resolve));
    const text = this.script(request, call);
    let emitted = "";
    for (const piece of text.match(/\S+\s*|\s+/g) ?? []) {
      if (request.signal?.aborted) break;
      request.onText?.(piece);
      emitted += piece;
    }
    const tokensIn = request.messages.reduce((sum, m) => sum + countWords(m.content), 0);
    const tokensOut = countWords(emitted);
    this.totals.tokensIn += tokensIn;
    this.totals.tokensOut += tokensOut;
    this.totals.requests++;
    return {
      text: emitted,
      tokensIn,
      tokensEvaluated: tokensIn,
      tokensOut,
      stopReason: request.signal?.aborted ? "aborted" : "eos",
      firstTokenMs: 0,
    };
  }

  async countTokens(text: string): Promise<number> {
    return countWords(text);
  }

  usage(): BackendUsage {
    return { ...this.totals };
  }
}
