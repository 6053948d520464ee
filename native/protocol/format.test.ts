import { test } from "node:test";
import assert from "node:assert/strict";
import { formatBytes } from "./format.ts";

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
