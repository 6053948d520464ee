// One OpenAI-compatible server as Refinery sees it: what kind of server it is and which version it reports,
// how many requests it takes at once, how it constrains output to a JSON schema (detected once and recorded),
// whether it can count tokens, and whether it is reachable. Backends for several models on one server share it.
import { waitInLine } from "../util/wait-line.ts";
import { endpointKey } from "./endpoint-keys.ts";

export type StructuredOutputMode = "response_format" | "format" | "guided_json" | "json_schema" | "none";
export type ServerKind = "refinery" | "llama-server" | "vllm" | "ollama" | "lmstudio" | "openai-compatible";

export interface EndpointInfo {
  baseUrl: string;
  kind: ServerKind;
  /** What the server says about its version (build, release), or null when it says nothing. */
  version: string | null;
  concurrency: number;
  /** Where the concurrency came from. */
  concurrencySource: "server" | "default" | "user";
  structuredOutput: StructuredOutputMode | "undetected";
  tokenCounts: "server-usage" | "server-tokenizer" | "estimate";
  models: string[];
}

export interface EndpointOptions {
  /** Requests in flight at most; default: what the server reports, else 4. */
  concurrency?: number;
  /** No response headers within this long fails the attempt (default 120 s: a busy server queues requests). */
  requestTimeoutMs?: number;
  /** No stream chunk for this long fails the attempt (default 120 s). */
  idleTimeoutMs?: number;
  /** Attempts after the first on 429, 5xx and lost connections (default 4). */
  retries?: number;
  /** First backoff; doubles each attempt (default 500 ms). */
  backoffMs?: number;
}

export const DEFAULT_CONCURRENCY = 4;

/** The server could not be reached (after retries): the reason, for the node and for the endpoint pool. */
export class EndpointUnavailableError extends Error {
  constructor(
    readonly baseUrl: string,
    reason: string,
  ) {
    super(`${baseUrl} is unreachable: ${reason}`);
    this.name = "EndpointUnavailableError";
  }
}

/** An HTTP error answer, with the server's own message. */
export class EndpointHttpError extends Error {
  /** The server's Retry-After, in milliseconds (capped at a minute). */
  readonly retryAfterMs: number | null;
  constructor(
    readonly status: number,
    readonly body: string,
    readonly baseUrl: string,
    retryAfter: string | null = null,
  ) {
    super(`${baseUrl} answered ${status}: ${serverMessage(body)}`);
    this.name = "EndpointHttpError";
    const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
    this.retryAfterMs = Number.isFinite(seconds) ? Math.min(60_000, seconds * 1000) : null;
  }
}

export function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string } | string; message?: string; detail?: unknown };
    const error = parsed.error;
    const message =
      typeof error === "string" ? error : (error?.message ?? parsed.message ?? (parsed.detail !== undefined ? JSON.stringify(parsed.detail) : undefined));
    if (message) return message.slice(0, 500);
  } catch {
    // not JSON: show the text
  }
  return body.slice(0, 500) || "(empty body)";
}

/** Limits requests in flight; waiters go in order and leave when their request is cancelled. */
class Gate {
  private inFlight = 0;
  private readonly waiters: Array<() => void> = [];
  constructor(public limit: number) {}

  async enter(signal?: AbortSignal): Promise<() => void> {
    while (this.inFlight >= this.limit) {
      signal?.throwIfAborted();
      await waitInLine(this.waiters, signal);
    }
    signal?.throwIfAborted();
    this.inFlight++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.inFlight--;
      this.waiters.shift()?.();
    };
  }

  get busy(): number {
    return this.inFlight;
  }
}

export class OpenAIEndpoint {
  readonly gate: Gate;
  private probed: Promise<void> | null = null;
  private info: EndpointInfo;
  private tokenizer: "unknown" | "llama-server" | "vllm" | "none" = "unknown";
  sawUsage = false;
  sawEstimate = false;
  /** Set when the server stopped answering; cleared by the next request that succeeds. */
  down: string | null = null;
  requests = 0;
  tokensOut = 0;

  constructor(
    readonly baseUrl: string,
    readonly options: EndpointOptions = {},
  ) {
    this.gate = new Gate(options.concurrency ?? DEFAULT_CONCURRENCY);
    this.info = {
      baseUrl,
      kind: "openai-compatible",
      version: null,
      concurrency: this.gate.limit,
      concurrencySource: options.concurrency ? "user" : "default",
      structuredOutput: "undetected",
      tokenCounts: "estimate",
      models: [],
    };
  }

  /** The server's root (llama-server's /props, vLLM's /version and /tokenize live beside /v1). */
  get root(): string {
    return this.baseUrl.replace(/\/v1$/, "");
  }

