// Before a download: is the server there at all? node-llama-cpp's downloader waits as long as the connection does,
// so with no network (or a proxy that swallows requests) it shows nothing for minutes. One small request, bounded
// in time and cancelled by the same signal as the download, turns that into a clear answer within seconds.

export class UnreachableHostError extends Error {
  constructor(
    message: string,
    readonly reason: "timeout" | "refused" | "not-found" | "other",
  ) {
    super(message);
    this.name = "UnreachableHostError";
  }
}

/** Where a model URI is fetched from: the URL itself, or the Hugging Face endpoint for hf: references. */
export function downloadOrigin(uri: string, env = process.env): URL {
  if (/^https?:\/\//i.test(uri)) return new URL(uri);
  // node-llama-cpp honours MODEL_ENDPOINT (llama.cpp's mirror variable) for Hugging Face references.
  const endpoint = env.MODEL_ENDPOINT && /^https?:\/\//i.test(env.MODEL_ENDPOINT) ? env.MODEL_ENDPOINT : "https://huggingface.co/";
  return new URL(endpoint);
}

const causeCode = (error: unknown): string | undefined => {
  const cause = (error as { cause?: { code?: string; errors?: Array<{ code?: string }> } }).cause;
  return cause?.code ?? cause?.errors?.[0]?.code;
};

/**
 * Resolves once the host answers anything (any status: a 404 still proves the network works); rejects with
 * UnreachableHostError after `timeoutMs`, or with the signal's reason when it is aborted.
 */
export async function reachHost(target: URL, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const seconds = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`;
  try {
    const response = await fetch(target, { method: "HEAD", redirect: "manual", signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    await response.body?.cancel();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    const host = target.host;
    if (timeout.aborted) throw new UnreachableHostError(`Could not reach ${host} within ${seconds} — check the network or proxy`, "timeout");
    const code = causeCode(error);
    if (code === "ECONNREFUSED")
      throw new UnreachableHostError(`Could not reach ${host}: the connection was refused — check the address, the network or proxy`, "refused");
    if (code === "ENOTFOUND" || code === "EAI_AGAIN")
      throw new UnreachableHostError(`Could not find ${host} (the name does not resolve) — check the network, DNS or proxy`, "not-found");
    throw new UnreachableHostError(`Could not reach ${host}: ${code ?? (error as Error).message} — check the network or proxy`, "other");
  }
}
