// The small interface strategies see. node-llama-cpp implements it today; a remote OpenAI-compatible server
// (llama-server, vLLM, Ollama) can stand in for either role without the strategies knowing.
import type { ChatMessage } from "../protocol/events.ts";

/** JSON schema subset accepted by node-llama-cpp's grammar builder (and by OpenAI-style `response_format`). */
export type JsonSchema = Record<string, unknown>;

export interface GenerateRequest {
  messages: ChatMessage[];
  maxTokens: number;
  temperature: number;
  topP?: number;
  topK?: number;
  seed: number;
  /** Constrain the output to JSON matching this schema. */
  jsonSchema?: JsonSchema;
  /**
   * Requests on the same lane run on the same sequence one after another, so a refinement turn that extends
   * an earlier conversation only evaluates the new tokens. Different lanes may run in parallel.
   */
  lane?: string;
  signal?: AbortSignal;
  /** The answer's text as it streams (never the thought). */
  onText?: (text: string) => void;
  /**
   * Thought tokens at most, for models that think (a chat template with thought segments). With a budget the
   * answer still gets `maxTokens` of its own after the thought ends; 0 asks the model not to think at all.
   * Omitted: the model thinks as it likes and `maxTokens` bounds thought and answer together.
   */
  thinkingBudget?: number;
  /** The thought's text as it streams. */
  onThought?: (text: string) => void;
  /**
   * With `jsonSchema`: reason in free text first (a thinking model's thought, or plain reasoning for a model
   * that does not think, within `thinkingBudget`), then constrain only the JSON that follows.
   */
  reasonBeforeJson?: boolean;
  /**
   * Generation ends at the first of these strings (a step of a step-level search ends at "\n\n"); the string
   * itself is not in the text and the stop reason is "stop".
   */
  stop?: string[];
  /**
   * The last message is the assistant's unfinished answer: the model continues it instead of starting a new
   * turn, and the text returned is only what it adds.
   */
  continueAnswer?: boolean;
  /**
   * Per-token confidence of what is generated (DeepConf's top-k measure); with `stopBelow`, generation ends once
   * the mean confidence of the last `window` tokens falls below `threshold` (DeepConf online). Omitted: no cost.
   */
  confidence?: { stopBelow?: { window: number; threshold: number } };
}

export type StopReason = "eos" | "maxTokens" | "aborted" | "stop";

/** A conversation that does not fit the model's context: the node fails with this, nothing is cut silently. */
export class ContextOverflowError extends Error {
  constructor(
    readonly needed: number,
    readonly contextSize: number,
  ) {
    super(
      `the conversation needs ${needed} tokens (prompt plus budgets) but the context holds ${contextSize}: use smaller budgets, fewer iterations or a larger context size (load settings; --context-size in the CLI)`,
    );
    this.name = "ContextOverflowError";
  }
}

export interface GenerateResult {
  /** The answer: what the model said after its thought (the whole output for models that do not think). */
  text: string;
  /** Prompt tokens (the whole conversation, reused prefix included). */
  tokensIn: number;
  /** Prompt tokens that had to be evaluated (the rest came from the sequence's cache). */
  tokensEvaluated: number;
  /** Generated tokens, thought included. */
  tokensOut: number;
  /** The thought segment's text; absent when the model did not think. */
  thought?: string;
  /** Generated tokens spent in the thought (part of tokensOut). */
  thoughtTokens?: number;
  /** Generated tokens of the answer, as the backend saw them stream (thought + answer = tokensOut). */
  answerTokens?: number;
  /** Prompt tokens found already evaluated in the sequence (tokensIn − tokensEvaluated, never below 0). */
  tokensReused?: number;
  /** The thinking budget ended the thought (the answer phase still ran). */
  thoughtCut?: boolean;
  stopReason: StopReason;
  /** Milliseconds from the request to the first generated token. */
  firstTokenMs: number | null;
  /** Replayed from a generation cache instead of generated. */
  cached?: boolean;
  /** Something the user should know about this generation, e.g. that the prompt was cut to fit the context. */
  warning?: string;
  /** Token counts are an estimate: the server reported no usage and has no tokenizer endpoint. */
  tokensEstimated?: boolean;
  /** With `confidence` asked: one value per generated token, thought included (protocol/token-confidence.ts). */
  tokenConfidence?: number[];
  /** Generation ended at `confidence.stopBelow` (stopReason is then "stop"). */
  confidenceStopped?: boolean;
}

export interface BackendUsage {
  tokensIn: number;
  tokensOut: number;
  requests: number;
  /** Prompt tokens actually evaluated and thought tokens generated, when the backend knows them. */
  tokensEvaluated?: number;
  thoughtTokens?: number;
}

/** What a backend knows about how it formats conversations (for manifests and `refinery inspect`). */
export interface ChatFormatInfo {
  /** The chat wrapper's name, e.g. "JinjaTemplate", "Qwen", "ChatML". */
  wrapper: string;
  /** Whether the format has thought segments (the model thinks before it answers). */
  thoughts: boolean;
  /** The wrapper was named by the user instead of resolved from the GGUF. */
  overridden: boolean;
}

export interface ModelBackend {
  /** What runs the model ("llama.cpp", "remote", "scripted"…), as the manifest records it. */
  readonly kind: string;
  /** How many requests on different lanes can run at once. */
  readonly parallelism: number;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  countTokens(text: string): Promise<number>;
  usage(): BackendUsage;
  /** Optional: the chat format the backend resolved for its model. */
  chatFormat?(): ChatFormatInfo | null;
  /** Optional: the context (tokens per sequence) a conversation may fill. */
  contextSize?(): number | null;
}

/**
 * The backend with `generate` replaced and every other member its own, so a wrapper (a cache, a warning) need not
 * list what a backend offers and does not lose what a backend adds later.
 */
export function withGenerate(backend: ModelBackend, generate: ModelBackend["generate"]): ModelBackend {
  return new Proxy(backend, {
    get(target, property) {
      if (property === "generate") return generate;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
