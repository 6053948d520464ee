// Reads a request body up to a limit. A body over the limit is read to its end and thrown away (up to a point),
// so the client gets its 413 answer instead of a connection reset in the middle of sending.
import type { IncomingMessage } from "node:http";

export const MAX_BODY = 1 << 20;
/** Past this much discarded body the connection is cut after all: nobody sends that to a JSON API by mistake. */
const MAX_DRAIN = 64 << 20;

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit >> 20} MiB`);
    this.name = "BodyTooLargeError";
  }
}

export function readBody(request: IncomingMessage, limit = MAX_BODY): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(request.headers["content-length"]);
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (size > MAX_DRAIN) request.destroy();
      } else chunks.push(chunk);
    });
    request.on("end", () => (tooLarge ? reject(new BodyTooLargeError(limit)) : resolveBody(Buffer.concat(chunks).toString("utf8"))));
    request.on("error", reject);
  });
}
