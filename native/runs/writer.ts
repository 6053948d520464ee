// Who is writing a run: recorded in its manifest so that a run left "running" can be told apart — its writer
// process gone (a SIGKILL, a power cut: the run was interrupted) or still alive, here or on another machine
// sharing the folder (it is left alone).
import { readFileSync } from "node:fs";
import { hostname } from "node:os";

export interface RunWriter {
  pid: number;
  host: string;
  /** The process's start time (Linux clock ticks since boot), so a reused pid is not taken for the writer. */
  startTicks?: number;
}

function startTicksOf(pid: number | "self"): number | undefined {
  try {
    // Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces, so count after its ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

let self: RunWriter | null = null;

export function currentWriter(): RunWriter {
  self ??= { pid: process.pid, host: hostname(), ...(startTicksOf("self") !== undefined ? { startTicks: startTicksOf("self") } : {}) };
  return self;
}

/** True only when the writer is known to be gone: same machine, and no process with its pid and start time. */
export function writerIsGone(writer: RunWriter | undefined): boolean {
  if (!writer) return true;
  if (writer.host !== hostname()) return false;
  try {
    process.kill(writer.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  if (writer.startTicks === undefined) return false;
  const ticks = startTicksOf(writer.pid);
  return ticks !== undefined && ticks !== writer.startTicks;
}