  headers(): Record<string, string> {
    const key = endpointKey(this.baseUrl);
    return { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) };
  }

  describe(): EndpointInfo {
    const tokenCounts =
      this.sawUsage && !this.sawEstimate
        ? "server-usage"
        : this.tokenizer === "llama-server" || this.tokenizer === "vllm"
          ? "server-tokenizer"
          : this.sawUsage
            ? "server-usage"
            : "estimate";
    return { ...this.info, concurrency: this.gate.limit, tokenCounts };
  }

  /** Asks the server once what it is; cheap GETs that unknown servers answer with 404. */
  probe(): Promise<void> {
    this.probed ??= this.runProbe();
    return this.probed;
  }

  private async runProbe(): Promise<void> {
    const get = async (url: string): Promise<Record<string, unknown> | null> => {
      try {
        const response = await fetch(url, { headers: this.headers(), signal: AbortSignal.timeout(5000) });
        if (!response.ok) return null;
        return (await response.json()) as Record<string, unknown>;
      } catch {
        return null;
      }
    };
    const [models, props, vllm, ollama, lmstudio] = await Promise.all([
      get(`${this.baseUrl}/models`),
      get(`${this.root}/props`),
      get(`${this.root}/version`),
      get(`${this.root}/api/version`),
      get(`${this.root}/api/v0/models`),
    ]);
    if (Array.isArray(models?.data)) this.info.models = (models.data as Array<{ id?: unknown }>).map((m) => String(m.id));
    let slots: number | null = null;
    if (props && typeof props.refinery_version === "string") {
      this.info.kind = "refinery";
      this.info.version = `refinery ${props.refinery_version}${typeof props.build_info === "string" ? ` (${props.build_info})` : ""}`;
      slots = typeof props.total_slots === "number" ? props.total_slots : null;
    } else if (props && ("total_slots" in props || "build_info" in props || "default_generation_settings" in props)) {
      this.info.kind = "llama-server";
      this.info.version = typeof props.build_info === "string" ? props.build_info : null;
      slots = typeof props.total_slots === "number" ? props.total_slots : null;
    } else if (ollama && typeof ollama.version === "string") {
      this.info.kind = "ollama";
      this.info.version = `ollama ${ollama.version}`;
    } else if (vllm && typeof vllm.version === "string") {
      this.info.kind = "vllm";
      this.info.version = `vllm ${vllm.version}`;
    } else if (lmstudio && Array.isArray(lmstudio.data)) {
      this.info.kind = "lmstudio";
    }
    if (slots && slots > 0 && !this.options.concurrency) {
      this.gate.limit = slots;
      this.info.concurrencySource = "server";
    }
    if (this.info.kind === "ollama" && this.info.structuredOutput === "undetected") this.info.structuredOutput = "format";
  }

  /** The modes to try for a JSON schema, the detected one first. */
  structuredModes(): StructuredOutputMode[] {
    const mode = this.info.structuredOutput;
    if (mode !== "undetected") return [mode];
    if (this.info.kind === "llama-server") return ["response_format", "json_schema", "none"];
    return ["response_format", "guided_json", "none"];
  }

  recordStructuredMode(mode: StructuredOutputMode): void {
    this.info.structuredOutput = mode;
  }

  /** Tokens of a text by the server's tokenizer, or null when it has none (then callers estimate). */
  async tokenize(text: string, model: string): Promise<number | null> {
    if (this.tokenizer === "none") return null;
    try {
      const response = await fetch(`${this.root}/tokenize`, {
        method: "POST",
        headers: this.headers(),
        // llama-server reads `content`, vLLM reads `model` and `prompt`.
        body: JSON.stringify({ content: text, prompt: text, model, add_special: false, add_special_tokens: false }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) {
        if (response.status === 404 || response.status === 405 || response.status === 501) this.tokenizer = "none";
        return null;
      }
      const body = (await response.json()) as { tokens?: unknown[]; count?: number };
      if (typeof body.count === "number") {
        this.tokenizer = "vllm";
        return body.count;
      }
      if (Array.isArray(body.tokens)) {
        this.tokenizer = "llama-server";
        return body.tokens.length;
      }
      this.tokenizer = "none";
      return null;
    } catch {
      return null;
    }
  }

  get hasTokenizer(): boolean {
    return this.tokenizer === "llama-server" || this.tokenizer === "vllm";
  }
}

const endpoints = new Map<string, OpenAIEndpoint>();

/** The process's endpoint object for a base URL: one gate and one detection per server. */
export function openEndpoint(baseUrl: string, options: EndpointOptions = {}): OpenAIEndpoint {
  let endpoint = endpoints.get(baseUrl);
  if (!endpoint) {
    endpoint = new OpenAIEndpoint(baseUrl, { ...defaultEndpointOptions, ...options });
    endpoints.set(baseUrl, endpoint);
  }
  return endpoint;
}

/** Set once by the CLI (--endpoint-concurrency, --request-timeout); applies to endpoints opened afterwards. */
export const defaultEndpointOptions: EndpointOptions = {};

/** Forgets every endpoint (tests start servers on new ports; a restarted server is probed afresh). */
export function forgetEndpoints(): void {
  endpoints.clear();
}
