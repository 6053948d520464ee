// The built renderer's files. The page load is where the URL's ?token= is swapped for the session cookie (and
// dropped from the address bar by a redirect); paths are decoded defensively and confined to the folder.
import type { IncomingMessage, ServerResponse } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { contentSecurityPolicy } from "./security.ts";
import { hasSession, sameToken, sessionCookie, type AccessPolicy } from "./access.ts";
import { tokenPage, tokenPageSecurityPolicy } from "./token-page.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".ttf": "font/ttf",
};

function sendTokenPage(request: IncomingMessage, response: ServerResponse, problem: "missing" | "wrong"): void {
  response.writeHead(401, { "content-type": "text/html; charset=utf-8", "content-security-policy": tokenPageSecurityPolicy(), "cache-control": "no-store" });
  response.end(request.method === "HEAD" ? undefined : tokenPage(problem));
}

function plain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(text);
}

/** The file a path names inside the folder, or why it names none. */
function resolvePath(pathname: string, staticDir: string): { file: string } | { status: number; text: string } {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { status: 400, text: "bad request: the path has a malformed %-escape" };
  }
  if (decoded.includes("\0")) return { status: 400, text: "bad request: the path contains a NUL character" };
  const relative = decoded === "/" ? "index.html" : normalize(decoded).replace(/^([/\\])+/, "");
  const file = join(staticDir, relative);
  if (file !== staticDir && !file.startsWith(staticDir + sep)) return { status: 403, text: "forbidden" };
  return { file };
}

export async function serveStatic(request: IncomingMessage, response: ServerResponse, url: URL, staticDirGiven: string, policy: AccessPolicy): Promise<void> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.writeHead(405).end();
    return;
  }
  const given = url.searchParams.get("token");
  if (given !== null) {
    if (!sameToken(given, policy.token)) {
      sendTokenPage(request, response, "wrong");
      return;
    }
    url.searchParams.delete("token");
    response.writeHead(303, { location: `${url.pathname}${url.search}`, "set-cookie": sessionCookie(policy), "cache-control": "no-store" }).end();
    return;
  }
  const staticDir = resolve(staticDirGiven);
  const target = resolvePath(url.pathname, staticDir);
  if ("status" in target) {
    plain(response, target.status, target.text);
    return;
  }
  // The app itself only for a session: without one every request it makes would be refused.
  if (target.file === join(staticDir, "index.html") && !hasSession(request, policy)) {
    sendTokenPage(request, response, "missing");
    return;
  }
  let body: Buffer;
  try {
    body = await readFile(target.file);
  } catch {
    plain(response, 404, target.file === join(staticDir, "index.html") ? "the UI is not built: run `npm run build`" : "not found");
    return;
  }
  response.writeHead(200, {
    "content-type": TYPES[extname(target.file)] ?? "application/octet-stream",
    "content-security-policy": contentSecurityPolicy("web"),
    "cache-control": "no-store",
  });
  response.end(request.method === "HEAD" ? undefined : body);
}
