// The OpenAI chat-completions wire format as Refinery's server reads and writes it: request parsing with clear
// errors, completion objects, stream chunks and error bodies.
import type { ChatMessage } from "../protocol/events.ts";
import type { JsonSchema } from "../llm/backend.ts";

export class WireError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = "invalid_request_error",
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = "WireError";
  }
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  includeUsage: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  jsonSchema?: JsonSchema;
  /** Refinery's extra body field: strategy parameters and run options. */
  refinery: { params?: Record<string, unknown>; parallel?: boolean; criticMaxTokens?: number };
}

const number = (body: Record<string, unknown>, name: string): number | undefined => {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new WireError(400, `'${name}' must be a number`, "invalid_request_error", name);
  return value;
};

function contentText(content: unknown, index: number): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        if (part && typeof part === "object" && (part as { type?: unknown }).type === "text") return String((part as { text?: unknown }).text ?? "");
        throw new WireError(400, `messages[${index}]: only text content parts are supported`, "invalid_request_error", "messages");
      })
      .join("");
  }
  if (content === null || content === undefined) return "";
  throw new WireError(400, `messages[${index}].content must be a string or text parts`, "invalid_request_error", "messages");
}

function schemaOf(body: Record<string, unknown>): JsonSchema | undefined {
  const format = body.response_format as { type?: string; json_schema?: { schema?: JsonSchema } } | undefined;
  if (format?.type === "json_schema") {
    if (!format.json_schema?.schema) throw new WireError(400, "response_format.json_schema.schema is missing", "invalid_request_error", "response_format");
    return format.json_schema.schema;
  }
  if (format?.type === "json_object") return { type: "object" };
  if (format && format.type !== "text")
    throw new WireError(
      400,
      `response_format type '${String(format.type)}' is not supported (use json_schema, json_object or text)`,
      "invalid_request_error",
      "response_format",
    );
  // The forms other servers take, so clients written for them work too.
  for (const name of ["json_schema", "guided_json", "format"] as const) {
    const value = body[name];
    if (value && typeof value === "object") return value as JsonSchema;
  }
  return undefined;
}

export function parseChatRequest(raw: unknown): ChatRequest {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new WireError(400, "the body must be a JSON object");
  const body = raw as Record<string, unknown>;
  if (typeof body.model !== "string" || !body.model) throw new WireError(400, "'model' is required (see GET /v1/models)", "invalid_request_error", "model");
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    throw new WireError(400, "'messages' must be a non-empty array", "invalid_request_error", "messages");
  const messages = body.messages.map((m: unknown, index): ChatMessage => {
    const message = m as { role?: unknown; content?: unknown };
    const role = message?.role === "developer" ? "system" : message?.role;
    if (role !== "system" && role !== "user" && role !== "assistant")
      throw new WireError(400, `messages[${index}].role must be system, user or assistant`, "invalid_request_error", "messages");
    return { role, content: contentText(message.content, index) };
  });
  const n = number(body, "n");
  if (n !== undefined && n !== 1) throw new WireError(400, "only n=1 is supported", "invalid_request_error", "n");
  const extra = body.refinery;
  if (extra !== undefined && (typeof extra !== "object" || extra === null || Array.isArray(extra)))
    throw new WireError(400, '\'refinery\' must be an object like {"params": {"maxIterations": 2}}', "invalid_request_error", "refinery");
  const maxTokens = number(body, "max_completion_tokens") ?? number(body, "max_tokens");
  return {
    model: body.model,
    messages,
    stream: body.stream === true,
    includeUsage: (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true,
    ...(maxTokens !== undefined ? { maxTokens: Math.max(1, Math.floor(maxTokens)) } : {}),
    ...(number(body, "temperature") !== undefined ? { temperature: number(body, "temperature") } : {}),
    ...(number(body, "top_p") !== undefined ? { topP: number(body, "top_p") } : {}),
    ...(number(body, "top_k") !== undefined ? { topK: number(body, "top_k") } : {}),
    ...(number(body, "seed") !== undefined ? { seed: Math.floor(number(body, "seed")!) >>> 0 } : {}),
    ...(schemaOf(body) ? { jsonSchema: schemaOf(body) } : {}),
    refinery: (extra as ChatRequest["refinery"] | undefined) ?? {},
  };
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export const usageOf = (tokensIn: number, tokensOut: number): Usage => ({
  prompt_tokens: tokensIn,
  completion_tokens: tokensOut,
  total_tokens: tokensIn + tokensOut,
});

export function completion(id: string, model: string, content: string, finish: string, usage: Usage, extra: Record<string, unknown> = {}) {
  return {
    id,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: finish }],
    usage,
    ...extra,
  };
}

export function chunk(id: string, model: string, delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) {
  return {
    id,
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...extra,
  };
}

export function usageChunk(id: string, model: string, usage: Usage, extra: Record<string, unknown> = {}) {
  return { id, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model, choices: [], usage, ...extra };
}

export function errorBody(message: string, type = "invalid_request_error", param: string | null = null, code: string | null = null) {
  return { error: { message, type, param, code } };
}

export const finishReason = (stop: string) => (stop === "maxTokens" ? "length" : "stop");
