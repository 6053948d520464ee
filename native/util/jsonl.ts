// The one reader and appender of Refinery's append-only JSONL files (run logs, experiment checkpoints, the
// generation cache). A crash can cut only the last line, so on open that torn line is cut away before anything
// is appended after it; any other unreadable line is skipped and reported by number, never fatal, so one bad
// byte does not make a whole run or experiment unreadable.
import { closeSync, existsSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
import { asDiskFull } from "./disk-full.ts";

export interface DamagedLine {
  /** 1-based line number in the file. */
  line: number;
  reason: string;
}

export interface JsonlContents<T> {
  records: T[];
  /** Lines that were not a record, other than a torn last line. */
  damaged: DamagedLine[];
  /** The last line was cut short (no newline, not a whole record): a crash mid-write. */
  tornTail: boolean;
}

/** Says why a parsed value is not a record of the file's kind, or null when it is one. */
export type RecordCheck = (value: unknown) => string | null;

export const anyObject: RecordCheck = (value) =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? null
    : `${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value} instead of an object`;

function parseLine(line: string, check: RecordCheck): { value: unknown } | { reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { reason: `not JSON (${(error as Error).message})` };
  }
  const problem = anyObject(value) ?? check(value);
  return problem ? { reason: problem } : { value };
}

export function parseJsonl<T>(text: string, check: RecordCheck = () => null): JsonlContents<T> {
  const lines = text.split("\n");
  // The text after the last newline is the one line a crash can have cut.
  const tail = lines.pop() ?? "";
  const records: T[] = [];
  const damaged: DamagedLine[] = [];
  for (const [index, line] of lines.entries()) {
    if (!line.trim()) continue;
    const parsed = parseLine(line, check);
    if ("value" in parsed) records.push(parsed.value as T);
    else damaged.push({ line: index + 1, reason: parsed.reason });
  }
  let tornTail = false;
  if (tail.trim()) {
    const parsed = parseLine(tail, check);
    if ("value" in parsed) records.push(parsed.value as T);
    else tornTail = true;
  }
  return { records, damaged, tornTail };
}

/** A missing file reads as empty. */
export function readJsonlFile<T>(path: string, check?: RecordCheck): JsonlContents<T> {
  if (!existsSync(path)) return { records: [], damaged: [], tornTail: false };
  return parseJsonl<T>(readFileSync(path, "utf8"), check);
}

/** "path:3 (not JSON …); path:9 (null instead of an object)" for messages. */
export function describeDamage(path: string, damaged: readonly DamagedLine[], limit = 5): string {
  const shown = damaged.slice(0, limit).map((d) => `${path}:${d.line} (${d.reason})`);
  return `${shown.join("; ")}${damaged.length > limit ? `; and ${damaged.length - limit} more` : ""}`;
}

/** Where the last line starts, scanning back from the end in blocks (checkpoints can be large). */
function lastLineStart(fd: number, size: number): number {
  const block = Buffer.alloc(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - block.length);
    const read = readSync(fd, block, 0, end - start, start);
    const newline = block.subarray(0, read).lastIndexOf(0x0a);
    if (newline >= 0) return start + newline + 1;
    end = start;
  }
  return 0;
}

/**
 * Makes the file end on a whole line: a last line that is a whole record only lacks its newline and gets it;
 * a torn one is cut away. Returns what was cut, for the caller to report.
 */
export function repairTail(path: string, check: RecordCheck = () => null): { cutBytes: number } {
  if (!existsSync(path)) return { cutBytes: 0 };
  const fd = openSync(path, "r+");
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return { cutBytes: 0 };
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] === 0x0a) return { cutBytes: 0 };
    const start = lastLineStart(fd, size);
    const tail = Buffer.alloc(size - start);
    readSync(fd, tail, 0, tail.length, start);
    const text = tail.toString("utf8");
    if (!text.trim() || "value" in parseLine(text, check)) {
      writeSync(fd, "\n", size);
      return { cutBytes: 0 };
    }
    ftruncateSync(fd, start);
    fdatasyncSync(fd);
    return { cutBytes: size - start };
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends one record per line. The file's tail is repaired first, so a record never lands on a cut line; a write
 * that fails part-way (a full disk) is cut back, so the file keeps ending on a whole record.
 */
/**
 * How an appended record reaches the disk. `true`: the disk has it when `append` returns (it survives a power cut).
 * `"background"`: the record is written (it survives the process) and the flush runs on a worker thread, so the
 * caller goes on at once: a flush costs milliseconds, and a node completing must not hold up the next token for
 * it. A background flush that fails is thrown by the next append. `false`: no flush.
 */
export type AppendSync = boolean | "background";

export class JsonlAppender {
  private fd: number | null;
  private size: number;
  readonly cutBytes: number;
  private flushing = 0;
  private flushError: unknown = null;
  /** Closed while flushes ran: the file is closed when the last one ends, so no flush meets a reused fd. */
  private closeAfterFlushes: number | null = null;

  constructor(
    readonly path: string,
    check?: RecordCheck,
  ) {
    try {
      this.cutBytes = repairTail(path, check).cutBytes;
      this.fd = openSync(path, "a");
    } catch (error) {
      throw asDiskFull(error, path);
    }
    this.size = fstatSync(this.fd).size;
  }

  append(record: unknown, sync: AppendSync = true): void {
    if (this.fd === null) throw new Error(`${this.path} is closed`);
    if (this.flushError) {
      const error = this.flushError;
      this.flushError = null;
      throw asDiskFull(error, this.path);
    }
    const bytes = Buffer.from(`${JSON.stringify(record)}\n`);
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
      if (sync === true) fdatasyncSync(this.fd);
      this.size += bytes.length;
    } catch (error) {
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // the file keeps a torn tail, which the next open cuts
      }
      throw asDiskFull(error, this.path);
    }
    if (sync === "background") this.flushInBackground(this.fd);
  }

  /** Background flushes not finished yet. */
  get pendingFlushes(): number {
    return this.flushing;
  }

  private flushInBackground(fd: number): void {
    this.flushing++;
    fdatasync(fd, (error) => {
      this.flushing--;
      if (error) this.flushError ??= error;
      if (this.flushing === 0 && this.closeAfterFlushes !== null) {
        closeSync(this.closeAfterFlushes);
        this.closeAfterFlushes = null;
      }
    });
  }

  sync(): void {
    if (this.fd !== null) fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.fd === null) return;
    if (this.flushing > 0) this.closeAfterFlushes = this.fd;
    else closeSync(this.fd);
    this.fd = null;
  }
}
