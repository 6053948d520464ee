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
    readonly code: string | null = null,
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

/** What one request may ask for; past these it is a client's mistake, answered 400 before anything runs. */
export const REQUEST_LIMITS = {
  /** OpenAI's own limit on a conversation's length. */
  messages: 2048,
  /** Characters over all messages: about 128k tokens, the largest contexts served locally. */
  promptChars: 512 << 10,
  /** Answer tokens, before the model's own context bounds them further. */
  maxTokens: 1 << 20,
} as const;

interface NumberRule {
  min?: number;
  max?: number;
  integer?: boolean;
}

function describeRule(rule: NumberRule): string {
  const kind = rule.integer ? "a whole number" : "a number";
  if (rule.min !== undefined && rule.max !== undefined) return `${kind} from ${rule.min} to ${rule.max}`;
  if (rule.min !== undefined) return `${kind} of at least ${rule.min}`;
  return kind;
}

/** A number field, or undefined when absent; anything else is refused with what the field accepts. */
function numberField(body: Record<string, unknown>, name: string, rule: NumberRule = {}, param = name): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  const fits =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.max === undefined || value <= rule.max);
  if (!fits) throw new WireError(400, `'${param}' must be ${describeRule(rule)}, got ${JSON.stringify(value)?.slice(0, 40)}`, "invalid_request_error", param);
  return value as number;
}

/** A token budget: a whole number from 1, capped so that no budget asks for more than any model could give. */
function tokenCount(body: Record<string, unknown>, name: string, param = name): number | undefined {
  const tokens = numberField(body, name, { min: 1, integer: true }, param);
  if (tokens !== undefined && tokens > REQUEST_LIMITS.maxTokens)
    throw new WireError(
      400,
      `'${param}' is ${tokens}; this server generates at most ${REQUEST_LIMITS.maxTokens} tokens per answer`,
      "invalid_request_error",
      param,
    );
  return tokens;
}

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

/** The schema as sent; whether it compiles, and how big its grammar gets, is client-schema.ts's to say. */
function schemaOf(body: Record<string, unknown>): JsonSchema | undefined {
  const format = body.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
  if (format !== undefined && format !== null && (typeof format !== "object" || Array.isArray(format)))
    throw new WireError(400, '\'response_format\' must be an object like {"type": "json_schema", ...}', "invalid_request_error", "response_format");
  if (format?.type === "json_schema") {
    const schema = format.json_schema?.schema;
    if (!schema) throw new WireError(400, "response_format.json_schema.schema is missing", "invalid_request_error", "response_format");
    if (typeof schema !== "object" || Array.isArray(schema))
      throw new WireError(400, "response_format.json_schema.schema must be a JSON schema object", "invalid_request_error", "response_format");
    return schema as JsonSchema;
  }
  if (format?.type === "json_object") return { type: "object" };
  if (format && format.type !== "text")
    throw new WireError(
      400,
      `response_format type '${String(format.type).slice(0, 40)}' is not supported (use json_schema, json_object or text)`,
      "invalid_request_error",
      "response_format",
    );
  // The forms other servers take, so clients written for them work too.
  for (const name of ["json_schema", "guided_json", "format"] as const) {
    const value = body[name];
    if (value && typeof value === "object" && !Array.isArray(value)) return value as JsonSchema;
  }
  return undefined;
}

function refineryOptions(extra: unknown): ChatRequest["refinery"] {
  if (extra === undefined || extra === null) return {};
  if (typeof extra !== "object" || Array.isArray(extra))
    throw new WireError(400, '\'refinery\' must be an object like {"params": {"maxIterations": 2}}', "invalid_request_error", "refinery");
  const options = extra as Record<string, unknown>;
  const params = options.params;
  if (params !== undefined && (typeof params !== "object" || params === null || Array.isArray(params)))
    throw new WireError(400, "'refinery.params' must be an object of strategy parameters", "invalid_request_error", "refinery.params");
  if (options.parallel !== undefined && typeof options.parallel !== "boolean")
    throw new WireError(400, "'refinery.parallel' must be true or false", "invalid_request_error", "refinery.parallel");
  const criticMaxTokens = tokenCount(options, "criticMaxTokens", "refinery.criticMaxTokens");
  return {
    ...(params !== undefined ? { params: params as Record<string, unknown> } : {}),
    ...(options.parallel !== undefined ? { parallel: options.parallel } : {}),
    ...(criticMaxTokens !== undefined ? { criticMaxTokens } : {}),
  };
}

export function parseChatRequest(raw: unknown): ChatRequest {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new WireError(400, "the body must be a JSON object");
  const body = raw as Record<string, unknown>;
  if (typeof body.model !== "string" || !body.model) throw new WireError(400, "'model' is required (see GET /v1/models)", "invalid_request_error", "model");
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    throw new WireError(400, "'messages' must be a non-empty array", "invalid_request_error", "messages");
  if (body.messages.length > REQUEST_LIMITS.messages)
    throw new WireError(
      400,
      `'messages' has ${body.messages.length} messages; this server takes at most ${REQUEST_LIMITS.messages}`,
      "invalid_request_error",
      "messages",
    );
  let promptChars = 0;
  const messages = body.messages.map((m: unknown, index): ChatMessage => {
    const message = (m && typeof m === "object" ? m : {}) as { role?: unknown; content?: unknown };
    const role = message.role === "developer" ? "system" : message.role;
    if (role !== "system" && role !== "user" && role !== "assistant")
      throw new WireError(400, `messages[${index}].role must be system, user or assistant`, "invalid_request_error", "messages");
    const content = contentText(message.content, index);
    promptChars += content.length;
    if (promptChars > REQUEST_LIMITS.promptChars)
      throw new WireError(
        400,
        `the messages hold more than ${REQUEST_LIMITS.promptChars} characters (about 128k tokens, past any context served here); shorten them`,
        "invalid_request_error",
        "messages",
      );
    return { role, content };
  });
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== "boolean")
    throw new WireError(400, "'stream' must be true or false", "invalid_request_error", "stream");
  const n = numberField(body, "n");
  if (n !== undefined && n !== 1) throw new WireError(400, "only n=1 is supported", "invalid_request_error", "n");
  const maxTokens = tokenCount(body, "max_completion_tokens") ?? tokenCount(body, "max_tokens");
  const temperature = numberField(body, "temperature", { min: 0, max: 2 });
  const topP = numberField(body, "top_p", { min: 0, max: 1 });
  const topK = numberField(body, "top_k", { min: 0, integer: true });
  const seed = numberField(body, "seed", { integer: true });
  const jsonSchema = schemaOf(body);
  return {
    model: body.model,
    messages,
    stream: body.stream === true,
    includeUsage: (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true,
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
    ...(topP !== undefined ? { topP } : {}),
    ...(topK !== undefined ? { topK } : {}),
    ...(seed !== undefined ? { seed: seed >>> 0 } : {}),
    ...(jsonSchema ? { jsonSchema } : {}),
    refinery: refineryOptions(body.refinery),
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
