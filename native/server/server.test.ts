// The loopback server under attack, over real sockets on 127.0.0.1: malformed request lines and paths (a fuzz
// loop over raw sockets), the token's life from URL to cookie, Origin checks, oversized and invalid bodies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineHost, type EngineProcess } from "../engine/host.ts";
import type { FromEngine } from "../engine/messages.ts";
import { startWebServer, type WebServer } from "./server.ts";
import { fuzz, generator, METHODS, raw as rawTo, TARGET_PIECES, VERSIONS } from "../../test/support/raw-http.ts";

/** The engine child's stand-in: answers every request with its method name (the server is what is tested). */
function echoEngine(): EngineProcess {
  let onMessage: (m: FromEngine) => void = () => undefined;
  return {
    pid: 4242,
    send: (message) => {
      if (message.kind === "request") queueMicrotask(() => onMessage({ kind: "response", id: message.id, result: { ok: true, value: message.method } }));
    },
    onMessage: (listener) => (onMessage = listener),
    onExit: () => undefined,
    kill: () => undefined,
  };
}

async function withServer(body: (server: WebServer) => Promise<void>): Promise<void> {
  const host = new EngineHost({ spawn: echoEngine, runsDir: mkdtempSync(join(tmpdir(), "server-runs-")) });
  const staticDir = mkdtempSync(join(tmpdir(), "server-static-"));
  writeFileSync(join(staticDir, "index.html"), "<!doctype html><p>ui</p>");
  const server = await startWebServer({ host, staticDir });
  try {
    await body(server);
  } finally {
    host.dispose();
    await server.close();
  }
}

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function call(server: WebServer, path: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port: server.port, path, method: options.method ?? "GET", headers: { host: `127.0.0.1:${server.port}`, ...options.headers } },
      (res) => {
        let data = "";
        res.on("data", (c) => (data += c));
        res.on("end", () => resolve({ status: res.statusCode!, body: data, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

const PIECES = [...TARGET_PIECES, "/api/", "/api/listRuns", "/api/events", "?token="];

/** Raw bytes to this server. */
const raw = (server: WebServer, bytes: Buffer | string) => rawTo(server.port, bytes);

function fuzzRequest(rng: ReturnType<typeof generator>, port: number, token: string): Buffer {
  const target = Array.from({ length: 1 + Math.floor(rng.next() * 5) }, () => rng.pick(PIECES)).join("");
  const host = rng.next() < 0.85 ? `127.0.0.1:${port}` : rng.pick(["evil.example", "", "127.0.0.1", `localhost:${port}`, "[::1]"]);
  const headers = [`Host: ${host}`];
  if (rng.next() < 0.3) headers.push(`x-refinery-token: ${rng.next() < 0.5 ? token : "nope"}`);
  if (rng.next() < 0.2) headers.push(`Origin: ${rng.pick(["http://evil.example", `http://127.0.0.1:${port}`, "null", "%"])}`);
  if (rng.next() < 0.2) headers.push(`Cookie: refinery-token-${port}=${rng.next() < 0.5 ? token : "%%%"}`);
  let body = "";
  if (rng.next() < 0.3) {
    body = rng.pick(["{}", "{", "null", "[]", '{"runId":"../../x"}', "\u0000", "x".repeat(1000)]);
    headers.push(`Content-Length: ${Buffer.byteLength(body)}`);
  }
  if (rng.next() < 0.1)
    headers.push(rng.pick(["Transfer-Encoding: chunked", "Content-Length: -1", "Content-Length: abc", "X: \u0001", ": empty", "Bad Header"]));
  const line = [rng.pick(METHODS), target, rng.pick(VERSIONS)].filter(Boolean).join(rng.next() < 0.9 ? " " : "  ");
  return Buffer.from(`${line}\r\n${headers.join("\r\n")}\r\n\r\n${body}`, rng.next() < 0.5 ? "utf8" : "latin1");
}

test("malformed paths and request lines get a 400 and the server lives", async () => {
  await withServer(async (server) => {
    const badEscape = await raw(server, `GET /%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    assert.deepEqual(badEscape, { kind: "status", status: 400 });
    const bracket = await raw(server, `GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    assert.deepEqual(bracket, { kind: "status", status: 400 });
    const nul = await raw(server, `GET /%00 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    assert.deepEqual(nul, { kind: "status", status: 400 });
    // Percent-encoded traversal stays inside the folder.
    for (const path of ["/..%2f..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd", "/..\\..\\etc\\passwd"]) {
      const reply = await call(server, path);
      assert.ok([403, 404].includes(reply.status), `${path} → ${reply.status}`);
      assert.doesNotMatch(reply.body, /root:/);
    }
    const session = { cookie: `refinery-token-${server.port}=${server.token}` };
    assert.equal((await call(server, "/", { headers: session })).status, 200, "still serving");
  });
});

test("fuzzed raw request lines and paths: 4xx answers, no 5xx, no hangs, no crash", async () => {
  await withServer(async (server) => {
    // FUZZ_SEED and FUZZ_REQUESTS widen the attack by hand; the suite runs the fixed 2,000.
    const rng = generator(Number(process.env.FUZZ_SEED ?? 20261202));
    const total = Math.ceil(Number(process.env.FUZZ_REQUESTS ?? 2000) / 8) * 8;
    const { tally, failures } = await fuzz(server.port, total, () => fuzzRequest(rng, server.port, server.token));
    console.log(`fuzz: ${JSON.stringify(tally)}`);
    assert.equal(tally.tried, total);
    assert.deepEqual(failures, [], "5xx answers or hangs");
    assert.equal(tally.closed, 0, "every request got an answer");
    assert.ok(tally["4xx"] > total * 0.95, `garbage is refused with a 4xx: ${JSON.stringify(tally)}`);
    const alive = await call(server, "/api/listRuns", { method: "POST", headers: { "x-refinery-token": server.token }, body: "{}" });
    assert.deepEqual(JSON.parse(alive.body), { ok: true, value: "listRuns" }, "the server survived");
  });
});

test("the page without its token (or with a stale one) is one page that says where the link with the token was printed", async () => {
  await withServer(async (server) => {
    for (const [path, lead] of [
      ["/", /This link needs its access token\./],
      ["/index.html", /This link needs its access token\./],
      ["/?token=stale", /not the one this server uses/],
    ] as const) {
      const page = await call(server, path);
      assert.equal(page.status, 401, path);
      assert.match(String(page.headers["content-type"]), /^text\/html/);
      assert.match(page.body, lead);
      assert.match(page.body, /<code>npm start<\/code> or <code>refinery serve<\/code> printed/);
      assert.doesNotMatch(page.body, /<script/, "no app: nothing that would call the API and fail");
      assert.match(String(page.headers["content-security-policy"]), /style-src 'sha256-[A-Za-z0-9+/=]+'/);
    }
    const opened = await call(server, "/", { headers: { cookie: `refinery-token-${server.port}=${server.token}` } });
    assert.equal(opened.status, 200);
    assert.match(opened.body, /<p>ui<\/p>/);
  });
});

test("the URL's token opens the page and becomes an HttpOnly SameSite=Strict cookie; the API does not take it from a URL", async () => {
  await withServer(async (server) => {
    const page = await call(server, `/?token=${server.token}`);
    assert.equal(page.status, 303);
    assert.equal(page.headers.location, "/");
    const cookie = String(page.headers["set-cookie"]);
    assert.match(cookie, new RegExp(`^refinery-token-${server.port}=${server.token}; HttpOnly; SameSite=Strict; Path=/`));
    assert.equal((await call(server, "/?token=wrong")).status, 401);

    const viaUrl = await call(server, `/api/listRuns?token=${server.token}`, { method: "POST", body: "{}" });
    assert.equal(viaUrl.status, 401);
    assert.match(JSON.parse(viaUrl.body).error, /token in the URL only opens the page/);
    const events = await raw(server, `GET /api/events?token=${server.token} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    assert.deepEqual(events, { kind: "status", status: 401 });

    const session = cookie.split(";")[0]!;
    const withCookie = await call(server, "/api/listRuns", { method: "POST", headers: { cookie: `other=1; ${session}` }, body: "{}" });
    assert.equal(withCookie.status, 200);
    assert.deepEqual(JSON.parse(withCookie.body), { ok: true, value: "listRuns" });
    const own = await call(server, "/api/listRuns", { method: "POST", headers: { cookie: session, origin: `http://127.0.0.1:${server.port}` }, body: "{}" });
    assert.equal(own.status, 200);

    // A page on another site, or on another port of this machine, is refused even with the token.
    for (const origin of ["http://evil.example", "http://127.0.0.1:1", "null"]) {
      const foreign = await call(server, "/api/startRun", { method: "POST", headers: { "x-refinery-token": server.token, origin }, body: "{}" });
      assert.equal(foreign.status, 403, origin);
      assert.match(JSON.parse(foreign.body).error, /another site/);
    }
    const crossSite = await call(server, "/api/listRuns", { method: "POST", headers: { cookie: session, "sec-fetch-site": "same-site" }, body: "{}" });
    assert.equal(crossSite.status, 403);
  });
});

test("oversized bodies get 413, invalid requests 422 and bad JSON 400, all with the JSON error body", async () => {
  await withServer(async (server) => {
    const auth = { "x-refinery-token": server.token, "content-type": "application/json" };
    const big = await call(server, "/api/listRuns", { method: "POST", headers: auth, body: Buffer.alloc(3 << 20, 0x20) });
    assert.equal(big.status, 413);
    assert.match(JSON.parse(big.body).error, /larger than 1 MiB/);
    const invalid = await call(server, "/api/startRun", { method: "POST", headers: auth, body: JSON.stringify({ strategy: 7 }) });
    assert.equal(invalid.status, 422);
    const body = JSON.parse(invalid.body);
    assert.equal(body.ok, false);
    assert.equal(body.error, "Strategy: must be text");
    assert.equal(body.field, "strategy");
    const json = await call(server, "/api/listRuns", { method: "POST", headers: auth, body: "{" });
    assert.equal(json.status, 400);
    assert.match(JSON.parse(json.body).error, /^bad request body/);
    const unknown = await call(server, "/api/rm-rf", { method: "POST", headers: auth, body: "{}" });
    assert.equal(unknown.status, 404);
  });
});

test("a page that reconnects to the event stream with the last id it saw gets the events it missed", async () => {
  let toHost: (m: FromEngine) => void = () => undefined;
  const engine = (): EngineProcess => {
    const echo = echoEngine();
    return {
      ...echo,
      onMessage: (listener) => {
        toHost = listener;
        echo.onMessage(listener);
      },
    };
  };
  const host = new EngineHost({ spawn: engine, runsDir: mkdtempSync(join(tmpdir(), "server-runs-")) });
  const staticDir = mkdtempSync(join(tmpdir(), "server-static-"));
  writeFileSync(join(staticDir, "index.html"), "<!doctype html><p>ui</p>");
  const server = await startWebServer({ host, staticDir });
  /** The stream's first bytes, read for a moment, from a connection that says it saw `last`. */
  const stream = (last?: string) =>
    new Promise<string>((resolve, reject) => {
      const headers: Record<string, string> = {
        host: `127.0.0.1:${server.port}`,
        "x-refinery-token": server.token,
        ...(last ? { "last-event-id": last } : {}),
      };
      const req = httpRequest({ host: "127.0.0.1", port: server.port, path: "/api/events", headers }, (res) => {
        let data = "";
        res.on("data", (chunk) => (data += chunk));
        setTimeout(() => {
          req.destroy();
          resolve(data);
        }, 150);
      });
      req.on("error", reject);
      req.end();
    });
  try {
    await host.request("listRuns", {});
    for (const text of ["a", "b", "c"])
      toHost({ kind: "event", event: { type: "run-events", runId: "r1", events: [{ type: "token-delta", nodeId: "n1", text }] } });
    const texts = (data: string) => [...data.matchAll(/"text":"(\w)"/g)].map((m) => m[1]);
    const ids = (data: string) => [...data.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    // Id 0 (before anything) replays all this server kept: the engine's own status first, then a, b, c.
    const all = await stream("0");
    assert.deepEqual(texts(all), ["a", "b", "c"]);
    const idOfA = ids(all)[ids(all).length - 3]!;
    const missed = await stream(String(idOfA));
    assert.deepEqual(texts(missed), ["b", "c"]);
    assert.deepEqual(ids(missed), [idOfA + 1, idOfA + 2]);
    assert.deepEqual(texts(await stream()), [], "a first connection starts from now");
    assert.deepEqual(texts(await stream("99")), [], "an id from another server's life replays nothing");
    assert.deepEqual(texts(await stream("x")), []);
  } finally {
    host.dispose();
    await server.close();
  }
});
