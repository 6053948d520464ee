// Web mode: the desktop UI served on loopback, the engine in a supervised child process speaking the same
// contract. Only 127.0.0.1; the Host header is checked so a web page elsewhere cannot reach it through DNS
// rebinding; the random access token is accepted in the URL only to load the page, which swaps it for an
// HttpOnly, SameSite=Strict cookie; API calls carry that cookie or the x-refinery-token header, and a request
// with a foreign Origin is refused. Files the engine wrote for the page (exports, critic-eval rows) download from
// /api/download (downloads.ts). Every request path is total: a request that cannot be parsed gets a 400,
// never an exception that takes the server (and the runs it relays) down.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { isRequestName, validateRequest, type EngineEvent } from "../protocol/contract.ts";
import type { EngineHost } from "../engine/host.ts";
import { BodyTooLargeError, readBody } from "./body.ts";
import { authorize, type AccessPolicy } from "./access.ts";
import { serveStatic } from "./static-files.ts";
import { DOWNLOAD_PATH, OfferedFiles, serveDownload } from "./downloads.ts";

export interface WebServerOptions {
  host: EngineHost;
  /** The built renderer (index.html and assets). */
  staticDir: string;
  port?: number;
  token?: string;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers }).end(JSON.stringify(body));
}

/** The request's path, or null when it is not a URL at all (`http://[`, a lone `%`…). */
function parseTarget(raw: string | undefined): URL | null {
  try {
    return new URL(raw ?? "/", "http://127.0.0.1");
  } catch {
    return null;
  }
}

/** The last engine events as server-sent events with increasing ids, for a reconnecting page to catch up. */
class RecentEvents {
  private static readonly KEEP = 4096;
  private events: { id: number; data: string }[] = [];
  private nextId = 1;

  add(event: EngineEvent): string {
    const id = this.nextId++;
    const data = `id: ${id}\ndata: ${JSON.stringify(event)}\n\n`;
    this.events.push({ id, data });
    if (this.events.length > 2 * RecentEvents.KEEP) this.events = this.events.slice(-RecentEvents.KEEP);
    return data;
  }

  /** What came after the id a reconnecting EventSource sends (nothing for a first connection or an unknown id). */
  after(lastEventId: string | string[] | undefined): string[] {
    const last = typeof lastEventId === "string" && /^\d{1,15}$/.test(lastEventId) ? Number(lastEventId) : null;
    if (last === null || last >= this.nextId) return [];
    return this.events.filter((e) => e.id > last).map((e) => e.data);
  }
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? randomBytes(24).toString("base64url");
  const streams = new Set<ServerResponse>();
  const recent = new RecentEvents();
  const offered = new OfferedFiles();
  const unsubscribe = options.host.subscribe((event: EngineEvent) => {
    offered.noteEvent(event);
    const data = recent.add(event);
    for (const stream of streams) stream.write(data);
  });
  const policy: AccessPolicy = { token, port: 0 };

  const handleApi = async (request: IncomingMessage, response: ServerResponse, url: URL) => {
    if (url.pathname === "/api/events" && request.method === "GET") {
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
      response.write(": connected\n\n");
      // A page whose stream dropped (a laptop asleep, a proxy's timeout) reconnects with the last id it saw and
      // gets what it missed, so a run that ended meanwhile does not stay "starting" on screen.
      for (const missed of recent.after(request.headers["last-event-id"])) response.write(missed);
      streams.add(response);
      request.on("close", () => streams.delete(response));
      return;
    }
    if (url.pathname === DOWNLOAD_PATH) {
      await serveDownload(request, response, url, offered);
      return;
    }
    const method = url.pathname.slice("/api/".length);
    if (request.method !== "POST" || !isRequestName(method)) {
      sendJson(response, 404, { ok: false, error: `unknown request '${method.slice(0, 80)}'` });
      return;
    }
    let input: unknown;
    try {
      const body = await readBody(request);
      input = body ? JSON.parse(body) : {};
    } catch (error) {
      if (error instanceof BodyTooLargeError) sendJson(response, 413, { ok: false, error: error.message }, { connection: "close" });
      else sendJson(response, 400, { ok: false, error: `bad request body: ${(error as Error).message}` });
      return;
    }
    const valid = validateRequest(method, input);
    if (!valid.ok) {
      sendJson(response, 422, valid);
      return;
    }
    const result = await options.host.request(method, input);
    offered.noteResponse(method, result);
    sendJson(response, 200, result);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = parseTarget(request.url);
    const hostHeader = request.headers.host ?? "";
    if (hostHeader !== `127.0.0.1:${policy.port}` && hostHeader !== `localhost:${policy.port}`) {
      response.writeHead(403).end("forbidden host");
      return;
    }
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Referrer-Policy", "no-referrer");
    if (!url) {
      response.writeHead(400, { "content-type": "text/plain; charset=utf-8" }).end("bad request: the path is not a valid URL");
      return;
    }
    if (url.pathname.startsWith("/api/")) {
      const refusal = authorize(request, policy, url);
      if (refusal) {
        sendJson(response, refusal.status, { ok: false, error: refusal.error });
        return;
      }
      await handleApi(request, response, url);
      return;
    }
    await serveStatic(request, response, url, options.staticDir, policy);
  };

  // A client that never finishes its headers (10 s) or body (60 s) gets a 408 and loses its socket; the check runs
  // every 2 s instead of Node's 30.
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 60_000, connectionsCheckingInterval: 2_000 }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      // A bug, not the client's fault; the server stays up either way.
      if (!response.headersSent) sendJson(response, 500, { ok: false, error: `internal error: ${(error as Error).message}` });
      else response.destroy();
    });
  });
  // CONNECT would otherwise close the socket without a word.
  server.on("connect", (_request, socket) => {
    socket.on("error", () => undefined);
    socket.end("HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolveListen());
  });
  policy.port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${policy.port}/?token=${token}`,
    port: policy.port,
    token,
    server,
    close: async () => {
      unsubscribe();
      for (const stream of streams) stream.end();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      server.closeAllConnections();
    },
  };
}
