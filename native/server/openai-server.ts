// Refinery as an OpenAI-compatible server. /v1/models lists the plain models and every strategy (and preset) ×
// model pair, e.g. `self-refine@qwen7b+qwen7b`; /v1/chat/completions answers a plain model by generating
// directly and a strategy by running it — logged like any other run, its id and tree link in the
// X-Refinery-Run-Id header and the `refinery` field. Every request shares the loaded models through their lanes.
// Clients authenticate with `Authorization: Bearer <key>`, the OpenAI convention.
// Every request path is total: a target that is not a URL, a body too large or not JSON, a field out of range or a
// schema that will not compile is answered 4xx in OpenAI's error shape, never an exception that takes the server
// (and every stream in flight) down; slow clients lose their socket after the web server's timeouts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { ContextOverflowError } from "../llm/backend.ts";
import type { GpuChoice, ModelLoadOptions } from "../llm/runtime.ts";
import { REFINERY_VERSION } from "../protocol/version.ts";
import { buildRunConfig } from "../runs/run-config.ts";
import { executeRun, newRunId, RunInputError } from "../runs/runner.ts";
import { BodyTooLargeError, readBody } from "./body.ts";
import { checkClientSchema } from "./client-schema.ts";
import { llamaServedModels, servedModelIds, type ServedModel, type ServedModels } from "./openai-models.ts";
import {
  chunk,
  completion,
  errorBody,
  finishReason,
  parseChatRequest,
  REQUEST_LIMITS,
  usageChunk,
  usageOf,
  WireError,
  type ChatRequest,
} from "./openai-wire.ts";

export interface OpenAIServerOptions {
  actor: string;
  critic?: string;
  runsDir: string;
  port?: number;
  /** 127.0.0.1 unless the user exposes it on purpose. */
  host?: string;
  apiKey?: string;
  /** Preset files served as models next to the strategies. */
  presets?: string[];
  gpu?: GpuChoice;
  threads?: number;
  /** Parallel sequences per model: requests answered at once (default 4). */
  parallel?: number;
  load?: Omit<ModelLoadOptions, "sequences">;
  /** The UI's address, for tree links (`<uiUrl>#run=<id>`); without it the link is the UI's hash path. */
  uiUrl?: string;
}

export interface OpenAIServer {
  baseUrl: string;
  port: number;
  apiKey: string;
  models: string[];
  server: Server;
  close(): Promise<void>;
}

/** Bodies past this get 413: a conversation at the prompt limit (512 KiB of text) fits with room for escapes. */
export const OPENAI_MAX_BODY = 4 << 20;

async function readJson(request: IncomingMessage): Promise<unknown> {
  let text: string;
  try {
    text = await readBody(request, OPENAI_MAX_BODY);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new WireError(413, `${error.message}; send shorter messages`);
    throw error;
  }
  try {
    return text ? JSON.parse(text) : {};
  } catch (error) {
    throw new WireError(400, `the body is not JSON: ${(error as Error).message.slice(0, 120)}`);
  }
}

/** The request's target as a URL, or null when it is not one (`http://[`, a lone `%`…). */
function parseTarget(raw: string | undefined): URL | null {
  try {
    return new URL(raw ?? "/", "http://localhost");
  } catch {
    return null;
  }
}

function bearerMatches(header: string | undefined, key: string): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(header ?? "")?.[1]?.trim();
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers }).end(JSON.stringify(body));
}

/** Loads actor and critic through node-llama-cpp and serves them. */
export async function startOpenAIServer(options: OpenAIServerOptions): Promise<OpenAIServer> {
  const parallel = Math.max(1, options.parallel ?? 4);
  // Presets are read before anything loads: a broken one is reported at once.
  const ids = await servedModelIds(options);
  const models = await llamaServedModels({ ...options, parallel });
  return serveOpenAI({ ...options, parallel }, ids, models);
}

