// Model downloads: started in the background, progress as events (at most five a second), cancellable.
import { downloadModel } from "../../llm/downloads.ts";
import { defaultRoots } from "../../llm/library.ts";
import type { EngineContext, Input } from "./context.ts";

const PROGRESS_INTERVAL_MS = 200;

export async function startDownload(ctx: EngineContext, { uri, sha256, fileName }: Input<"startDownload">): Promise<{ downloadId: string }> {
  const downloadId = `d${++ctx.downloadCounter}`;
  const signal = ctx.jobs.start("download", downloadId);
  const base = { type: "download" as const, downloadId, uri };
  let last = { downloadedBytes: 0, totalBytes: 0, speed: 0, etaSeconds: 0 };
  let lastSent = 0;
  void downloadModel({
    uri,
    sha256,
    fileName,
    dir: defaultRoots().refinery,
    signal,
    onConnecting: (host) => ctx.options.emit({ ...base, state: "connecting", host, ...last }),
    onProgress: (progress) => {
      last = progress;
      if (Date.now() - lastSent < PROGRESS_INTERVAL_MS) return;
      lastSent = Date.now();
      ctx.options.emit({ ...base, state: "running", ...progress });
    },
  })
    .then((result) => ctx.options.emit({ ...base, state: "done", ...last, downloadedBytes: result.sizeBytes, totalBytes: result.sizeBytes, path: result.path }))
    .catch((error: Error & { kind?: string }) =>
      ctx.options.emit({ ...base, state: error.kind === "cancelled" ? "cancelled" : "failed", ...last, error: error.message }),
    )
    .finally(() => ctx.jobs.finish(downloadId));
  return { downloadId };
}

export async function cancelDownload(ctx: EngineContext, { downloadId }: Input<"cancelDownload">): Promise<{ cancelled: boolean }> {
  return { cancelled: ctx.jobs.cancel("download", downloadId) };
}
