// Who may call the API: a request from the page's own origin (or with no Origin, like curl) carrying the token in
// the x-refinery-token header or in the session cookie the page load set. The token in a URL opens the page only:
// URLs end up in history, logs and Referer headers, and an API that accepted them would let any link act.
import type { IncomingMessage } from "node:http";
import { timingSafeEqual } from "node:crypto";

export interface AccessPolicy {
  token: string;
  port: number;
}

export interface Refusal {
  status: number;
  error: string;
}

/** Cookies are not told apart by port, so each server names its own. */
export const cookieName = (policy: AccessPolicy) => `refinery-token-${policy.port}`;

export function sessionCookie(policy: AccessPolicy): string {
  return `${cookieName(policy)}=${policy.token}; HttpOnly; SameSite=Strict; Path=/`;
}

export function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** Whether the request carries this server's session cookie (set when the page was opened with the token). */
export function hasSession(request: IncomingMessage, policy: AccessPolicy): boolean {
  return sameToken(cookie(request, cookieName(policy)), policy.token);
}

function ownOrigins(policy: AccessPolicy): string[] {
  return [`http://127.0.0.1:${policy.port}`, `http://localhost:${policy.port}`];
}

/** Null when the API request may proceed, else why not. */
export function authorize(request: IncomingMessage, policy: AccessPolicy, url: URL): Refusal | null {
  const origin = request.headers.origin;
  if (origin !== undefined && !ownOrigins(policy).includes(origin)) {
    return { status: 403, error: `requests from another site are refused (Origin ${origin.slice(0, 100)})` };
  }
  const site = request.headers["sec-fetch-site"];
  if (site === "cross-site" || site === "same-site") return { status: 403, error: "requests from another site are refused" };
  const header = request.headers["x-refinery-token"];
  if (sameToken(typeof header === "string" ? header : undefined, policy.token)) return null;
  if (sameToken(cookie(request, cookieName(policy)), policy.token)) return null;
  if (url.searchParams.has("token")) {
    return { status: 401, error: "the access token in the URL only opens the page; API calls send it in the x-refinery-token header or the session cookie" };
  }
  return { status: 401, error: "missing or wrong access token: open the URL `refinery serve` printed, which carries it" };
}
