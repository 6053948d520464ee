// A run whose manifest still says "running" after its writer process is gone (a SIGKILL, a crash, a power cut)
// was interrupted. The next listing settles it on disk: the log gains a run-failed (so replay shows why it
// ended) and the manifest says "failed". A log that did end (the manifest write was what failed) decides instead.
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { RunEvent } from "../protocol/events.ts";
import { writeManifest, type RunManifest } from "./manifest.ts";
import { endStatus } from "./run-files.ts";
import { readRunLog, RunLogWriter } from "./run-log.ts";
import { currentWriter, writerIsGone, type RunWriter } from "./writer.ts";

export const INTERRUPTED = "interrupted: the process writing this run stopped before it finished";

function isThisProcess(writer: RunWriter | undefined): boolean {
  const self = currentWriter();
  return writer?.pid === self.pid && writer.host === hostname() && writer.startTicks === self.startTicks;
}

/**
 * The manifest as it should read now. `runningHere` is whether this process is running the run at this moment;
 * a run this process wrote but no longer runs is over, whatever its manifest says.
 */
export async function settleInterruptedRun(dir: string, manifest: RunManifest, runningHere: boolean): Promise<RunManifest> {
  if (manifest.status !== "running" || runningHere) return manifest;
  if (!isThisProcess(manifest.writer) && !writerIsGone(manifest.writer)) return manifest;
  const logPath = join(dir, "events.jsonl");
  const log = await readRunLog(logPath).catch(() => null);
  const last = log?.events.at(-1);
  let settled: RunManifest;
  if (last?.type === "run-finished" || last?.type === "run-failed") {
    settled = {
      ...manifest,
      status: endStatus(last),
      endedAt: new Date(last.at).toISOString(),
      ...(last.type === "run-failed" ? { failure: last.reason } : {}),
    };
  } else {
    settled = { ...manifest, status: "failed", endedAt: new Date().toISOString(), failure: INTERRUPTED };
    const event: RunEvent = { type: "run-failed", at: Date.now(), reason: INTERRUPTED, code: "engine-crashed" };
    try {
      if (existsSync(logPath)) {
        const writer = new RunLogWriter(logPath);
        writer.append(event);
        writer.close();
      }
    } catch {
      // a read-only or full disk: the listing still says interrupted, and the next one tries again
      return settled;
    }
  }
  delete settled.writer;
  try {
    writeManifest(join(dir, "manifest.json"), settled);
  } catch {
    // as above
  }
  return settled;
}
