// Web mode: the desktop UI served on loopback, the engine in a supervised child process speaking the same
// contract. Only 127.0.0.1, a random access token required on every API call, and the Host header checked so
// a web page elsewhere cannot reach it through DNS rebinding.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { isRequestName, type EngineEvent } from "../protocol/contract.ts";
import { EngineHost } from "../engine/host.ts";
import { contentSecurityPolicy } from "./security.ts";

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

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

const MAX_BODY = 1 << 20;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error("request body too large"));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on("end", () => resolveBody(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? randomBytes(24).toString("base64url");
  const staticDir = resolve(options.staticDir);
  const streams = new Set<ServerResponse>();
  const unsubscribe = options.host.subscribe((event: EngineEvent) => {
    const data = `data: ${JSON.stringify(event)}\n\n`;
    for (const stream of streams) stream.write(data);
  });
  let port = 0;

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const hostHeader = request.headers.host ?? "";
    if (hostHeader !== `127.0.0.1:${port}` && hostHeader !== `localhost:${port}`) {
      response.writeHead(403).end("forbidden host");
      return;
    }
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Referrer-Policy", "no-referrer");
    if (url.pathname.startsWith("/api/")) {
      const given = request.headers["x-refinery-token"] as string | undefined ?? url.searchParams.get("token");
      if (!sameToken(given, token)) {
        response.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ ok: false, error: "missing or wrong access token" }));
        return;
      }
      if (url.pathname === "/api/events" && request.method === "GET") {
        response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
        response.write(": connected\n\n");
        streams.add(response);
        request.on("close", () => streams.delete(response));
        return;
      }
      const method = url.pathname.slice("/api/".length);
      if (request.method !== "POST" || !isRequestName(method)) {
        response.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ ok: false, error: `unknown request '${method}'` }));
        return;
      }
      let input: unknown;
      try {
        const body = await readBody(request);
        input = body ? JSON.parse(body) : {};
      } catch (error) {
        response.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ ok: false, error: `bad request body: ${(error as Error).message}` }));
        return;
      }
      const result = await options.host.request(method, input);
      response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(result));
      return;
    }
    if (request.method !== "GET") {
      response.writeHead(405).end();
      return;
    }
    const relative = url.pathname === "/" ? "index.html" : normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, "");
    const file = join(staticDir, relative);
    if (!file.startsWith(staticDir)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "content-security-policy": contentSecurityPolicy("web"),
        "cache-control": "no-store",
      });
      response.end(body);
    } catch {
      response.writeHead(404).end(relative === "index.html" ? "the UI is not built: run `npm run build`" : "not found");
    }
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolveListen());
  });
  port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
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
