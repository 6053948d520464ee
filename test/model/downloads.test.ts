// Downloads against a local HTTP server serving generated GGUFs: range requests, an interrupted transfer,
// resume after a restart, and a corrupted file that must never be shown as ready.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTcpServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DownloadError, downloadModel, type DownloadProgress } from "../../native/llm/downloads.ts";
import { defaultRoots, scanLibrary } from "../../native/llm/library.ts";
import { repoRoot, testModel } from "../support/models.ts";

let server: Server;
let base: string;
const files = new Map<string, Buffer>();
const log: Array<{ path: string; start: number; end: number }> = [];
const behaviour = { cutFirstRangeAt: 0 };

before(async () => {
  const big = readFileSync(await testModel("bench100M"));
  const small = readFileSync(await testModel("tinyChat"));
  files.set("/big.gguf", big);
  files.set("/small.gguf", small);
  const corrupted = Buffer.from(small);
  for (let i = corrupted.length - 5000; i < corrupted.length - 4000; i++) corrupted[i] = corrupted[i]! ^ 0xff;
  files.set("/corrupted.gguf", corrupted);
  server = createServer((req, res) => {
    const body = files.get(req.url ?? "");
    if (!body) return res.writeHead(404).end();
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Number(range[2]) : body.length - 1;
    res.writeHead(range ? 206 : 200, {
      "content-length": end - start + 1,
      "accept-ranges": "bytes",
      "content-type": "application/octet-stream",
      ...(range ? { "content-range": `bytes ${start}-${end}/${body.length}` } : {}),
    });
    if (req.method === "HEAD") return res.end();
    if (range) log.push({ path: req.url!, start, end });
    if (range && behaviour.cutFirstRangeAt > 0) {
      // The connection drops in the middle of the transfer.
      res.write(body.subarray(start, start + behaviour.cutFirstRangeAt));
      behaviour.cutFirstRangeAt = 0;
      setTimeout(() => res.destroy(), 20);
      return;
    }
    let at = start;
    const pump = () => {
      if (res.destroyed) return;
      if (at > end) return res.end();
      const next = Math.min(end + 1, at + 4_000_000);
      res.write(body.subarray(at, next));
      at = next;
      setTimeout(pump, 10);
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(() => server.close());

/** How many of the file's bytes the ranges cover together (overlaps counted once). */
function coveredBytes(ranges: Array<{ start: number; end: number }>): number {
  let covered = 0;
  let reached = -1;
  for (const { start, end } of [...ranges].sort((a, b) => a.start - b.start)) {
    if (end > reached) covered += end - Math.max(start, reached + 1) + 1;
    reached = Math.max(reached, end);
  }
  return covered;
}

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

test("a download reports progress, survives a dropped connection and is verified", async () => {
  const dir = mkdtempSync(join(tmpdir(), "refinery-dl-"));
  behaviour.cutFirstRangeAt = 1_000_000;
  const progress: DownloadProgress[] = [];
  const result = await downloadModel({ uri: `${base}/small.gguf`, dir, sha256: sha(files.get("/small.gguf")!), onProgress: (p) => progress.push(p) });
  assert.equal(result.sha256, sha(files.get("/small.gguf")!));
  assert.ok(progress.length > 0 && progress.at(-1)!.downloadedBytes === files.get("/small.gguf")!.length);
  assert.ok(log.filter((r) => r.path === "/small.gguf").length >= 2, "the dropped range was requested again");
});

test("a cancelled download resumes after a restart with range requests, and is never listed half-done", async () => {
  const dir = mkdtempSync(join(tmpdir(), "refinery-dl-"));
  const body = files.get("/big.gguf")!;
  const controller = new AbortController();
  await assert.rejects(
    downloadModel({ uri: `${base}/big.gguf`, dir, signal: controller.signal, onProgress: (p) => p.downloadedBytes > body.length / 3 && controller.abort() }),
    /cancelled; run it again to resume/,
  );
  assert.ok(!readdirSync(dir).includes("big.gguf"), "no file under the final name");
  const roots = { ...defaultRoots(dir, {}), folders: [dir] };
  assert.deepEqual(await scanLibrary(roots), [], "the partial file is not in the library");
  log.length = 0;
  const result = await downloadModel({ uri: `${base}/big.gguf`, dir, sha256: sha(body) });
  assert.equal(result.sizeBytes, body.length);
  // Bytes asked for again, each once: the downloader's parallel streams split ranges between them and retry
  // stalled ones, so summing the ranges counts some bytes twice (under load it summed past the file's size).
  const asked = coveredBytes(log.filter((r) => r.path === "/big.gguf"));
  assert.ok(asked < body.length, `resumed: ${asked} of ${body.length} bytes asked for after the restart`);
  assert.equal((await scanLibrary(roots)).length, 1);
});

test("a corrupted file fails verification and is moved aside, not shown as ready", async () => {
  const dir = mkdtempSync(join(tmpdir(), "refinery-dl-"));
  await assert.rejects(
    downloadModel({ uri: `${base}/corrupted.gguf`, dir, sha256: sha(files.get("/small.gguf")!) }),
    /sha256 [0-9a-f]{64} does not match the expected [0-9a-f]{64}; the file was moved to .*corrupted\.gguf\.corrupt/,
  );
  assert.deepEqual(readdirSync(dir), ["corrupted.gguf.corrupt"]);
  assert.deepEqual(await scanLibrary({ ...defaultRoots(dir, {}), folders: [dir] }), []);
  await assert.rejects(downloadModel({ uri: `${base}/missing.gguf`, dir }), /missing\.gguf/);
});

/** A server that accepts connections and never says a word, like a network that swallows requests. */
async function silentServer() {
  const sockets = new Set<Socket>();
  let closed = 0;
  const silent = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    // Read (and drop) the request, so the client's end of the connection is seen.
    socket.resume();
    socket.on("close", () => closed++);
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
  const port = (silent.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/model.gguf`,
    connections: () => sockets.size,
    open: () => sockets.size - closed,
    close: () => {
      for (const socket of sockets) socket.destroy();
      silent.close();
    },
  };
}

/** A port nothing listens on: taken, then released. */
async function refusingUrl() {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", () => resolve()));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/model.gguf`;
}

test("a server that never answers: connecting is reported, then a timeout that says which host and what to check", async () => {
  const silent = await silentServer();
  try {
    const connecting: string[] = [];
    const progress: DownloadProgress[] = [];
    const dir = mkdtempSync(join(tmpdir(), "refinery-dl-"));
    const error = await downloadModel({
      uri: silent.url,
      dir,
      connectTimeoutMs: 300,
      onConnecting: (host) => connecting.push(host),
      onProgress: (p) => progress.push(p),
    }).catch((e: unknown) => e);
    assert.ok(error instanceof DownloadError);
    assert.equal(error.kind, "unreachable");
    assert.equal(error.message, `Could not reach ${new URL(silent.url).host} within 300 ms — check the network or proxy`);
    assert.deepEqual(connecting, [new URL(silent.url).host]);
    assert.equal(progress.length, 0);
    assert.ok(silent.connections() >= 1, "the connection was accepted: it is the answer that never came");
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    silent.close();
  }
});

test("a refused connection fails at once with the host named", async () => {
  const url = await refusingUrl();
  await assert.rejects(
    downloadModel({ uri: url, dir: mkdtempSync(join(tmpdir(), "refinery-dl-")), connectTimeoutMs: 60_000 }),
    (error: unknown) =>
      error instanceof DownloadError &&
      error.kind === "unreachable" &&
      error.message === `Could not reach ${new URL(url).host}: the connection was refused — check the address, the network or proxy`,
  );
});

test("cancelling while it connects stops at once and closes the connection", async () => {
  const silent = await silentServer();
  try {
    const controller = new AbortController();
    const download = downloadModel({
      uri: silent.url,
      dir: mkdtempSync(join(tmpdir(), "refinery-dl-")),
      signal: controller.signal,
      connectTimeoutMs: 600_000,
      onConnecting: () => undefined,
    });
    // Cancel once the server holds the connection, so the cancel has a request in flight to abort.
    while (silent.connections() === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    await assert.rejects(download, (error: unknown) => error instanceof DownloadError && error.kind === "cancelled");
    // The aborted fetch closes its socket: the server sees the connection end.
    while (silent.open() > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    silent.close();
  }
});

test("refinery download says it is connecting and gives up with the host and what to check", async () => {
  const silent = await silentServer();
  try {
    const child = spawn(
      process.execPath,
      [join(repoRoot, "bin/refinery.mjs"), "download", silent.url, "--dir", mkdtempSync(join(tmpdir(), "refinery-dl-")), "--timeout", "0.5"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    const host = new URL(silent.url).host;
    assert.equal(code, 1);
    assert.ok(stderr.includes(`connecting to ${host}… (Ctrl-C cancels)\n`), stderr);
    assert.ok(stderr.includes(`refinery: Could not reach ${host} within 500 ms — check the network or proxy\n`), stderr);
  } finally {
    silent.close();
  }
});
