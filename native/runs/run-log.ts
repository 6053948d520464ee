// One append-only JSONL file of events per run. Each persisted event is written as it happens and flushed to the
// disk when a node completes (behind the next token) or the run ends (waiting for the disk), so a crash loses at
// most the node in flight. Replay is a fold over the file.
import { readFile } from "node:fs/promises";
import { isPersistedEvent, type RunEvent } from "../protocol/events.ts";
import { foldRunEvents, type RunState } from "../protocol/state.ts";
import { type AppendSync, describeDamage, JsonlAppender, parseJsonl, type DamagedLine, type RecordCheck } from "../util/jsonl.ts";

/**
 * A completed node is flushed in the background (written at once, so a crash of the process loses nothing; the
 * run goes on to its next token while the disk catches up); the run's end waits for the disk.
 */
const SYNC_ON: Partial<Record<RunEvent["type"], AppendSync>> = { "node-completed": "background", "run-finished": true, "run-failed": true };

const isEvent: RecordCheck = (value) => (typeof (value as { type?: unknown }).type === "string" ? null : "not a run event (no type)");

export class RunLogWriter {
  private readonly file: JsonlAppender;
  private closed = false;

  /** Opening cuts a torn last line (a crash mid-write), so the next event starts on a line of its own. */
  constructor(readonly path: string) {
    this.file = new JsonlAppender(path, isEvent);
  }

  append(event: RunEvent): void {
    if (this.closed || !isPersistedEvent(event)) return;
    this.file.append(event, SYNC_ON[event.type] ?? false);
  }

  /** Flushes of completed nodes still running in the background. */
  get pendingFlushes(): number {
    return this.file.pendingFlushes;
  }

  close(): void {
    this.closed = true;
    this.file.close();
  }
}

export interface RunLog {
  events: RunEvent[];
  /** A last line cut short by a crash mid-write; everything before it is intact. */
  truncatedTail: boolean;
  /** Unreadable lines in the middle, skipped: the run shows what the rest of the log holds. */
  damaged: DamagedLine[];
}

export class RunLogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunLogError";
  }
}

export async function readRunLog(path: string): Promise<RunLog> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RunLogError(code === "ENOENT" ? `run log not found: ${path}` : `cannot read run log ${path}: ${(error as Error).message}`);
  }
  const { records: events, damaged, tornTail } = parseJsonl<RunEvent>(text, isEvent);
  if (events[0]?.type !== "run-started") {
    throw new RunLogError(`${path} does not start with a run-started event${damaged[0]?.line === 1 ? ` (${describeDamage(path, damaged.slice(0, 1))})` : ""}`);
  }
  return { events, truncatedTail: tornTail, damaged };
}

/** "skipped 2 damaged lines: …" for a log with damage, else null. */
export function describeRunLogDamage(path: string, log: RunLog): string | null {
  if (!log.damaged.length) return null;
  return `skipped ${log.damaged.length} damaged line${log.damaged.length === 1 ? "" : "s"} of the run log: ${describeDamage(path, log.damaged)}`;
}

export async function replayRunLog(path: string): Promise<{ state: RunState; log: RunLog }> {
  const log = await readRunLog(path);
  return { state: foldRunEvents(log.events), log };
}
