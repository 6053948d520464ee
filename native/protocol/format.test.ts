import { test } from "node:test";
import assert from "node:assert/strict";
import { formatBytes, formatDuration } from "./format.ts";

test("sizes are printed in the unit that reads best, never 0.00 GiB for a small file", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(812), "812 B");
  assert.equal(formatBytes(1024), "1.0 KiB");
  assert.equal(formatBytes(20_480), "20.0 KiB");
  assert.equal(formatBytes(1_185_376), "1.1 MiB", "stories260K");
  assert.equal(formatBytes(2 ** 20 - 1), "1.0 MiB", "the unit follows the rounded value");
  assert.equal(formatBytes(2 ** 30 - 1000), "1.00 GiB");
  assert.equal(formatBytes(4.5 * 2 ** 30), "4.50 GiB");
  assert.equal(formatBytes(Number.NaN), "–");
  assert.equal(formatBytes(-1), "–");
});

test("durations are printed in the unit that reads best: ms under a second, s under a minute, then min and h", () => {
  assert.equal(formatDuration(850), "850 ms");
  assert.equal(formatDuration(1234), "1.23 s");
  assert.equal(formatDuration(12_400), "12.4 s");
  assert.equal(formatDuration(59_960), "1 min 00 s");
  assert.equal(formatDuration(458_522), "7 min 39 s");
  assert.equal(formatDuration(7_500_000), "2 h 05 min");
  assert.equal(formatDuration(Number.NaN), "–");
});
