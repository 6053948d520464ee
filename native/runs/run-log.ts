// One append-only JSONL file of events per run. Each persisted event is written as it happens and the file
// is synced when a node completes or the run ends, so a crash loses at most the node in flight. Replay is a
// fold over the file.
import { closeSync, fdatasyncSync, openSync, writeSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { isPersistedEvent, type RunEvent } from "../protocol/events.ts";
import { foldRunEvents, type RunState } from "../protocol/state.ts";

const SYNC_ON = new Set<RunEvent["type"]>(["node-completed", "run-finished", "run-failed"]);

export class RunLogWriter {
  private fd: number | null;

  constructor(readonly path: string) {
    this.fd = openSync(path, "a");
  }

  append(event: RunEvent): void {
    if (this.fd === null || !isPersistedEvent(event)) return;
    writeSync(this.fd, `${JSON.stringify(event)}\n`);
    if (SYNC_ON.has(event.type)) fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}

export interface RunLog {
  events: RunEvent[];
  /** A last line cut short by a crash mid-write; everything before it is intact. */
  truncatedTail: boolean;
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
  const lines = text.split("\n");
  const events: RunEvent[] = [];
  let truncatedTail = false;
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    try {
      const event = JSON.parse(line) as RunEvent;
      if (typeof event !== "object" || event === null || typeof event.type !== "string") throw new Error("not an event");
      events.push(event);
    } catch (error) {
      const isLast = lines.slice(index + 1).every((rest) => rest.trim() === "");
      if (isLast && !text.endsWith("\n")) {
        truncatedTail = true;
        break;
      }
      throw new RunLogError(`${path}:${index + 1}: not a run event (${(error as Error).message})`);
    }
  }
  if (events[0]?.type !== "run-started") throw new RunLogError(`${path} does not start with a run-started event`);
  return { events, truncatedTail };
}

export async function replayRunLog(path: string): Promise<{ state: RunState; log: RunLog }> {
  const log = await readRunLog(path);
  return { state: foldRunEvents(log.events), log };
}
