import { test } from "node:test";
import assert from "node:assert/strict";
import { closeTo, decimalsAsked, statedLastDigit, toleranceFor } from "./numeric-tolerance.ts";

test("a reference states the place of its last digit; an integer's trailing zeros may be rounding", () => {
  assert.equal(statedLastDigit("14.29"), 0.01);
  assert.equal(statedLastDigit("2.50"), 0.01);
  assert.equal(statedLastDigit("1.4903 \\times 10^{4}"), 1);
  assert.equal(statedLastDigit("1.4903e4"), 1);
  assert.equal(statedLastDigit("15000"), 1000);
  assert.equal(statedLastDigit("18"), 1);
  assert.equal(statedLastDigit("0"), 1);
  assert.equal(statedLastDigit("\\$1,234.50"), 0.01);
  assert.equal(statedLastDigit("62.5\\%"), 0.1);
  assert.equal(statedLastDigit("9.8 \\text{ m/s}^2"), undefined, "a unit with an exponent is not a plain unit word");
  assert.equal(statedLastDigit("x + 1"), undefined);
});

test("the decimals a question asks for", () => {
  assert.equal(decimalsAsked("Give the answer to 4 decimal places."), 4);
  assert.equal(decimalsAsked("Round your answer to two decimals."), 2);
  assert.equal(decimalsAsked("Round to the nearest hundredth."), 2);
  assert.equal(decimalsAsked("to the nearest whole number"), 0);
  assert.equal(decimalsAsked("How many apples are left?"), undefined);
});

test("numbers agree within 1e-4, never looser than the reference's last digit; the reference rounded as asked is right", () => {
  const precise = toleranceFor("1.4903 \\times 10^{4}");
  assert.ok(!closeTo(14904, 14903, precise), "within 1e-4 but another unit");
  assert.ok(closeTo(14903.4, 14903, precise));
  assert.ok(closeTo(14904, 14903), "the relative rule alone accepts it");
  assert.ok(closeTo(18.0001, 18, toleranceFor("18")));
  assert.ok(!closeTo(18.4, 18, toleranceFor("18")));
  assert.ok(closeTo(7.12, 7.12345, toleranceFor("7.12345", decimalsAsked("Round to two decimal places."))));
  assert.ok(!closeTo(7.12, 7.12345, toleranceFor("7.12345")));
  assert.ok(!closeTo(7.13, 7.12345, toleranceFor("7.12345", decimalsAsked("Round to two decimal places."))));
  assert.ok(
    !closeTo(18.4, 18, toleranceFor("18", decimalsAsked("to the nearest whole number"))),
    "rounded as asked means the reference rounded, not a wider band",
  );
});
