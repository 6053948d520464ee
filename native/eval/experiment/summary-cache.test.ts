import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CellResult } from "./checkpoint.ts";
import { summarizedResults } from "./summary-cache.ts";

const cell = (item: number, column: string, correct: boolean): CellResult => ({
  item,
  itemId: String(item),
  column,
  runId: `${column}--${item}`,
  status: "finished",
  correct,
  initialCorrect: correct,
  answer: "1",
  pathTokens: 5,
  totalTokens: 10,
  wallMs: 3,
});

test("the summary is worked out once per version of results.jsonl", () => {
  const dir = mkdtempSync(join(tmpdir(), "refinery-summary-cache-"));
  appendFileSync(join(dir, "results.jsonl"), `${JSON.stringify(cell(0, "a", true))}\n${JSON.stringify(cell(0, "b", false))}\n`);
  const first = summarizedResults(dir, ["a", "b"]);
  assert.equal(summarizedResults(dir, ["a", "b"]), first, "unchanged file: the same summary object");
  assert.notEqual(summarizedResults(dir, ["a", "b"], "b"), first, "another baseline is another summary");
  appendFileSync(join(dir, "results.jsonl"), `${JSON.stringify(cell(1, "a", false))}\n${JSON.stringify(cell(1, "b", true))}\n`);
  const second = summarizedResults(dir, ["a", "b"]);
  assert.notEqual(second, first);
  assert.equal(second.results.length, 4);
  assert.equal(second.summary.columns[0]!.items, 2);
});
