// Statistics checked against hand-computed cases and a coverage simulation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mulberry32 } from "../util/random.ts";
import {
  bootstrapInterval,
  mcnemarExact,
  normalQuantile,
  pairedBootstrapInterval,
  pairedComparison,
  paretoFrontier,
  transitions,
  wilsonInterval,
} from "./stats.ts";

test("exact McNemar p-values match hand computation", () => {
  // n = 12 discordant pairs, min = 2: 2·(C(12,0)+C(12,1)+C(12,2))/2^12 = 2·79/4096
  assert.ok(Math.abs(mcnemarExact(10, 2) - 158 / 4096) < 1e-12);
  assert.equal(mcnemarExact(5, 5), 1);
  assert.equal(mcnemarExact(0, 0), 1);
  // n = 6, min = 0: 2/64
  assert.ok(Math.abs(mcnemarExact(0, 6) - 2 / 64) < 1e-12);
  assert.ok(Math.abs(mcnemarExact(3, 1) - (2 * 5) / 16) < 1e-12);
});

test("paired comparison counts wins, ties and losses against the baseline", () => {
  const baseline = [true, true, false, false, true, false];
  const other = [true, false, true, true, true, false];
  const c = pairedComparison(baseline, other);
  assert.deepEqual([c.wins, c.ties, c.losses], [2, 3, 1]);
  assert.ok(Math.abs(c.difference - 1 / 6) < 1e-12);
  assert.equal(c.pValue, mcnemarExact(1, 2));
  assert.equal(c.oddsRatio, 2);
  assert.throws(() => pairedComparison([true], []), /same items/);
});

test("bootstrap 95% intervals cover a known mean in about 95% of repeated samples", () => {
  const random = mulberry32(42);
  let covered = 0;
  const trials = 200;
  for (let t = 0; t < trials; t++) {
    const sample = Array.from({ length: 100 }, () => (random() < 0.7 ? 1 : 0));
    const [lo, hi] = bootstrapInterval(sample, { resamples: 1000, seed: t });
    if (lo <= 0.7 && 0.7 <= hi) covered++;
  }
  assert.ok(covered / trials >= 0.9 && covered / trials <= 0.99, `coverage ${covered / trials}`);
  const [lo, hi] = bootstrapInterval([1, 1, 1, 1]);
  assert.deepEqual([lo, hi], [1, 1]);
});

test("transitions: fixes and harms of a refinement", () => {
  const t = transitions([true, true, false, false, true], [true, false, true, false, true]);
  assert.deepEqual([t.correctToCorrect, t.correctToWrong, t.wrongToCorrect, t.wrongToWrong], [2, 1, 1, 1]);
  assert.ok(Math.abs(t.harmRate - 1 / 3) < 1e-12);
  assert.equal(t.fixRate, 0.5);
});

test("the Pareto frontier keeps points nothing beats on tokens and accuracy", () => {
  const frontier = paretoFrontier([
    { id: "single", tokens: 100, accuracy: 0.4 },
    { id: "sc", tokens: 500, accuracy: 0.6 },
    { id: "refine", tokens: 600, accuracy: 0.55 },
    { id: "bon", tokens: 900, accuracy: 0.7 },
  ]);
  assert.deepEqual(
    frontier.map((p) => p.id),
    ["single", "sc", "bon"],
  );
});

test("Wilson intervals match the closed form's known values, also at 0% and 100%", () => {
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-6);
  assert.ok(Math.abs(normalQuantile(0.01) + 2.326348) < 1e-6);
  const [lo, hi] = wilsonInterval(8, 10);
  assert.ok(Math.abs(lo - 0.4902) < 1e-4 && Math.abs(hi - 0.9433) < 1e-4, `${lo} ${hi}`);
  const [zeroLo, zeroHi] = wilsonInterval(0, 10);
  assert.equal(zeroLo, 0);
  assert.ok(Math.abs(zeroHi - 0.2775) < 1e-4, `${zeroHi}`);
  assert.deepEqual(wilsonInterval(0, 0).map(Number.isNaN), [true, true]);
});

test("the paired difference interval brackets the difference and is a point when every pair ties", () => {
  const baseline = [true, false, true, false, true, false, true, false, true, false];
  const other = [true, true, true, true, true, false, true, false, true, true];
  const c = pairedComparison(baseline, other);
  assert.ok(c.differenceInterval[0] <= c.difference && c.difference <= c.differenceInterval[1]);
  assert.deepEqual(pairedComparison(baseline, baseline).differenceInterval, [0, 0]);
});

test("the exact paired bootstrap agrees with resampling the per-item differences", () => {
  const wins = 23;
  const losses = 11;
  const n = 120;
  const differences = [...Array(wins).fill(1), ...Array(losses).fill(-1), ...Array(n - wins - losses).fill(0)];
  const [lo, hi] = pairedBootstrapInterval(wins, losses, n);
  const [rlo, rhi] = bootstrapInterval(differences, { resamples: 20000, seed: 5 });
  assert.ok(Math.abs(lo - rlo) <= 1 / n + 1e-9 && Math.abs(hi - rhi) <= 1 / n + 1e-9, `exact [${lo}, ${hi}] vs resampled [${rlo}, ${rhi}]`);
  assert.deepEqual(pairedBootstrapInterval(0, 0, 10), [0, 0]);
  assert.deepEqual(pairedBootstrapInterval(10, 0, 10), [1, 1]);
});
