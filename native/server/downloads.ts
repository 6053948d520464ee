// Files the engine wrote for the user, offered to the page in web mode: an experiment's exports and a critic
// evaluation's rows. The page runs in a browser that cannot read the server's disk, so each such file gets a link
// (`/api/download?path=…`, behind the session token as every /api/ path). Only files the engine reported writing
// are served, by their exact path: a path that climbs (`..`) or names any other file is refused, so the link
// cannot read the rest of the disk. The HTML report opens in a tab of its own, sandboxed: its scripts run with no
// origin, so they cannot call the API with the session cookie.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, isAbsolute, resolve } from "node:path";
import type { EngineEvent, ExportedFile, Result } from "../protocol/contract.ts";

export const DOWNLOAD_PATH = "/api/download";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".jsonl": "application/x-ndjson; charset=utf-8",
  ".json": "application/json; charset=utf-8",
};

/** The files this server may hand out: those the engine said it wrote, while this server runs. */
export class OfferedFiles {
  private readonly paths = new Set<string>();

  offer(path: string): void {
    if (isAbsolute(path)) this.paths.add(resolve(path));
  }

  has(path: string): boolean {
    return this.paths.has(path);
  }

  /** Notes the files in an engine answer: what exportExperiment wrote. */
  noteResponse(method: string, result: Result<unknown>): void {
    if (method !== "exportExperiment" || !result.ok) return;
    for (const file of (result.value as { files?: ExportedFile[] }).files ?? []) this.offer(file.path);
  }

  /** Notes the files in an engine event: a finished critic or judge evaluation's rows. */
  noteEvent(event: EngineEvent): void {
    if ((event.type === "critic-eval" || event.type === "judge-eval") && event.resultPath) this.offer(event.resultPath);
  }
}

function refuse(response: ServerResponse, status: number, error: string): void {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify({ ok: false, error }));
}

/** Serves one offered file: as an attachment, or with `open=1` shown in the browser (the HTML report, sandboxed). */
export async function serveDownload(request: IncomingMessage, response: ServerResponse, url: URL, offered: OfferedFiles): Promise<void> {
  if (request.method !== "GET" && request.method !== "HEAD") return refuse(response, 405, "downloads are fetched with GET");
  const asked = url.searchParams.get("path");
  if (!asked) return refuse(response, 400, "which file? give ?path=<a file the page was offered>");
  if (asked.includes("\0") || asked.split(/[\\/]/).includes("..")) return refuse(response, 400, "a download path may not climb out of its folder with '..'");
  const path = resolve(asked);
  if (!isAbsolute(asked) || !offered.has(path)) return refuse(response, 403, `not a file Refinery wrote for this page: ${basename(asked).slice(0, 100)}`);
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return refuse(response, 404, `the file is gone: ${path}`);
  const name = basename(path);
  const type = TYPES[name.slice(name.lastIndexOf("."))] ?? "application/octet-stream";
  const open = url.searchParams.get("open") === "1" && type.startsWith("text/html");
  response.writeHead(200, {
    "content-type": type,
    "content-length": String(info.size),
    "cache-control": "no-store",
    "content-disposition": `${open ? "inline" : "attachment"}; filename*=UTF-8''${encodeURIComponent(name)}`,
    ...(open
      ? { "content-security-policy": "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:" }
      : {}),
  });
  if (request.method === "HEAD") {
    response.end();
    return;
  }
  createReadStream(path).pipe(response);
}