/** A chat request to a strategy model as the startRun request the run form would send for it. */
export function strategyRunRequest(
  request: ChatRequest,
  strategy: { name: string; params: Record<string, unknown> },
  question: string,
  options: Pick<OpenAIServerOptions, "actor" | "critic">,
) {
  return {
    strategy: strategy.name,
    params: { ...strategy.params, ...(request.refinery.params ?? {}) },
    actor: {
      path: options.actor,
      sampling: {
        ...(request.maxTokens ? { maxTokens: request.maxTokens } : {}),
        ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      },
    },
    critic: {
      path: options.critic ?? options.actor,
      sampling: request.refinery.criticMaxTokens ? { maxTokens: request.refinery.criticMaxTokens } : {},
    },
    task: { question },
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.refinery.parallel !== undefined ? { parallel: request.refinery.parallel } : {}),
  };
}

/** The HTTP layer over any served models (llama.cpp above, a scripted backend in tests). */
export async function serveOpenAI(options: OpenAIServerOptions, ids: ServedModel[], served: ServedModels): Promise<OpenAIServer> {
  const apiKey = options.apiKey ?? `rfy-${randomBytes(24).toString("base64url")}`;
  const criticPath = options.critic ?? options.actor;
  const parallel = Math.max(1, options.parallel ?? 4);
  const byId = new Map(ids.map((m) => [m.id, m]));
  let requestCounter = 0;

  /** A budget the model's context cannot hold is refused before it runs, not failed after its prompt was read. */
  const checkBudget = (tokens: number | undefined, path: string, param: string, name: string) => {
    const context = served.contextSize(path);
    if (tokens !== undefined && tokens >= context)
      throw new WireError(400, `'${param}' is ${tokens} but ${name}'s context holds ${context} tokens, prompt included`, "invalid_request_error", param);
  };

  const runPlain = async (request: ChatRequest, model: ServedModel, response: ServerResponse, signal: AbortSignal) => {
    const backend = await served.backend(model.plain!.path, `serve-${++requestCounter}`);
    const id = `chatcmpl-${randomBytes(8).toString("hex")}`;
    const generate = (onText?: (text: string) => void) =>
      backend.generate({
        messages: request.messages,
        maxTokens: request.maxTokens ?? 512,
        temperature: request.temperature ?? 0.7,
        ...(request.topP !== undefined ? { topP: request.topP } : {}),
        ...(request.topK !== undefined ? { topK: request.topK } : {}),
        seed: request.seed ?? 0,
        ...(request.jsonSchema ? { jsonSchema: request.jsonSchema } : {}),
        lane: "chat",
        signal,
        ...(onText ? { onText } : {}),
      });
    if (!request.stream) {
      const result = await generate();
      send(response, 200, completion(id, model.id, result.text, finishReason(result.stopReason), usageOf(result.tokensIn, result.tokensOut)));
      return;
    }
    startStream(response, {});
    write(response, chunk(id, model.id, { role: "assistant", content: "" }));
    const result = await generate((text) => write(response, chunk(id, model.id, { content: text })));
    write(response, chunk(id, model.id, {}, finishReason(result.stopReason)));
    if (request.includeUsage) write(response, usageChunk(id, model.id, usageOf(result.tokensIn, result.tokensOut)));
    endStream(response);
  };

  const runStrategy = async (request: ChatRequest, model: ServedModel, response: ServerResponse, signal: AbortSignal) => {
    const question = [...request.messages]
      .reverse()
      .find((m) => m.role === "user")
      ?.content.trim();
    if (!question) throw new WireError(400, "a strategy model needs a user message: it is the task", "invalid_request_error", "messages");
    const strategy = model.strategy!;
    const runId = newRunId(strategy.name);
    const link = `${options.uiUrl ?? ""}#run=${runId}`;
    const meta = { run_id: runId, tree_url: link, strategy: strategy.name };
    const headers = { "x-refinery-run-id": runId, "x-refinery-tree-url": link };
    const id = `chatcmpl-${runId}`;
    // Checked before the stream opens: a refused request is answered 400, not inside a stream.
    const config = buildRunConfig(
      strategyRunRequest(request, strategy, question, options),
      {
        outDir: options.runsDir,
        runId,
        gpu: options.gpu,
        threads: options.threads,
        ...(options.load ? { load: { actor: options.load, critic: options.load } } : {}),
        laneScope: `serve-${++requestCounter}`,
        signal,
        // Progress as SSE comments: clients ignore them, curl shows them, proxies keep the stream open.
        onEvent: request.stream ? (event) => event.type === "node-completed" && response.write(`: node ${event.nodeId} ${event.status}\n\n`) : undefined,
      },
      "ui",
    );
    if (request.stream) {
      startStream(response, headers);
      write(response, chunk(id, model.id, { role: "assistant", content: "" }, null, { refinery: meta }));
    }
    const result = await executeRun(config, served.runDeps());
    const { state } = result;
    const tokensIn = state.order.reduce((sum, nodeId) => sum + state.nodes[nodeId]!.tokensIn, 0);
    const tokensOut = state.order.reduce((sum, nodeId) => sum + state.nodes[nodeId]!.tokensOut, 0);
    const selected = state.selectedNodeId ? state.nodes[state.selectedNodeId] : undefined;
    const extra = {
      refinery: { ...meta, run_dir: result.dir, answer: state.answer, status: state.status, ...(state.failure ? { failure: state.failure.reason } : {}) },
    };
    if (state.status !== "finished" || !selected) {
      const message = `the ${strategy.name} run failed: ${state.failure?.reason ?? "no answer was selected"} (run ${runId})`;
      if (request.stream) {
        write(response, { error: { message, type: "run_failed", param: null, code: state.failure?.code ?? null }, ...extra });
        endStream(response);
      } else {
        // Input the run refused is the client's to fix; a retry would fail the same way.
        const status = state.failure?.code === "invalid-input" ? 400 : 500;
        send(response, status, { ...errorBody(message, "run_failed", null, state.failure?.code ?? null), ...extra }, headers);
      }
      return;
    }
    const usage = usageOf(tokensIn, tokensOut);
    if (!request.stream) {
      send(response, 200, completion(id, model.id, selected.text, "stop", usage, extra), headers);
      return;
    }
    write(response, chunk(id, model.id, { content: selected.text }));
    write(response, chunk(id, model.id, {}, "stop", extra));
    if (request.includeUsage) write(response, usageChunk(id, model.id, usage));
    endStream(response);
  };

  const route = async (request: IncomingMessage, response: ServerResponse) => {
    const url = parseTarget(request.url);
    if (!url) throw new WireError(400, "the request target is not a valid URL path", "invalid_request_error", null);
    const path = url.pathname.replace(/\/+$/, "");
    if (!bearerMatches(request.headers.authorization, apiKey))
      throw new WireError(
        401,
        "missing or wrong API key: send Authorization: Bearer <key> (printed when the server started)",
        "authentication_error",
        null,
        "invalid_api_key",
      );
    if (request.method === "GET" && path === "/v1/models") {
      send(response, 200, { object: "list", data: ids.map((m) => ({ id: m.id, object: "model", created: 0, owned_by: "refinery" })) });
      return;
    }
    if (request.method === "GET" && path === "/props") {
      // llama-server's shape, so clients (and Refinery's own remote backend) read the slots and the build.
      send(response, 200, { total_slots: parallel, build_info: served.buildInfo, refinery_version: REFINERY_VERSION });
      return;
    }
    if (request.method === "POST" && path === "/tokenize") {
      const raw = await readJson(request);
      const body = (raw && typeof raw === "object" ? raw : {}) as { content?: unknown; prompt?: unknown; model?: unknown };
      const text = typeof body.content === "string" ? body.content : typeof body.prompt === "string" ? body.prompt : null;
      if (text === null) throw new WireError(400, "'content' must be a string", "invalid_request_error", "content");
      if (text.length > REQUEST_LIMITS.promptChars)
        throw new WireError(
          400,
          `'content' holds more than ${REQUEST_LIMITS.promptChars} characters, more than any prompt served here`,
          "invalid_request_error",
          "content",
        );
      const named = typeof body.model === "string" ? byId.get(body.model)?.plain?.path : undefined;
      send(response, 200, { tokens: await served.tokenize(named ?? options.actor, text) });
      return;
    }
    if (request.method === "POST" && path === "/v1/chat/completions") {
      const chat = parseChatRequest(await readJson(request));
      const model = byId.get(chat.model);
      if (!model) throw new WireError(404, `no model '${chat.model.slice(0, 200)}' here; GET /v1/models lists them`, "invalid_request_error", "model");
      const maxTokensParam = "max_tokens";
      if (model.plain) checkBudget(chat.maxTokens, model.plain.path, maxTokensParam, model.id);
      else {
        checkBudget(chat.maxTokens, options.actor, maxTokensParam, "the actor");
        checkBudget(chat.refinery.criticMaxTokens, criticPath, "refinery.criticMaxTokens", "the critic");
      }
      if (chat.jsonSchema) await checkClientSchema(chat.jsonSchema);
      const controller = new AbortController();
      // A client that hangs up cancels its generation or run.
      response.on("close", () => {
        if (!response.writableFinished) controller.abort();
      });
      if (model.plain) await runPlain(chat, model, response, controller.signal);
      else await runStrategy(chat, model, response, controller.signal);
      return;
    }
    throw new WireError(404, `no route ${String(request.method).slice(0, 20)} ${url.pathname.slice(0, 200)}`, "invalid_request_error", null, "not_found");
  };

  const answerError = (response: ServerResponse, error: unknown) => {
    const clientFault = error instanceof WireError || error instanceof RunInputError || error instanceof ContextOverflowError;
    const status = error instanceof WireError ? error.status : clientFault ? 400 : 500;
    const message = (error as Error).message;
    const type = error instanceof WireError ? error.type : clientFault ? "invalid_request_error" : "server_error";
    const code = error instanceof WireError ? error.code : error instanceof ContextOverflowError ? "context_length_exceeded" : null;
    const body = errorBody(message, type, error instanceof WireError ? error.param : null, code);
    if (response.headersSent) {
      if (response.writableEnded) return;
      write(response, body);
      endStream(response);
    } else send(response, status, body, status === 413 ? { connection: "close" } : {});
  };

  // A client that never finishes its headers (10 s) or body (60 s) gets a 408 and loses its socket, as on the web
  // server; the check runs every 2 s instead of Node's 30. Streams in flight are not bounded: they are answers.
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 60_000, connectionsCheckingInterval: 2_000 }, (request, response) => {
    route(request, response).catch((error: unknown) => {
      try {
        answerError(response, error);
      } catch {
        response.destroy();
      }
    });
  });
  // CONNECT would otherwise close the socket without a word.
  server.on("connect", (_request, socket) => {
    socket.on("error", () => undefined);
    socket.end("HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolveListen());
  });
  const port = (server.address() as { port: number }).port;
  const shownHost = !options.host || options.host === "0.0.0.0" || options.host === "::" ? "127.0.0.1" : options.host;
  return {
    baseUrl: `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${port}/v1`,
    port,
    apiKey,
    models: ids.map((m) => m.id),
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    },
  };
}

function startStream(response: ServerResponse, headers: Record<string, string>): void {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive", ...headers });
}

function write(response: ServerResponse, body: unknown): void {
  response.write(`data: ${JSON.stringify(body)}\n\n`);
}

function endStream(response: ServerResponse): void {
  response.end("data: [DONE]\n\n");
}
