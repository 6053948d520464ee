// Downloads in web mode over real sockets on 127.0.0.1: a file the engine reported writing (an export) is served
// to a request with the session token, as an attachment or, for the HTML report, opened sandboxed; without the
// token, for a path that climbs with '..', or for any file the engine did not offer, the answer is a refusal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineHost, type EngineProcess } from "../engine/host.ts";
import type { FromEngine } from "../engine/messages.ts";
import { startWebServer, type WebServer } from "./server.ts";

const experiment = mkdtempSync(join(tmpdir(), "refinery-downloads-"));
mkdirSync(join(experiment, "exports"));
const report = join(experiment, "exports", "report.html");
const cells = join(experiment, "exports", "cells.csv");
const secret = join(experiment, "config.json");
writeFileSync(report, "<!doctype html><script>1</script><p>report</p>");
writeFileSync(cells, "item,column\nq1,single\n");
writeFileSync(secret, '{"secret": true}');

/** The engine's stand-in: exportExperiment answers with the two files it "wrote"; nothing else is offered. */
function exportingEngine(): EngineProcess {
  let onMessage: (m: FromEngine) => void = () => undefined;
  return {
    pid: 4243,
    send: (message) => {
      if (message.kind !== "request") return;
      const files = [
        { format: "html", path: report, bytes: 0, rows: 0 },
        { format: "csv", path: cells, bytes: 0, rows: 2 },
      ];
      const value = message.method === "exportExperiment" ? { files } : message.method;
      queueMicrotask(() => onMessage({ kind: "response", id: message.id, result: { ok: true, value } }));
    },
    onMessage: (listener) => (onMessage = listener),
    onExit: () => undefined,
    kill: () => undefined,
  };
}

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function call(server: WebServer, path: string, options: { method?: string; token?: boolean; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = { host: `127.0.0.1:${server.port}`, ...(options.token === false ? {} : { "x-refinery-token": server.token }) };
    const req = httpRequest({ host: "127.0.0.1", port: server.port, path, method: options.method ?? "GET", headers }, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve({ status: res.statusCode!, body: data, headers: res.headers }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

const link = (path: string, open = false) => `/api/download?path=${encodeURIComponent(path)}${open ? "&open=1" : ""}`;

test("an exported file downloads with the token only, and only once the engine has reported writing it", async () => {
  const host = new EngineHost({ spawn: exportingEngine, runsDir: mkdtempSync(join(tmpdir(), "server-runs-")) });
  const staticDir = mkdtempSync(join(tmpdir(), "server-static-"));
  writeFileSync(join(staticDir, "index.html"), "<!doctype html><p>ui</p>");
  const server = await startWebServer({ host, staticDir });
  try {
    const before = await call(server, link(cells));
    assert.equal(before.status, 403, "not offered until the export reports it");
    assert.match(JSON.parse(before.body).error, /not a file Refinery wrote for this page: cells\.csv/);

    const exported = await call(server, "/api/exportExperiment", { method: "POST", body: JSON.stringify({ path: experiment, formats: ["html", "csv"] }) });
    assert.equal(exported.status, 200);

    const csv = await call(server, link(cells));
    assert.equal(csv.status, 200);
    assert.equal(csv.body, "item,column\nq1,single\n");
    assert.equal(csv.headers["content-disposition"], "attachment; filename*=UTF-8''cells.csv");

    const opened = await call(server, link(report, true));
    assert.equal(opened.status, 200);
    assert.equal(opened.headers["content-disposition"], "inline; filename*=UTF-8''report.html");
    assert.match(String(opened.headers["content-security-policy"]), /^sandbox allow-scripts;/, "the report's scripts run with no origin");
    assert.equal(opened.headers["content-type"], "text/html; charset=utf-8");

    const anonymous = await call(server, link(cells), { token: false });
    assert.equal(anonymous.status, 401, "the session token guards downloads as every API path");

    const climbing = await call(server, link(`${join(experiment, "exports")}/../config.json`));
    assert.equal(climbing.status, 400);
    assert.match(JSON.parse(climbing.body).error, /may not climb out of its folder with '\.\.'/);
    const encoded = await call(server, `/api/download?path=${join(experiment, "exports")}/%2e%2e/config.json`);
    assert.equal(encoded.status, 400, "an encoded '..' is decoded before the check");
    assert.equal((await call(server, link(secret))).status, 403, "a file beside the exports that the engine never offered");
    assert.equal((await call(server, link("exports/cells.csv"))).status, 403, "a relative path names nothing");
    assert.equal((await call(server, "/api/download")).status, 400);
    assert.equal((await call(server, link(cells), { method: "POST" })).status, 405);
  } finally {
    host.dispose();
    await server.close();
  }
});
