// Refinery as an OpenAI-compatible server. /v1/models lists the plain models and every strategy (and preset) ×
// model pair, e.g. `self-refine@qwen7b+qwen7b`; /v1/chat/completions answers a plain model by generating
// directly and a strategy by running it — logged like any other run, its id and tree link in the
// X-Refinery-Run-Id header and the `refinery` field. Every request shares the loaded models through their lanes.
// Clients authenticate with `Authorization: Bearer <key>`, the OpenAI convention.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { resolve } from "node:path";
import { LlamaBackend } from "../llm/llama-backend.ts";
import { openRuntime, type GpuChoice, type LlamaRuntime, type LoadedModel, type ModelLoadOptions } from "../llm/runtime.ts";
import { specLabel } from "../llm/model-spec.ts";
import { executeRun, newRunId, RunInputError } from "../runs/runner.ts";
import { strategies } from "../strategies/registry.ts";
import { chunk, completion, errorBody, finishReason, parseChatRequest, usageChunk, usageOf, WireError, type ChatRequest } from "./openai-wire.ts";

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

interface ServedModel {
  id: string;
  /** A plain model (one file) or a strategy over the actor/critic pair. */
  plain?: { path: string };
  strategy?: { name: string; params: Record<string, unknown> };
}

const MAX_BODY = 4 << 20;

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolveBody, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    request.on("data", (piece: Buffer) => {
      size += piece.length;
      if (size > MAX_BODY) {
        reject(new WireError(413, "request body too large"));
        request.destroy();
      } else chunks.push(piece);
    });
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        resolveBody(text ? JSON.parse(text) : {});
      } catch (error) {
        reject(new WireError(400, `the body is not JSON: ${(error as Error).message}`));
      }
    });
    request.on("error", reject);
  });
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

/** Model ids: the files' names, and `<strategy or preset>@<actor>+<critic>` for each strategy. */
async function servedModels(options: OpenAIServerOptions): Promise<ServedModel[]> {
  const critic = options.critic ?? options.actor;
  let actorName = specLabel(options.actor);
  let criticName = specLabel(critic);
  if (actorName === criticName && resolve(options.actor) !== resolve(critic)) {
    actorName += "-actor";
    criticName += "-critic";
  }
  const pair = `${actorName}+${criticName}`;
  const models: ServedModel[] = [{ id: actorName, plain: { path: options.actor } }];
  if (criticName !== actorName) models.push({ id: criticName, plain: { path: critic } });
  for (const strategy of strategies) models.push({ id: `${strategy.name}@${pair}`, strategy: { name: strategy.name, params: {} } });
  if (options.presets?.length) {
    const { presetToRun, readPreset } = await import("../strategies/pipeline.ts");
    for (const path of options.presets) {
      const preset = await readPreset(path);
      const { strategy, params } = presetToRun(preset);
      models.push({ id: `${preset.name}@${pair}`, strategy: { name: strategy, params } });
    }
  }
  return models;
}

