// The confidence strip's bins: token ranges that cover the generation, their means, and the lowest tenth marked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeConfidence } from "../../native/protocol/token-confidence.ts";
import { binLabel, confidenceBins } from "./confidence-strip.ts";

test("confidence strip: bins cover every token once, and the unsure stretch is the one marked low", () => {
  const values = [...Array(40).fill(12), 2, 2, 2, 2, ...Array(16).fill(12)];
  const strip = confidenceBins(encodeConfidence(values), 15)!;
  assert.equal(strip.tokens, 60);
  assert.equal(strip.bins.length, 15);
  assert.equal(strip.bins[0]!.from, 0);
  assert.equal(strip.bins.at(-1)!.to, 60);
  strip.bins.slice(1).forEach((bin, i) => assert.equal(bin.from, strip.bins[i]!.to, "contiguous"));
  // 15 bins: the lowest tenth is one bin, tokens 41–44.
  assert.deepEqual(strip.bins.filter((bin) => bin.low).map(binLabel), ["tokens 41–44"]);
  assert.equal(strip.bins.find((bin) => bin.low)!.mean, 2);
});

test("confidence strip: short or flat generations mark nothing low, and no confidence draws no strip", () => {
  assert.ok(
    confidenceBins(encodeConfidence([5, 1, 5]), 48)!.bins.every((bin) => !bin.low),
    "three tokens: too few to compare",
  );
  assert.ok(
    confidenceBins(encodeConfidence(Array(50).fill(7)), 10)!.bins.every((bin) => !bin.low),
    "flat: nothing stands out",
  );
  assert.equal(confidenceBins("", 48), null);
});
