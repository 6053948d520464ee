// A model source that exists only for tests: `echo:<name>` answers every request with its last message. With the
// test that registers it, it shows that a new kind of model is one file: the runner, the generation cache and the
// run record learn everything about it from the source.
import type { BackendUsage, GenerateRequest, GenerateResult, ModelBackend } from "../../native/llm/backend.ts";
import type { ModelSource } from "../../native/llm/sources/source.ts";
import { ModelSpecError } from "../../native/protocol/model-spec.ts";

const PREFIX = "echo:";

class EchoBackend implements ModelBackend {
  readonly kind = "echo";
  readonly parallelism = 1;
  private readonly totals: BackendUsage = { tokensIn: 0, tokensOut: 0, requests: 0 };

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const text = request.messages.at(-1)?.content ?? "";
    request.onText?.(text);
    const tokens = await this.countTokens(text);
    this.totals.requests++;
    this.totals.tokensIn += tokens;
    this.totals.tokensOut += tokens;
    return { text, tokensIn: tokens, tokensEvaluated: tokens, tokensOut: tokens, stopReason: "eos", firstTokenMs: 0 };
  }

  async countTokens(text: string): Promise<number> {
    return (text.match(/\S+/g) ?? []).length;
  }

  usage(): BackendUsage {
    return { ...this.totals };
  }
}

export const echoSource: ModelSource = {
  name: "the echo model",
  claims: (spec) => spec.startsWith(PREFIX),
  async check(spec) {
    if (spec === PREFIX) throw new ModelSpecError("'echo:' names no model: write echo:<name>");
    return null;
  },
  loadsLocally: false,
  pooled: false,
  capabilities: { thinkingBudget: false, jsonSchema: false },
  open: () => new EchoBackend(),
  cacheIdentity: async (spec) => spec,
  describe: (spec) => ({ path: spec, name: spec.slice(PREFIX.length) }),
};
