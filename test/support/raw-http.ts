// Raw HTTP over net.Socket for attacking Refinery's servers: bytes no HTTP client would send, a seeded generator
// so a failing fuzz case replays, and a bounded fuzz loop that tallies how each request was answered.
import { connect } from "node:net";

export type RawOutcome = { kind: "status"; status: number } | { kind: "closed" } | { kind: "hang" };

/** Sends bytes on a fresh socket and reads the status line of the answer, if any, within the time given. */
export function raw(port: number, bytes: Buffer | string, waitMs = 5000): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    let done = false;
    const settle = (outcome: RawOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ kind: "hang" }), waitMs);
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      if (status) settle({ kind: "status", status: Number(status[1]) });
    });
    socket.on("error", () => settle({ kind: "closed" }));
    socket.on("close", () => settle({ kind: "closed" }));
    socket.write(bytes);
  });
}

/** A small seeded generator, so a failing fuzz case can be replayed. */
export function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick };
}

export type Rng = ReturnType<typeof generator>;

/** Pieces of request targets that parsers trip on: bad escapes, brackets, traversal, control and wide characters. */
export const TARGET_PIECES = [
  "/",
  "%",
  "%E0%A4%A",
  "%ZZ",
  "%00",
  "%2e%2e/",
  "..",
  "../",
  "\\",
  "?",
  "#",
  "[",
  "]",
  "@",
  ":",
  "http://",
  "http://[",
  "//",
  "&",
  "=",
  "\u00e9",
  "\ud83d\ude00",
  "\u0000",
  "\u00ff",
  "a".repeat(300),
  "index.html",
  ";",
  "'",
  '"',
  "<",
  ">",
  " ",
  "\t",
] as const;
export const METHODS = ["GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH", "CONNECT", "TRACE", "G\u00c9T", "", "get", "BREW"] as const;
export const VERSIONS = ["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/9.9", "", "HTTP/1.1 extra", "http/1.1"] as const;
/** Header lines that break framing or syntax. */
export const BAD_HEADERS = ["Transfer-Encoding: chunked", "Content-Length: -1", "Content-Length: abc", "X: \u0001", ": empty", "Bad Header"] as const;

/** A request line from random pieces, its headers and body, encoded as UTF-8 or Latin-1 at random. */
export function rawRequest(rng: Rng, pieces: readonly string[], headers: string[], body = ""): Buffer {
  const target = Array.from({ length: 1 + Math.floor(rng.next() * 5) }, () => rng.pick(pieces)).join("");
  const line = [rng.pick(METHODS), target, rng.pick(VERSIONS)].filter(Boolean).join(rng.next() < 0.9 ? " " : "  ");
  return Buffer.from(`${line}\r\n${headers.join("\r\n")}\r\n\r\n${body}`, rng.next() < 0.5 ? "utf8" : "latin1");
}

export interface FuzzTally {
  tried: number;
  "4xx": number;
  "2xx/3xx": number;
  "5xx": number;
  closed: number;
  hangs: number;
}

/**
 * Sends `total` generated requests, eight sockets at a time (the point is coverage of the parser and the
 * handler, not load), and tallies the answers; failures are the requests answered 5xx or not at all in time.
 */
export async function fuzz(port: number, total: number, make: () => Buffer): Promise<{ tally: FuzzTally; failures: string[] }> {
  const tally: FuzzTally = { tried: 0, "4xx": 0, "2xx/3xx": 0, "5xx": 0, closed: 0, hangs: 0 };
  const failures: string[] = [];
  for (let sent = 0; sent < total; sent += 8) {
    const requests = Array.from({ length: Math.min(8, total - sent) }, make);
    const outcomes = await Promise.all(requests.map((bytes) => raw(port, bytes)));
    outcomes.forEach((outcome, i) => {
      tally.tried++;
      if (outcome.kind === "hang") tally.hangs++;
      else if (outcome.kind === "closed") tally.closed++;
      else if (outcome.status >= 500) tally["5xx"]++;
      else if (outcome.status >= 400) tally["4xx"]++;
      else tally["2xx/3xx"]++;
      if (outcome.kind === "closed" && process.env.FUZZ_VERBOSE) console.log("closed:", JSON.stringify(requests[i]!.toString("latin1").slice(0, 120)));
      if (outcome.kind === "hang" || (outcome.kind === "status" && outcome.status >= 500))
        failures.push(JSON.stringify(requests[i]!.toString("latin1").slice(0, 200)));
    });
  }
  return { tally, failures };
}
