// Difficulty bins and the cross-fitted per-difficulty choice, on hand-made items.
import { test } from "node:test";
import assert from "node:assert/strict";
import { binOf, difficultyPanel } from "./difficulty.ts";

test("pass rates fall in the bins with their edges: 0, (0, ¼], (¼, ½], (½, ¾], (¾, 1), 1", () => {
  assert.deepEqual([0, 0.01, 0.25, 0.26, 0.5, 0.75, 0.76, 0.99, 1].map(binOf), [
    "0",
    "(0, ¼]",
    "(0, ¼]",
    "(¼, ½]",
    "(¼, ½]",
    "(½, ¾]",
    "(¾, 1)",
    "(¾, 1)",
    "1",
  ]);
});

test("accuracy per bin per column with counts, and the per-difficulty choice scored on the other half of the items", () => {
  // Eight items: four easy (rate 1), four hard (rate 0). "cheap" is right on the easy ones only; "refine" is right on
  // the hard ones and on two easy ones; "costly" is always right but over the smaller budget.
  const rates = [1, 1, 1, 1, 0, 0, 0, 0];
  const columns = [
    { column: "cheap", meanTokens: 100, correct: [true, true, true, true, false, false, false, false] },
    { column: "refine", meanTokens: 300, correct: [true, false, true, false, true, true, true, true] },
    { column: "costly", meanTokens: 900, correct: Array(8).fill(true) },
  ];
  const panel = difficultyPanel(rates, "test", columns, [300, 900]);
  assert.deepEqual(
    panel.bins.filter((b) => b.items).map((b) => [b.label, b.items, b.accuracy]),
    [
      ["0", 4, { cheap: 0, refine: 1, costly: 1 }],
      ["1", 4, { cheap: 1, refine: 0.5, costly: 1 }],
    ],
  );
  // At 300 tokens: easy → cheap, hard → refine, on either half: every scored item right.
  assert.deepEqual(panel.choice[0], { budget: 300, accuracy: 1, columns: { "1": "cheap", "0": "refine" } });
  // At 900 the cheaper of two equally good columns is chosen.
  assert.deepEqual(panel.choice[1]!.columns, { "1": "cheap", "0": "refine" });
});

test("cross-fitting does not flatter a choice that only fits the items it was chosen on", () => {
  // One bin; column "a" is right on the even items, "b" on the odd ones. Chosen on all items the pick looks perfect
  // on its own half, but each half's pick scores 0 on the other half.
  const rates = [0.5, 0.5, 0.5, 0.5];
  const panel = difficultyPanel(
    rates,
    "test",
    [
      { column: "a", meanTokens: 1, correct: [true, false, true, false] },
      { column: "b", meanTokens: 2, correct: [false, true, false, true] },
    ],
    [2],
  );
  assert.equal(panel.choice[0]!.accuracy, 0);
});
