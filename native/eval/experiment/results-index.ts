// results.jsonl read once, then only where it grew. The checkpoint is append-only — a crash can cut only its last
// line, and that torn line is cut before the next append — so a reader that remembers how many bytes of whole lines
// it has parsed reads only the bytes after them when the file changes. A file that shrank below them, or that is
// another file now (its inode changed), is read again from the start. The compare view polls a running experiment;
// re-parsing a results file of 10+ MB on every new cell was most of the cost of its answer.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseJsonl } from "../../util/jsonl.ts";
import type { CellResult } from "../../protocol/experiment-results.ts";
import { isCellResult } from "./checkpoint.ts";

interface Indexed {
  ino: number;
  /** Bytes of whole lines (up to and including the last newline) parsed so far. */
  parsedBytes: number;
  records: CellResult[];
}

const MAX_FILES = 16;
const indexes = new Map<string, Indexed>();

export interface GrownResults {
  /** Names this content of the file (size and mtime): changes whenever a cell is appended. */
  version: string;
  /** The checkpoint's cells in file order, as readResults gives them. */
  records: CellResult[];
}

const NEWLINE = 0x0a;

/** readResults for an experiment folder that parses only the lines appended since its last call. */
export function readResultsGrowing(dir: string): GrownResults {
  const path = resolve(join(dir, "results.jsonl"));
  let stat: { size: number; mtimeMs: number; ino: number };
  try {
    stat = statSync(path);
  } catch {
    indexes.delete(path);
    return { version: "none", records: [] };
  }
  let index = indexes.get(path);
  if (!index || index.ino !== stat.ino || stat.size < index.parsedBytes) index = { ino: stat.ino, parsedBytes: 0, records: [] };
  indexes.delete(path);
  indexes.set(path, index);
  if (indexes.size > MAX_FILES) indexes.delete(indexes.keys().next().value!);
  let tail: CellResult[] = [];
  if (stat.size > index.parsedBytes) {
    const bytes = readRange(path, index.parsedBytes, stat.size);
    const lastNewline = bytes.lastIndexOf(NEWLINE);
    if (lastNewline >= 0) {
      index.records.push(...parseJsonl<CellResult>(bytes.subarray(0, lastNewline + 1).toString("utf8"), isCellResult).records);
      index.parsedBytes += lastNewline + 1;
    }
    // After the last newline: a line being written, or cut by a crash. A whole record there counts (as readResults
    // counts it) but is parsed again next time, when its newline has come.
    const rest = bytes.subarray(lastNewline + 1);
    if (rest.length) tail = parseJsonl<CellResult>(rest.toString("utf8"), isCellResult).records;
  }
  return { version: `${stat.size}:${stat.mtimeMs}`, records: [...index.records, ...tail] };
}

function readRange(path: string, from: number, to: number): Buffer {
  const buffer = Buffer.alloc(to - from);
  const fd = openSync(path, "r");
  try {
    let done = 0;
    while (done < buffer.length) {
      const read = readSync(fd, buffer, done, buffer.length - done, from + done);
      if (read === 0) break;
      done += read;
    }
    return buffer.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}
