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
  onText?: (text: string) => void;
}

export type StopReason = "eos" | "maxTokens" | "aborted" | "stop";

export interface GenerateResult {
  text: string;
  /** Prompt tokens (the whole conversation, reused prefix included). */
  tokensIn: number;
  /** Prompt tokens that had to be evaluated (the rest came from the sequence's cache). */
  tokensEvaluated: number;
  tokensOut: number;
  stopReason: StopReason;
  /** Milliseconds from the request to the first generated token. */
  firstTokenMs: number | null;
  /** Replayed from a generation cache instead of generated. */
  cached?: boolean;
  /** Reasoning the model produced before its answer (reasoning_content, or <think> in the content). */
  thought?: string;
  /** Token counts are an estimate: the server reported no usage and has no tokenizer endpoint. */
  tokensEstimated?: boolean;
}

export interface BackendUsage {
  tokensIn: number;
  tokensOut: number;
  requests: number;
}

export interface ModelBackend {
  readonly kind: "llama.cpp" | "remote" | "scripted";
  /** How many requests on different lanes can run at once. */
  readonly parallelism: number;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  countTokens(text: string): Promise<number>;
  usage(): BackendUsage;
}
