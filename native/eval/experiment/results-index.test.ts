// The growing reader gives what reading the whole checkpoint gives, whatever happened to the file between calls:
// lines appended, a line half written, a torn line cut away, the file replaced.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, renameSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CellResult } from "../../protocol/experiment-results.ts";
import { readResults } from "./checkpoint.ts";
import { readResultsGrowing } from "./results-index.ts";

const cell = (item: number, answer = "é"): CellResult => ({
  item,
  itemId: `i${item}`,
  column: "c",
  runId: `c--${item}`,
  status: "finished",
  correct: true,
  initialCorrect: true,
  answer,
  pathTokens: 1,
  totalTokens: 2,
  wallMs: 3,
});
const line = (c: CellResult) => `${JSON.stringify(c)}\n`;

test("the growing reader equals a whole read after appends, a half-written line, a cut torn line and a replaced file", () => {
  const dir = mkdtempSync(join(tmpdir(), "refinery-results-index-"));
  const file = join(dir, "results.jsonl");
  const same = (what: string) => assert.deepEqual(readResultsGrowing(dir).records, readResults(dir), what);
  assert.deepEqual(readResultsGrowing(dir), { version: "none", records: [] }, "no file yet");
  writeFileSync(file, line(cell(0)) + line(cell(1)));
  same("first read");
  appendFileSync(file, line(cell(2, "ünïcode ✓")));
  same("one line appended");
  const half = line(cell(3));
  appendFileSync(file, half.slice(0, 20));
  same("a line being written is not a record yet");
  appendFileSync(file, half.slice(20));
  same("its rest arrived");
  assert.equal(readResultsGrowing(dir).records.length, 4);
  // A whole record without its newline counts, and is not counted twice once the newline comes.
  appendFileSync(file, JSON.stringify(cell(4)));
  same("a record before its newline");
  appendFileSync(file, "\n");
  same("and after");
  // A crash tore a line; opening the checkpoint for the next append cuts it; the next line lands where it was.
  const before = readResultsGrowing(dir).records.length;
  appendFileSync(file, '{"item":5,"itemI');
  same("a torn line");
  truncateSync(file, Buffer.byteLength(readFileSync(file, "utf8")) - '{"item":5,"itemI'.length);
  appendFileSync(file, line(cell(5)));
  same("cut and appended after");
  assert.equal(readResultsGrowing(dir).records.length, before + 1);
  // Another file in its place (a new inode), shorter or not: read from the start.
  const replacement = join(dir, "other.jsonl");
  writeFileSync(replacement, line(cell(7)) + line(cell(8)) + line(cell(9)) + line(cell(10)) + line(cell(11)) + line(cell(12)) + line(cell(13)));
  renameSync(replacement, file);
  same("a replaced file");
  writeFileSync(file, line(cell(20)));
  same("a file rewritten shorter");
});
