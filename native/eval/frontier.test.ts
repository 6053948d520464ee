// The sampling frontier against hand-computed cases and brute-force enumeration of every k-subset.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mulberry32 } from "../util/random.ts";
import { bestOfKAtEveryK, columnFrontier, majorityAtEveryK, passAtK, readAtTokens, versusFrontier, type Sample } from "./frontier.ts";

const close = (actual: number, expected: number, message?: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${message ?? ""} expected ${expected}, got ${actual}`);

function* subsets(n: number, k: number, from = 0, chosen: number[] = []): Generator<number[]> {
  if (chosen.length === k) {
    yield chosen;
    return;
  }
  for (let i = from; i < n; i++) yield* subsets(n, k, i + 1, [...chosen, i]);
}

/** The mean over every k-subset of `value(subset)`. */
function overSubsets(n: number, k: number, value: (subset: number[]) => number): number {
  let total = 0;
  let count = 0;
  for (const s of subsets(n, k)) {
    total += value(s);
    count++;
  }
  return total / count;
}

/** A majority vote over the subset, ties split evenly, unanswered samples voting for nothing. */
function majorityOf(samples: readonly Sample[], subset: number[]): number {
  const votes = new Map<string, { count: number; correct: boolean }>();
  for (const i of subset) {
    const s = samples[i]!;
    if (s.group === null) continue;
    const v = votes.get(s.group) ?? { count: 0, correct: s.correct };
    v.count++;
    votes.set(s.group, v);
  }
  if (!votes.size) return 0;
  const top = Math.max(...[...votes.values()].map((v) => v.count));
  const tied = [...votes.values()].filter((v) => v.count === top);
  return tied.filter((v) => v.correct).length / tied.length;
}

function scoredMax(samples: readonly Sample[], subset: number[]): number {
  const top = Math.max(...subset.map((i) => samples[i]!.score ?? -1));
  const tied = subset.filter((i) => (samples[i]!.score ?? -1) === top);
  return tied.filter((i) => samples[i]!.correct).length / tied.length;
}

function weightedOf(samples: readonly Sample[], subset: number[]): number {
  const mass = new Map<string, { weight: number; correct: boolean }>();
  for (const i of subset) {
    const s = samples[i]!;
    if (s.group === null) continue;
    const m = mass.get(s.group) ?? { weight: 0, correct: s.correct };
    m.weight += s.score ?? 0;
    mass.set(s.group, m);
  }
  if (!mass.size) return 0;
  const top = Math.max(...[...mass.values()].map((m) => m.weight));
  const tied = [...mass.values()].filter((m) => m.weight === top);
  return tied.filter((m) => m.correct).length / tied.length;
}

const sample = (group: string | null, correct = false, score: number | null = null): Sample => ({ group, correct, score });

test("pass@k: hand-computed values and brute-force enumeration of subsets", () => {
  // n = 4, c = 1, k = 2: 1 − C(3,2)/C(4,2) = 1 − 3/6.
  close(passAtK(4, 1, 2), 0.5);
  close(passAtK(5, 0, 3), 0);
  close(passAtK(5, 3, 3), 1, "fewer wrong samples than k: a right one is always drawn");
  close(passAtK(10, 2, 1), 0.2);
  for (const [n, c] of [
    [7, 3],
    [9, 1],
    [8, 6],
  ] as const) {
    const correct = Array.from({ length: n }, (_, i) => i < c);
    for (let k = 1; k <= n; k++)
      close(
        passAtK(n, c, k),
        overSubsets(n, k, (s) => Number(s.some((i) => correct[i]))),
        `n=${n} c=${c} k=${k}`,
      );
  }
  assert.throws(() => passAtK(3, 1, 4), /needs at least 4 samples, the item has 3/);
});

test("maj@k splits ties evenly and counts unanswered samples as taking a place (hand-computed)", () => {
  // Two right samples (group A), one wrong (B), one without an answer.
  const samples = [sample("A", true), sample("A", true), sample("B"), sample(null)];
  const maj = majorityAtEveryK(samples);
  close(maj[1]!, 0.5, "k=1: an A");
  // k=2: {A,A} 1, {A,B}×2 ½ each (a tie), {A,∅}×2 1, {B,∅} 0 → 4/6.
  close(maj[2]!, 4 / 6, "k=2");
  // k=3: {A,A,B} 1, {A,A,∅} 1, {A,B,∅}×2 ½ → 3/4.
  close(maj[3]!, 3 / 4, "k=3");
  close(maj[4]!, 1, "k=4");
});

test("maj@k equals the vote over every k-subset, for random answer patterns", () => {
  const random = mulberry32(5);
  for (let trial = 0; trial < 40; trial++) {
    const n = 1 + Math.floor(random() * 11);
    const wrongGroups = 1 + Math.floor(random() * 3);
    // Sometimes two spellings of the right answer are separate groups, both right.
    const rightGroups = random() < 0.3 ? ["R", "R2"] : ["R"];
    const samples = Array.from({ length: n }, () => {
      const r = random();
      if (r < 0.1) return sample(null);
      if (r < 0.5) return sample(rightGroups[Math.floor(random() * rightGroups.length)]!, true);
      return sample(`W${Math.floor(random() * wrongGroups)}`);
    });
    const maj = majorityAtEveryK(samples);
    for (let k = 1; k <= n; k++)
      close(
        maj[k]!,
        overSubsets(n, k, (s) => majorityOf(samples, s)),
        `trial ${trial} n=${n} k=${k}`,
      );
  }
});

test("best-of-k by critic score equals the argmax over every k-subset, ties drawn, unscored last", () => {
  // Hand-computed: scores 9 (right), 9 (wrong), 3 (right), unscored (wrong). k=1: 2/4. k=2: pairs with a 9: the 9s
  // together ½, a 9 with another: that 9 → (1+1+0+0)/… ; in all: {9r,9w} ½, {9r,3} 1, {9r,∅} 1, {9w,3} 0, {9w,∅} 0, {3,∅} 1.
  const hand = [sample("a", true, 9), sample("b", false, 9), sample("a", true, 3), sample("c", false, null)];
  close(bestOfKAtEveryK(hand)[2]!, 3.5 / 6);
  const random = mulberry32(9);
  for (let trial = 0; trial < 30; trial++) {
    const n = 1 + Math.floor(random() * 9);
    const samples = Array.from({ length: n }, () => sample("x", random() < 0.5, random() < 0.15 ? null : Math.floor(random() * 4)));
    const best = bestOfKAtEveryK(samples);
    for (let k = 1; k <= n; k++)
      close(
        best[k]!,
        overSubsets(n, k, (s) => scoredMax(samples, s)),
        `trial ${trial} k=${k}`,
      );
  }
});

test("a scored column's frontier: weighted vote enumerated against brute force, best-of-k, mean tokens at k", () => {
  const random = mulberry32(11);
  const items = Array.from({ length: 3 }, (_, i) => ({
    samples: Array.from({ length: 6 }, () => {
      const right = random() < 0.4;
      return sample(right ? "R" : `W${Math.floor(random() * 2)}`, right, Math.floor(random() * 10));
    }),
    totalTokens: 600 * (i + 1),
  }));
  const frontier = columnFrontier(items);
  assert.equal(frontier.n, 6);
  assert.deepEqual(
    frontier.points.filter((p) => p.weightedVoteAtK !== undefined).map((p) => p.k),
    [1, 2, 4, 6],
    "the weighted vote at powers of two and n",
  );
  assert.equal(frontier.weightedVoteDrawnK, undefined, "6 samples: every subset enumerated");
  for (const point of frontier.points) {
    const mean = (f: (s: readonly Sample[]) => number) => items.reduce((sum, i) => sum + f(i.samples), 0) / items.length;
    // Mean tokens at k: k/n of each item's cost: (100 + 200 + 300)·k / 3.
    close(point.meanTokens, 200 * point.k, `tokens at k=${point.k}`);
    close(
      point.majAtK,
      mean((s) => overSubsets(6, point.k, (sub) => majorityOf(s, sub))),
    );
    close(
      point.bestOfKAtK!,
      mean((s) => overSubsets(6, point.k, (sub) => scoredMax(s, sub))),
    );
    if (point.weightedVoteAtK !== undefined)
      close(
        point.weightedVoteAtK,
        mean((s) => overSubsets(6, point.k, (sub) => weightedOf(s, sub))),
      );
  }
});

test("weighted vote beyond 10,000 subsets is drawn with a seed, says so, and lands near the exact value", () => {
  const samples = Array.from({ length: 24 }, (_, i) => sample(i % 3 === 0 ? "R" : `W${i % 2}`, i % 3 === 0, i % 7));
  const frontier = columnFrontier([{ samples, totalTokens: 2400 }]);
  assert.deepEqual(frontier.weightedVoteDrawnK, [4, 8, 16], "C(24,4) = 10,626 > 10,000; C(24,2) and C(24,24) enumerated");
  assert.deepEqual(columnFrontier([{ samples, totalTokens: 2400 }]).points, frontier.points, "seeded: the same every time");
  const exact = overSubsets(24, 4, (s) => weightedOf(samples, s));
  assert.ok(Math.abs(frontier.points[3]!.weightedVoteAtK! - exact) < 0.03, `drawn ${frontier.points[3]!.weightedVoteAtK} vs exact ${exact}`);
});

test("versusFrontier reads maj@k linearly in log tokens at the column's budget, paired by item", () => {
  // Item 0: maj@1 = ½, maj@2 = ⅔ (as above); item 1: every sample right. 4 samples for 400 tokens: 100 per k.
  const items = [
    { samples: [sample("A", true), sample("A", true), sample("B"), sample(null)], totalTokens: 400 },
    { samples: [sample("A", true), sample("A", true), sample("A", true), sample("A", true)], totalTokens: 400 },
  ];
  const frontier = columnFrontier(items);
  assert.deepEqual(
    frontier.points.map((p) => p.meanTokens),
    [100, 200, 300, 400],
  );
  close(frontier.points[1]!.majAtK, (4 / 6 + 1) / 2);
  close(frontier.points[0]!.passAtK, (0.5 + 1) / 2);
  // Halfway between k=1 and k=2 in log tokens: √(100·200). Item 0 reads ½ + ½·(⅔ − ½) = 7/12.
  const budget = Math.sqrt(100 * 200);
  const read = versusFrontier(frontier, [false, true], budget);
  close(read.frontierAccuracy, (7 / 12 + 1) / 2);
  close(read.difference, 0.5 - (7 / 12 + 1) / 2);
  // Item differences are −7/12 and 0: every resampled mean lies between them.
  const [lo, hi] = read.differenceInterval;
  assert.ok(lo >= -7 / 12 - 1e-12 && hi <= 1e-12 && lo <= read.difference && read.difference <= hi, `interval [${lo}, ${hi}]`);
  assert.deepEqual(versusFrontier(frontier, [false, true], budget).differenceInterval, read.differenceInterval, "seeded");
  // Below the first k and beyond the last: the ends.
  close(versusFrontier(frontier, [true, true], 50).frontierAccuracy, 0.75);
  close(versusFrontier(frontier, [true, true], 9000).frontierAccuracy, 1);
  // A budget on a point reads that point exactly.
  close(versusFrontier(frontier, [true, true], 300).frontierAccuracy, frontier.points[2]!.majAtK);
});

test("an item with fewer samples keeps its value at its own count; an item without samples counts as wrong", () => {
  const frontier = columnFrontier([
    { samples: [sample("A", true), sample("B")], totalTokens: 200 },
    { samples: [sample("A", true), sample("A", true), sample("A", true), sample("B")], totalTokens: 400 },
    { samples: [], totalTokens: 50 },
  ]);
  assert.equal(frontier.n, 4);
  // k=4: item 0 at its k=2 (a tie: ½), item 1 all four (A wins), item 2 nothing.
  close(frontier.points[3]!.majAtK, (0.5 + 1 + 0) / 3);
  close(frontier.points[3]!.meanTokens, (200 + 400 + 50) / 3);
});

test("a curve read between its points is linear in log tokens, the ends outside, points without the measure skipped", () => {
  const points = [
    { k: 1, meanTokens: 100, passAtK: 0.2, majAtK: 0.2, weightedVoteAtK: 0.2 },
    { k: 2, meanTokens: 200, passAtK: 0.5, majAtK: 0.3 },
    { k: 4, meanTokens: 400, passAtK: 0.8, majAtK: 0.6, weightedVoteAtK: 0.8 },
  ];
  close(readAtTokens(points, Math.sqrt(100 * 200), "majAtK"), 0.25);
  close(readAtTokens(points, 200, "weightedVoteAtK"), 0.5, "halfway from 100 to 400 in log tokens");
  close(readAtTokens(points, 50, "passAtK"), 0.2);
  close(readAtTokens(points, 800, "passAtK"), 0.8);
  assert.ok(Number.isNaN(readAtTokens(points, 100, "bestOfKAtK")));
});
