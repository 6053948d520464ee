// Agreement statistics against values worked out by hand (the arithmetic is in each test's comment).
import { test } from "node:test";
import assert from "node:assert/strict";
import { cohenKappa, krippendorffAlpha, meanAbsoluteError, spearman } from "./agreement.ts";
import { juryAgreement } from "./jury.ts";

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

test("Cohen's κ: observed 0.8, chance 0.6·0.4 + 0.4·0.6 = 0.48, κ = 0.32 / 0.52", () => {
  close(cohenKappa(["y", "y", "n", "n", "y"], ["y", "n", "n", "n", "y"]), 0.32 / 0.52);
  close(cohenKappa(["a", "b", "a"], ["a", "b", "a"]), 1);
  // Perfect disagreement on a balanced split: observed 0, chance ½.
  close(cohenKappa(["a", "b"], ["b", "a"]), -1);
  // Two judges that only ever say "tie" agree by chance alone: undefined, not 1.
  assert.ok(Number.isNaN(cohenKappa(["tie", "tie"], ["tie", "tie"])));
  assert.ok(
    Number.isNaN(
      krippendorffAlpha(
        [
          ["a", "a"],
          ["a", "a"],
        ],
        "nominal",
      ),
    ),
  );
  assert.throws(() => cohenKappa(["a"], ["a", "b"]), /same units/);
});

test("Krippendorff's α nominal with a missing rating: D_o = 4/11, D_e = 60/110, α = 1/3", () => {
  // Units (columns): [a,a,a], [a,b,–], [b,b,b], [a,b,b]; 11 pairable values, 5 a and 6 b.
  const table = [
    ["a", "a", "b", "a"],
    ["a", "b", "b", "b"],
    ["a", null, "b", "b"],
  ];
  close(krippendorffAlpha(table, "nominal"), 1 / 3);
});

test("Krippendorff's α interval: units (1,2), (3,3), (5,4): D_o = 4/6, D_e = 120/30, α = 5/6", () => {
  close(
    krippendorffAlpha(
      [
        [1, 3, 5],
        [2, 3, 4],
      ],
      "interval",
    ),
    5 / 6,
  );
  // The same ratings read as categories disagree more: only unit 2 agrees.
  assert.ok(
    krippendorffAlpha(
      [
        [1, 3, 5],
        [2, 3, 4],
      ],
      "nominal",
    ) <
      5 / 6,
  );
});

test("Spearman's ρ = 1 − 6·Σd² / (n(n² − 1)) = 1 − 12/60 without ties; ties share ranks; MAE", () => {
  close(spearman([1, 2, 3, 4], [1, 3, 2, 4]), 0.8);
  close(spearman([1, 1, 2], [5, 5, 9]), 1);
  close(meanAbsoluteError([1, 2, 3], [2, 2, 5]), 1);
});

test("a jury of two on categories is measured by κ, of three by nominal α, ratings by interval α", () => {
  const two = juryAgreement(
    [
      ["win", "win"],
      ["tie", "loss"],
      ["win", null],
    ],
    "categories",
  );
  assert.equal(two?.measure, "cohen-kappa");
  // Only the two units both judges read count.
  assert.equal(two?.units, 2);
  const three = juryAgreement(
    [
      ["a", "a", "a"],
      ["a", "b", null],
      ["b", "b", "b"],
      ["a", "b", "b"],
    ],
    "categories",
  );
  assert.equal(three?.measure, "krippendorff-alpha-nominal");
  close(three!.value, 1 / 3);
  const ratings = juryAgreement(
    [
      [1, 2],
      [3, 3],
      [5, 4],
    ],
    "ratings",
  );
  assert.equal(ratings?.measure, "krippendorff-alpha-interval");
  close(ratings!.value, 5 / 6);
  assert.equal(juryAgreement([["a"], ["b"]], "categories"), null);
});
