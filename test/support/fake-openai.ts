// A small OpenAI-compatible server on 127.0.0.1 that replays recorded response shapes (vLLM, llama-server,
// Ollama, LM Studio) under a test's control: each chat request goes to the test's handler with its body and
// ordinal, which answers with SSE chunks, an error, or a dropped connection. A server can be scripted to die at a
// chosen chat request (its stream drops, its port refuses connections) and be restarted on the same port.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export interface RecordedRequest {
  path: string;
  method: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
}

export type ChatHandler = (request: RecordedRequest, call: number, response: ServerResponse) => void | Promise<void>;

export interface FakeServerOptions {
  /** GET/POST routes besides chat completions, e.g. {"/props": {...}} (JSON answered with 200). */
  routes?: Record<string, unknown>;
  chat: ChatHandler;
  /** Dies at this chat request (0-based), once `when` resolves: that stream drops and the port refuses until restart(). */
  dieAt?: { chat: number; when?: () => Promise<unknown> };
}

export interface FakeServer {
  baseUrl: string;
  port: number;
  requests: RecordedRequest[];
  chats: RecordedRequest[];
  /** Requests whose connection closed before the answer was complete (a cancel reached the server). */
  closedEarly: number;
  /** Resolves once the scripted death happened. */
  died: Promise<void>;
  close(): Promise<void>;
  /** Listens again on the same port (after a scripted death or close), with the same handlers and records. */
  restart(): Promise<void>;
}

export async function startFakeServer(options: FakeServerOptions, port = 0): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const chats: RecordedRequest[] = [];
  const state = { closedEarly: 0 };
  let markDied!: () => void;
  const died = new Promise<void>((resolve) => (markDied = resolve));
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", async () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const recorded: RecordedRequest = {
        path: new URL(request.url ?? "/", "http://x").pathname,
        method: request.method ?? "GET",
        headers: request.headers,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      };
      requests.push(recorded);
      response.on("close", () => {
        if (!response.writableFinished) state.closedEarly++;
      });
      if (recorded.path.endsWith("/chat/completions")) {
        chats.push(recorded);
        const call = chats.length - 1;
        if (options.dieAt?.chat === call) {
          await options.dieAt.when?.();
          response.socket?.destroy();
          await close();
          markDied();
          return;
        }
        await options.chat(recorded, call, response);
        return;
      }
      const route = options.routes?.[recorded.path];
      if (route === undefined)
        response.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `not found: ${recorded.path}` } }));
      else
        response
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify(typeof route === "function" ? (route as (r: RecordedRequest) => unknown)(recorded) : route));
    });
  };
  let server = createServer(handler);
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  const actualPort = (server.address() as { port: number }).port;
  return {
    baseUrl: `http://127.0.0.1:${actualPort}/v1`,
    port: actualPort,
    requests,
    chats,
    get closedEarly() {
      return state.closedEarly;
    },
    died,
    close,
    restart: async () => {
      server = createServer(handler);
      await new Promise<void>((resolve) => server.listen(actualPort, "127.0.0.1", () => resolve()));
    },
  };
}

/** Writes an SSE stream of these chunk bodies, then [DONE]. */
export function sse(response: ServerResponse, chunks: unknown[], options: { done?: boolean } = {}): void {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (const chunk of chunks) response.write(`data: ${JSON.stringify(chunk)}\n\n`);
  if (options.done !== false) response.write("data: [DONE]\n\n");
  response.end();
}

export function jsonError(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

/** Content pieces as chunks in a vendor's shape, ending with finish_reason and (optionally) a usage chunk. */
export function contentChunks(
  vendor: "vllm" | "llama-server" | "ollama" | "lmstudio",
  pieces: string[],
  usage: { prompt_tokens: number; completion_tokens: number } | null,
  extraDelta: Array<Record<string, unknown>> = [],
): unknown[] {
  const base = (delta: Record<string, unknown>, finish: string | null) => {
    switch (vendor) {
      case "vllm":
        return {
          id: "chatcmpl-7f3c",
          object: "chat.completion.chunk",
          created: 1733100000,
          model: "Qwen/Qwen2.5-7B-Instruct",
          choices: [{ index: 0, delta, logprobs: null, finish_reason: finish, ...(finish ? { stop_reason: null } : {}) }],
        };
      case "llama-server":
        return {
          choices: [{ finish_reason: finish, index: 0, delta }],
          created: 1733100000,
          id: "chatcmpl-Qe2W",
          model: "gpt-3.5-turbo",
          system_fingerprint: "b4384-7c0e2858",
          object: "chat.completion.chunk",
        };
      case "ollama":
        return {
          id: "chatcmpl-420",
          object: "chat.completion.chunk",
          created: 1733100000,
          model: "qwen2.5:7b",
          system_fingerprint: "fp_ollama",
          choices: [{ index: 0, delta, finish_reason: finish }],
        };
      case "lmstudio":
        return {
          id: "chatcmpl-lms1",
          object: "chat.completion.chunk",
          created: 1733100000,
          model: "qwen2.5-7b-instruct",
          system_fingerprint: "qwen2.5-7b-instruct",
          choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        };
    }
  };
  const chunks: unknown[] = [base({ role: "assistant", content: "" }, null)];
  for (const delta of extraDelta) chunks.push(base(delta, null));
  for (const piece of pieces) chunks.push(base({ content: piece }, null));
  const last = base({}, "stop") as Record<string, unknown>;
  if (usage && vendor === "llama-server") {
    // llama-server puts usage (and timings) on the finishing chunk.
    chunks.push({
      ...last,
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      timings: { prompt_n: usage.prompt_tokens, predicted_n: usage.completion_tokens },
    });
    return chunks;
  }
  chunks.push(last);
  if (usage)
    chunks.push({
      id: "chatcmpl-u",
      object: "chat.completion.chunk",
      created: 1733100000,
      model: "m",
      choices: [],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    });
  return chunks;
}