export async function startOpenAIServer(options: OpenAIServerOptions): Promise<OpenAIServer> {
  const apiKey = options.apiKey ?? `rfy-${randomBytes(24).toString("base64url")}`;
  const criticPath = options.critic ?? options.actor;
  const parallel = Math.max(1, options.parallel ?? 4);
  const models = await servedModels(options);
  const byId = new Map(models.map((m) => [m.id, m]));
  const runtime: LlamaRuntime = await openRuntime({ gpu: options.gpu, threads: options.threads });
  // Loaded once, with sequences for `parallel` requests; strategy runs find the same copies (same load options).
  const sameFile = resolve(options.actor) === resolve(criticPath);
  const sequences = sameFile ? parallel * 2 : parallel;
  const loaded = new Map<string, Promise<LoadedModel>>();
  const loadPath = (path: string) => {
    let model = loaded.get(path);
    if (!model) {
      model = runtime.loadModel(path, { ...options.load, sequences });
      loaded.set(path, model);
    }
    return model;
  };
  await loadPath(options.actor);
  await loadPath(criticPath);
  let requestCounter = 0;

  const runPlain = async (request: ChatRequest, model: ServedModel, response: ServerResponse, signal: AbortSignal) => {
    const backend = new LlamaBackend(runtime, await loadPath(model.plain!.path), `serve-${++requestCounter}`);
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
    if (request.stream) {
      startStream(response, headers);
      write(response, chunk(id, model.id, { role: "assistant", content: "" }, null, { refinery: meta }));
    }
    const result = await executeRun({
      strategy: strategy.name,
      params: { ...strategy.params, ...(request.refinery.params ?? {}) },
      actor: {
        path: options.actor,
        sampling: {
          ...(request.maxTokens ? { maxTokens: request.maxTokens } : {}),
          ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
        },
        ...(options.load ? { load: options.load } : {}),
      },
      critic: {
        path: criticPath,
        sampling: request.refinery.criticMaxTokens ? { maxTokens: request.refinery.criticMaxTokens } : {},
        ...(options.load ? { load: options.load } : {}),
      },
      task: { question },
      seed: request.seed ?? 0,
      outDir: options.runsDir,
      runId,
      gpu: options.gpu,
      threads: options.threads,
      parallel: request.refinery.parallel ?? true,
      laneScope: `serve-${++requestCounter}`,
      signal,
      // Progress as SSE comments: clients ignore them, curl shows them, proxies keep the stream open.
      onEvent: request.stream ? (event) => event.type === "node-completed" && response.write(`: node ${event.nodeId} ${event.status}\n\n`) : undefined,
    });
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
      } else send(response, 500, { ...errorBody(message, "run_failed", null, state.failure?.code ?? null), ...extra }, headers);
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

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "");
    try {
      if (!bearerMatches(request.headers.authorization, apiKey)) {
        send(
          response,
          401,
          errorBody(
            "missing or wrong API key: send Authorization: Bearer <key> (printed when the server started)",
            "authentication_error",
            null,
            "invalid_api_key",
          ),
        );
        return;
      }
      if (request.method === "GET" && path === "/v1/models") {
        send(response, 200, { object: "list", data: models.map((m) => ({ id: m.id, object: "model", created: 0, owned_by: "refinery" })) });
        return;
      }
      if (request.method === "GET" && path === "/props") {
        // llama-server's shape, so clients (and Refinery's own remote backend) read the slots and the build.
        send(response, 200, { total_slots: parallel, build_info: `node-llama-cpp ${runtime.report.nodeLlamaCppVersion}`, refinery_version: "0.1.0" });
        return;
      }
      if (request.method === "POST" && path === "/tokenize") {
        const body = (await readJson(request)) as { content?: unknown; prompt?: unknown; model?: unknown };
        const text = typeof body.content === "string" ? body.content : typeof body.prompt === "string" ? body.prompt : null;
        if (text === null) throw new WireError(400, "'content' must be a string");
        const named = typeof body.model === "string" ? byId.get(body.model)?.plain?.path : undefined;
        const model = await loadPath(named ?? options.actor);
        send(response, 200, { tokens: model.model.tokenize(text) });
        return;
      }
      if (request.method === "POST" && path === "/v1/chat/completions") {
        const chat = parseChatRequest(await readJson(request));
        const model = byId.get(chat.model);
        if (!model) throw new WireError(404, `no model '${chat.model}' here; GET /v1/models lists them`, "invalid_request_error", "model");
        const controller = new AbortController();
        // A client that hangs up cancels its generation or run.
        response.on("close", () => {
          if (!response.writableFinished) controller.abort();
        });
        if (model.plain) await runPlain(chat, model, response, controller.signal);
        else await runStrategy(chat, model, response, controller.signal);
        return;
      }
      send(response, 404, errorBody(`no route ${request.method} ${url.pathname}`, "invalid_request_error", null, "not_found"));
    } catch (error) {
      const status = error instanceof WireError ? error.status : error instanceof RunInputError ? 400 : 500;
      const message = (error as Error).message;
      if (response.headersSent) {
        write(response, errorBody(message, "server_error"));
        endStream(response);
      } else
        send(
          response,
          status,
          errorBody(
            message,
            error instanceof WireError ? error.type : status === 400 ? "invalid_request_error" : "server_error",
            error instanceof WireError ? error.param : null,
          ),
        );
    }
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
    models: models.map((m) => m.id),
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
