// Model downloads through node-llama-cpp's downloader (Hugging Face references like hf:org/repo/file.gguf, or
// plain URLs): progress with speed and ETA, cancel, resume after a restart (the partial file is kept and
// continued with range requests), and verification before a file counts as ready — a GGUF header and tensor data
// that add up, and the sha256 when one is given. A file that fails verification is moved aside, never listed.
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { rename, stat } from "node:fs/promises";
import { createModelDownloader } from "node-llama-cpp";
import { checkModelFile } from "./gguf-check.ts";
import { downloadOrigin, reachHost, UnreachableHostError } from "./reach-host.ts";

/** How long the server has to answer before the download gives up with a message (REFINERY_CONNECT_TIMEOUT_MS: tests). */
export const DEFAULT_CONNECT_TIMEOUT_MS = Number(process.env.REFINERY_CONNECT_TIMEOUT_MS) || 30_000;

export interface DownloadProgress {
  downloadedBytes: number;
  totalBytes: number;
  /** Bytes per second, averaged. */
  speed: number;
  /** Seconds left, estimated. */
  etaSeconds: number;
}

export interface DownloadRequest {
  /** hf:org/repo/file.gguf (or any node-llama-cpp model URI), or an http(s) URL. */
  uri: string;
  dir: string;
  fileName?: string;
  sha256?: string;
  signal?: AbortSignal;
  /** Until the server answers (default 30 s); the transfer itself is not limited. */
  connectTimeoutMs?: number;
  /** Called when the download starts to contact the server, before any progress. */
  onConnecting?: (host: string) => void;
  onProgress?: (progress: DownloadProgress) => void;
}

export class DownloadError extends Error {
  constructor(
    message: string,
    readonly kind: "network" | "verification" | "cancelled" | "unreachable",
  ) {
    super(message);
    this.name = "DownloadError";
  }
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Rejects when the signal aborts or the time runs out, whichever comes first; the caller races it with the work. */
function deadline(timeoutMs: number, signal: AbortSignal | undefined, onTimeout: () => Error): { promise: Promise<never>; clear(): void } {
  let clear: () => void = () => undefined;
  const promise = new Promise<never>((_, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), timeoutMs);
    const onAbort = () => reject(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    clear = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
  });
  promise.catch(() => undefined);
  return { promise, clear };
}

export async function downloadModel(request: DownloadRequest): Promise<{ path: string; sizeBytes: number; sha256: string }> {
  const isUrl = /^https?:\/\//i.test(request.uri);
  const cancelled = () => new DownloadError(`download of ${request.uri} cancelled; run it again to resume`, "cancelled");
  const origin = downloadOrigin(request.uri);
  const timeoutMs = request.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  request.onConnecting?.(origin.host);
  try {
    await reachHost(origin, timeoutMs, request.signal);
  } catch (error) {
    if (request.signal?.aborted) throw cancelled();
    if (error instanceof UnreachableHostError) throw new DownloadError(error.message, "unreachable");
    throw error;
  }
  // The downloader resolves the file (redirects, Hugging Face's manifest) before it reports progress; bound that too.
  const resolving = deadline(
    timeoutMs,
    request.signal,
    () =>
      new DownloadError(
        `${origin.host} answered but did not send ${request.uri} within ${Math.round(timeoutMs / 1000)} s — check the network or proxy`,
        "unreachable",
      ),
  );
  const downloaderPromise = createModelDownloader({
    ...(isUrl ? { modelUrl: request.uri } : { modelUri: request.uri }),
    dirPath: request.dir,
    fileName: request.fileName,
    showCliProgress: false,
    skipExisting: false,
    // Keep what was downloaded so the next attempt continues where this one stopped.
    deleteTempFileOnCancel: false,
    onProgress: (status) =>
      request.onProgress?.({
        downloadedBytes: status.downloadedSize,
        totalBytes: status.totalSize,
        speed: status.averageSpeed,
        etaSeconds: status.estimatedTimeLeft,
      }),
  }).catch((error: Error) => {
    throw new DownloadError(`cannot start the download of ${request.uri}: ${error.message}`, "network");
  });
  // Lost to the deadline, it may still reject later: that is no longer anyone's error.
  downloaderPromise.catch(() => undefined);
  let downloader: Awaited<typeof downloaderPromise>;
  try {
    downloader = await Promise.race([downloaderPromise, resolving.promise]);
  } catch (error) {
    if (request.signal?.aborted) throw cancelled();
    throw error;
  } finally {
    resolving.clear();
  }
  let path: string;
  try {
    path = await downloader.download({ signal: request.signal });
  } catch (error) {
    if (request.signal?.aborted) throw cancelled();
    throw new DownloadError(`download of ${request.uri} stopped: ${(error as Error).message}; run it again to resume`, "network");
  }
  // A cancelled download resolves without its file; the partial stays beside it (.ipull) for the next attempt.
  if (request.signal?.aborted || !existsSync(path)) {
    throw new DownloadError(
      `download of ${request.uri} ${request.signal?.aborted ? "cancelled" : "did not complete"}; run it again to resume`,
      request.signal?.aborted ? "cancelled" : "network",
    );
  }
  const reject = async (reason: string): Promise<never> => {
    if (existsSync(path)) await rename(path, `${path}.corrupt`);
    throw new DownloadError(`${request.uri}: ${reason}; the file was moved to ${path}.corrupt`, "verification");
  };
  try {
    await checkModelFile(path);
  } catch (error) {
    return reject((error as Error).message);
  }
  const digest = await sha256(path);
  if (request.sha256 && digest !== request.sha256.toLowerCase()) return reject(`sha256 ${digest} does not match the expected ${request.sha256}`);
  return { path, sizeBytes: (await stat(path)).size, sha256: digest };
}
