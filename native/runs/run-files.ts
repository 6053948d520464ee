// A run's files while it runs: the manifest and the event log, kept consistent when the disk fills. The first
// write that fails stops the log (later events are not persisted, so the log never holds half of one); the run
// then ends with one run-failed saying "the disk is full at …", written into space held back for it, and the
// manifest says "failed" — never a run-finished followed by run-failed, never a manifest left "running".
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { RunEvent } from "../protocol/events.ts";
import { asDiskFull, DiskFullError, SpaceReserve } from "../util/disk-full.ts";
import { writeManifest, type RunManifest } from "./manifest.ts";
import { RunLogWriter } from "./run-log.ts";
import { currentWriter } from "./writer.ts";

/** Why a cancelled run ended, as its log and manifest say it. */
export const CANCELLED_BY_USER = "cancelled by the user";

/** The manifest's status for the event that ended the run. */
export function endStatus(event: Extract<RunEvent, { type: "run-finished" | "run-failed" }>): RunManifest["status"] {
  if (event.type === "run-finished") return "finished";
  return event.code === "cancelled" ? "cancelled" : "failed";
}

export class RunFiles {
  private diskFullError: DiskFullError | null = null;
  private ended = false;
  /** The end event is in the log (a retry after freeing space writes only the manifest). */
  private logged = false;

  private constructor(
    readonly dir: string,
    readonly logPath: string,
    readonly manifestPath: string,
    private manifest: RunManifest,
    private readonly log: RunLogWriter,
    private readonly reserve: SpaceReserve,
  ) {}

  /** Creates the folder, the reserve, the manifest ("running", with this process as its writer) and the log. */
  static open(dir: string, manifest: RunManifest): RunFiles {
    const created = !existsSync(dir);
    let reserve: SpaceReserve | null = null;
    try {
      mkdirSync(dir, { recursive: true });
      reserve = new SpaceReserve(dir);
      const running: RunManifest = { ...manifest, status: "running", writer: currentWriter() };
      writeManifest(join(dir, "manifest.json"), running);
      const log = new RunLogWriter(join(dir, "events.jsonl"));
      return new RunFiles(dir, join(dir, "events.jsonl"), join(dir, "manifest.json"), running, log, reserve);
    } catch (error) {
      reserve?.release();
      // A run that could not even start leaves nothing behind.
      if (created && existsSync(dir) && readdirSync(dir).every((name) => name === "manifest.json" || name === "events.jsonl"))
        rmSync(dir, { recursive: true, force: true });
      throw asDiskFull(error, dir);
    }
  }

  /** Set once a write failed for lack of space; the run must end failed. */
  get diskFull(): DiskFullError | null {
    return this.diskFullError;
  }

  /** Persists one event. The first failed write throws (the run stops); after it nothing more is written. */
  append(event: RunEvent): void {
    if (this.ended || this.diskFullError) return;
    try {
      this.log.append(event);
    } catch (error) {
      const full = asDiskFull(error, this.dir);
      if (full instanceof DiskFullError) this.diskFullError = full;
      throw full;
    }
  }

  /** Notes a full disk seen elsewhere (the generation cache), so the run ends failed for it. */
  noteDiskFull(error: DiskFullError): void {
    this.diskFullError ??= error;
  }

  /**
   * Writes the run's one end event and its final manifest. When the disk is full the reserve is released first
   * to make room. Returns the error if even that did not fit (the manifest then still says "running", which the
   * next listing resolves as interrupted).
   */
  end(event: Extract<RunEvent, { type: "run-finished" | "run-failed" }>, models?: RunManifest["models"]): DiskFullError | null {
    this.ended = true;
    if (this.diskFullError) this.reserve.release();
    const final: RunManifest = {
      ...this.manifest,
      ...(models ? { models } : {}),
      status: endStatus(event),
      endedAt: new Date().toISOString(),
      ...(event.type === "run-failed" ? { failure: event.reason } : {}),
    };
    delete final.writer;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        if (!this.logged) this.log.append(event);
        this.logged = true;
        writeManifest(this.manifestPath, final);
        this.manifest = final;
        return null;
      } catch (error) {
        const full = asDiskFull(error, this.dir);
        if (!(full instanceof DiskFullError)) throw full;
        this.diskFullError ??= full;
        // The space held back for exactly this.
        this.reserve.release();
      }
    }
    return this.diskFullError;
  }

  close(): void {
    this.log.close();
    this.reserve.release();
  }
}
