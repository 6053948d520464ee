// The sampling frontier: what a column that drew n samples per item would have scored with only k of them, for
// every k, from the samples it already drew. pass@k (an oracle: it knows which sample is right), maj@k (a majority
// vote), and with critic scores best-of-k and the score-weighted vote; each an expectation over uniformly random
// k-subsets of an item's samples, averaged over items. Pure functions, seeded where random.
import type { FrontierPoint } from "../protocol/experiment-results.ts";
import { mulberry32 } from "../util/random.ts";

/** One sample of an item: its answer's vote group (null: no answer), whether it is right, its critic score. */
export interface Sample {
  group: string | null;
  correct: boolean;
  score: number | null;
}

/** Binomial coefficients C(n, 0..n) as doubles (exact up to n = 56, relative error ~1e-16 beyond). */
function binomialRow(n: number): Float64Array {
  const row = new Float64Array(n + 1);
  row[0] = 1;
  for (let k = 1; k <= n; k++) row[k] = (row[k - 1]! * (n - k + 1)) / k;
  return row;
}

const rows: Float64Array[] = [];
function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  rows[n] ??= binomialRow(n);
  return rows[n]![k]!;
}

/** Unbiased pass@k (Chen et al. 2021) of one item: 1 − C(n−c, k)/C(n, k). */
export function passAtK(n: number, c: number, k: number): number {
  if (k > n) throw new Error(`pass@${k} needs at least ${k} samples, the item has ${n}`);
  if (n - c < k) return 1;
  // The product form avoids the huge binomials: C(n−c,k)/C(n,k) = Π_{i=n−c+1..n} (1 − k/i).
  let fail = 1;
  for (let i = n - c + 1; i <= n; i++) fail *= 1 - k / i;
  return 1 - fail;
}

/** Polynomial product truncated at degree `limit`. */
function multiply(a: Float64Array, b: Float64Array, limit: number): Float64Array {
  const out = new Float64Array(Math.min(limit, a.length - 1 + b.length - 1) + 1);
  for (let i = 0; i < a.length && i <= limit; i++) {
    const ai = a[i]!;
    if (ai === 0) continue;
    for (let j = 0; j < b.length && i + j <= limit; j++) out[i + j]! += ai * b[j]!;
  }
  return out;
}

/**
 * maj@k of one item for k = 1…n, exactly: the expected accuracy of a majority vote over a uniformly random k-subset
 * of the samples, a tie between answers split evenly (each tied answer wins with equal probability), samples without
 * an answer taking a place but no vote. Counted, not enumerated: for each right answer group c and each number x of
 * its samples drawn, the other groups must draw fewer than x (or exactly x: a tie) — a product of generating
 * polynomials in the subset size z, with a tie marker u integrated as ∫₀¹ u^t du = 1/(1+t).
 */
export function majorityAtEveryK(samples: readonly Sample[]): Float64Array {
  const n = samples.length;
  const result = new Float64Array(n + 1);
  const sizes = new Map<string, { size: number; correct: boolean }>();
  let unanswered = 0;
  for (const s of samples) {
    if (s.group === null) {
      unanswered++;
      continue;
    }
    const entry = sizes.get(s.group) ?? { size: 0, correct: s.correct };
    entry.size++;
    sizes.set(s.group, entry);
  }
  const groups = [...sizes.values()];
  groups.forEach((right, ci) => {
    if (!right.correct) return;
    for (let x = 1; x <= right.size; x++) {
      // Groups smaller than x can never reach it: they and the unanswered samples fill places freely.
      let free = unanswered;
      // rivals[t]: polynomial in z of the ways the contested groups draw, with t of them tied at x.
      let rivals: Float64Array[] = [Float64Array.of(1)];
      const limit = n - x;
      groups.forEach((other, oi) => {
        if (oi === ci) return;
        if (other.size < x) {
          free += other.size;
          return;
        }
        const below = new Float64Array(x);
        for (let y = 0; y < x; y++) below[y] = choose(other.size, y);
        const tie = new Float64Array(x + 1);
        tie[x] = choose(other.size, x);
        const next: Float64Array[] = [];
        rivals.forEach((poly, t) => {
          const add = (into: number, p: Float64Array) => {
            next[into] = next[into] ? addPolys(next[into]!, p) : p;
          };
          add(t, multiply(poly, below, limit));
          add(t + 1, multiply(poly, tie, limit));
        });
        rivals = next;
      });
      const freeRow = new Float64Array(free + 1);
      for (let y = 0; y <= free; y++) freeRow[y] = choose(free, y);
      const ways = choose(right.size, x);
      rivals.forEach((poly, t) => {
        const withFree = multiply(poly, freeRow, limit);
        for (let rest = 0; rest < withFree.length; rest++) result[x + rest]! += (ways * withFree[rest]!) / (1 + t);
      });
    }
  });
  for (let k = 1; k <= n; k++) result[k] = result[k]! / choose(n, k);
  return result;
}

function addPolys(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(Math.max(a.length, b.length));
  out.set(a);
  for (let i = 0; i < b.length; i++) out[i]! += b[i]!;
  return out;
}

/**
 * Best-of-k by critic score for k = 1…n, exactly: the highest-scored sample of a random k-subset wins, a tie drawn
 * uniformly (unscored samples rank last, as in the best-of-n strategy). The maximum is at score level s with
 * probability [C(L+E, k) − C(L, k)]/C(n, k) (L samples below s, E at s), and then each sample at s is equally likely
 * the winner.
 */
export function bestOfKAtEveryK(samples: readonly Sample[]): Float64Array {
  const n = samples.length;
  const levels = new Map<number, { count: number; correct: number }>();
  for (const s of samples) {
    const level = s.score ?? -1;
    const entry = levels.get(level) ?? { count: 0, correct: 0 };
    entry.count++;
    if (s.correct) entry.correct++;
    levels.set(level, entry);
  }
  const ordered = [...levels.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
  const result = new Float64Array(n + 1);
  for (let k = 1; k <= n; k++) {
    let below = 0;
    let expected = 0;
    for (const level of ordered) {
      const pMax = (choose(below + level.count, k) - choose(below, k)) / choose(n, k);
      expected += (pMax * level.correct) / level.count;
      below += level.count;
    }
    result[k] = expected;
  }
  return result;
}

/** Subsets enumerated up to this many per k; beyond it, seeded draws. */
export const ENUMERATION_LIMIT = 10_000;
export const DRAWS = 5_000;

/** Accuracy of a critic-score-weighted vote over one subset (each group's summed scores; ties split evenly). */
function weightedVote(samples: readonly Sample[], subset: readonly number[]): number {
  const mass = new Map<string, { weight: number; correct: boolean }>();
  for (const i of subset) {
    const s = samples[i]!;
    if (s.group === null) continue;
    const entry = mass.get(s.group) ?? { weight: 0, correct: s.correct };
    entry.weight += Math.max(0, s.score ?? 0);
    mass.set(s.group, entry);
  }
  if (!mass.size) return 0;
  const best = Math.max(...[...mass.values()].map((e) => e.weight));
  const top = [...mass.values()].filter((e) => e.weight === best);
  return top.filter((e) => e.correct).length / top.length;
}

function* subsetsOf(n: number, k: number): Generator<number[]> {
  const index = Array.from({ length: k }, (_, i) => i);
  while (true) {
    yield index;
    let i = k - 1;
    while (i >= 0 && index[i] === n - k + i) i--;
    if (i < 0) return;
    index[i]!++;
    for (let j = i + 1; j < k; j++) index[j] = index[j - 1]! + 1;
  }
}

/** k distinct indices of 0…n−1, uniformly (a partial Fisher–Yates shuffle). */
function drawSubset(n: number, k: number, random: () => number, scratch: number[]): number[] {
  for (let i = 0; i < n; i++) scratch[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    [scratch[i], scratch[j]] = [scratch[j]!, scratch[i]!];
  }
  return scratch.slice(0, k);
}

/**
 * A curve's value at `tokens`, linear in log tokens between its points; outside them, the nearest end. Points
 * without the measure are skipped (the weighted vote is kept at some k only).
 */
export function readAtTokens(points: readonly FrontierPoint[], tokens: number, measure: "passAtK" | "majAtK" | "weightedVoteAtK" | "bestOfKAtK"): number {
  const known = points.filter((p) => p[measure] !== undefined);
  if (!known.length) return Number.NaN;
  const value = (p: FrontierPoint) => p[measure]!;
  if (tokens <= known[0]!.meanTokens) return value(known[0]!);
  if (tokens >= known.at(-1)!.meanTokens) return value(known.at(-1)!);
  const i = known.findIndex((p) => p.meanTokens >= tokens);
  const [a, b] = [known[i - 1]!, known[i]!];
  if (b.meanTokens === a.meanTokens) return value(b);
  const t = (Math.log(tokens) - Math.log(a.meanTokens)) / (Math.log(b.meanTokens) - Math.log(a.meanTokens));
  return value(a) + t * (value(b) - value(a));
}

/**
 * The items each resample draws, in order: the same for every column compared on n items with one seed, so they
 * are drawn once (mulberry32, native/util/random.ts, inlined) and kept for the next column and the next change.
 */
let drawnIndices: { key: string; indices: Int32Array } | null = null;

function resampleIndices(n: number, resamples: number, seed: number): Int32Array {
  const key = `${n}|${resamples}|${seed}`;
  if (drawnIndices?.key === key) return drawnIndices.indices;
  const indices = new Int32Array(n * resamples);
  let state = seed >>> 0;
  for (let at = 0; at < indices.length; at++) {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    indices[at] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n) | 0;
  }
  drawnIndices = { key, indices };
  return indices;
}

/**
 * Paired percentile bootstrap 95% interval of mean(column − frontier): items resampled with replacement, each
 * item's frontier value and the column's correctness kept together. Seeded: the same interval every time.
 */
export function pairedDifferenceInterval(
  frontier: readonly number[],
  column: readonly number[],
  options: { resamples?: number; level?: number; seed?: number } = {},
): [number, number] {
  const n = frontier.length;
  if (n !== column.length) throw new Error("a paired difference needs the same items on both sides");
  if (n === 0) return [Number.NaN, Number.NaN];
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  const differences = new Float64Array(n);
  for (let i = 0; i < n; i++) differences[i] = column[i]! - frontier[i]!;
  const means = new Float64Array(resamples);
  const drawn = resampleIndices(n, resamples, options.seed ?? 1);
  for (let r = 0, at = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += differences[drawn[at++]!]!;
    means[r] = sum / n;
  }
  means.sort();
  return [means[Math.floor(((1 - level) / 2) * resamples)]!, means[Math.min(resamples - 1, Math.ceil((1 - (1 - level) / 2) * resamples) - 1)]!];
}

/** One item of a sampling column: its samples and what the cell cost. */
export interface SampledItem {
  samples: readonly Sample[];
  totalTokens: number;
}

/** An item's exact curves, k = 0…n (index 0 unused). */
interface ItemCurves {
  pass: Float64Array;
  majority: Float64Array;
  bestOfK: Float64Array | null;
}

// An item's curves depend only on its answer groups' sizes and rightness (and the score levels): many items share
// them (all samples agreeing, say), and a results file that grows by one cell keeps every earlier item's curves.
const MEMO_LIMIT = 50_000;
const memo = new Map<string, ItemCurves>();

function signature(samples: readonly Sample[], scored: boolean): string {
  if (scored) {
    // Score levels matter: each sample as its group's index, rightness and score, in a canonical order.
    const groups = new Map<string | null, number>();
    const parts: string[] = [];
    for (const s of samples) {
      const id = s.group === null ? "-" : `${groups.get(s.group) ?? groups.set(s.group, groups.size).get(s.group)}${s.correct ? "+" : ""}`;
      parts.push(`${id}@${s.score ?? -1}`);
    }
    return parts.sort().join(",");
  }
  // Unscored, the curves depend only on the groups' sizes and rightness and the unanswered count.
  const sizes = new Map<string, { size: number; correct: boolean }>();
  let unanswered = 0;
  for (const s of samples) {
    if (s.group === null) unanswered++;
    else {
      const entry = sizes.get(s.group);
      if (entry) entry.size++;
      else sizes.set(s.group, { size: 1, correct: s.correct });
    }
  }
  const parts: string[] = [];
  for (const { size, correct } of sizes.values()) parts.push(correct ? `${size}+` : String(size));
  return `${parts.sort().join(",")}/${unanswered}`;
}

// And by the samples array itself: a caller that keeps each item's samples (the summary keeps them per checkpoint
// line) skips even the signature, which costs as much as the rest of a column's frontier once curves are known.
const bySamples = { scored: new WeakMap<readonly Sample[], ItemCurves>(), unscored: new WeakMap<readonly Sample[], ItemCurves>() };

function curvesOf(samples: readonly Sample[], scored: boolean): ItemCurves {
  const known = bySamples[scored ? "scored" : "unscored"].get(samples);
  if (known) return known;
  const curves = curvesBySignature(samples, scored);
  bySamples[scored ? "scored" : "unscored"].set(samples, curves);
  return curves;
}

function curvesBySignature(samples: readonly Sample[], scored: boolean): ItemCurves {
  const key = signature(samples, scored);
  const known = memo.get(key);
  if (known) return known;
  const n = samples.length;
  const c = samples.filter((s) => s.correct).length;
  const pass = new Float64Array(n + 1);
  for (let k = 1; k <= n; k++) pass[k] = passAtK(n, c, k);
  const curves = { pass, majority: majorityAtEveryK(samples), bestOfK: scored ? bestOfKAtEveryK(samples) : null };
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value!);
  memo.set(key, curves);
  return curves;
}

/** A curve's value at k for an item with fewer samples: its value with all it has (none: 0). */
const at = (curve: Float64Array, k: number) => (curve.length > 1 ? curve[Math.min(k, curve.length - 1)]! : 0);

/** The k where the weighted vote is estimated: powers of two and n (the curve search-and-learn draws). */
function weightedVoteKs(n: number): number[] {
  const ks: number[] = [];
  for (let k = 1; k < n; k *= 2) ks.push(k);
  return [...ks, n];
}

export interface ColumnFrontier {
  n: number;
  points: FrontierPoint[];
  weightedVoteDrawnK?: number[];
  /** Each item's maj@k, k = 0…n, for pairing with another column item by item. */
  itemMajority: (item: number, k: number) => number;
}

/**
 * A sampling column's frontier over the given items. Scored when its samples carry critic scores (best-of-n; a
 * sample the critic left unscored ranks last and weighs nothing, as in the strategy): then best-of-k and the
 * weighted vote come too.
 */
export function columnFrontier(items: readonly SampledItem[], seed = 1): ColumnFrontier {
  const n = items.reduce((most, i) => Math.max(most, i.samples.length), 0);
  const scored = items.some((i) => i.samples.some((s) => s.score !== null));
  const curves = items.map((i) => curvesOf(i.samples, scored));
  // Every curve summed over items in one pass, k = 1…n (index 0 unused): this runs on every change of the file.
  const sums = { tokens: new Float64Array(n + 1), pass: new Float64Array(n + 1), majority: new Float64Array(n + 1), bestOfK: new Float64Array(n + 1) };
  items.forEach((item, i) => {
    const m = item.samples.length;
    const { pass, majority, bestOfK } = curves[i]!;
    for (let k = 1; k <= n; k++) {
      sums.tokens[k]! += m ? (Math.min(k, m) / m) * item.totalTokens : item.totalTokens;
      sums.pass[k]! += at(pass, k);
      sums.majority[k]! += at(majority, k);
      if (bestOfK) sums.bestOfK[k]! += at(bestOfK, k);
    }
  });
  const weighted = new Map<number, number>();
  const drawn: number[] = [];
  if (scored) {
    const random = mulberry32(seed);
    const scratch: number[] = [];
    const drawsPerItem = Math.ceil(DRAWS / Math.max(1, items.length));
    for (const k of weightedVoteKs(n)) {
      let column = 0;
      let anyDrawn = false;
      for (const { samples } of items) {
        const m = samples.length;
        const size = Math.min(k, m);
        if (size === 0) continue;
        let total = 0;
        if (choose(m, size) <= ENUMERATION_LIMIT) {
          let count = 0;
          for (const subset of subsetsOf(m, size)) {
            total += weightedVote(samples, subset);
            count++;
          }
          column += total / count;
        } else {
          anyDrawn = true;
          for (let d = 0; d < drawsPerItem; d++) total += weightedVote(samples, drawSubset(m, size, random, scratch));
          column += total / drawsPerItem;
        }
      }
      weighted.set(k, column / items.length);
      if (anyDrawn) drawn.push(k);
    }
  }
  const points = Array.from({ length: n }, (_, index) => {
    const k = index + 1;
    const vote = weighted.get(k);
    return {
      k,
      meanTokens: sums.tokens[k]! / items.length,
      passAtK: sums.pass[k]! / items.length,
      majAtK: sums.majority[k]! / items.length,
      ...(vote !== undefined ? { weightedVoteAtK: vote } : {}),
      ...(scored ? { bestOfKAtK: sums.bestOfK[k]! / items.length } : {}),
    };
  });
  return {
    n,
    points,
    ...(drawn.length ? { weightedVoteDrawnK: drawn } : {}),
    itemMajority: (item, k) => at(curves[item]!.majority, k),
  };
}

/**
 * A column read against a frontier at its own mean budget: the frontier's maj@k interpolated linearly in log tokens
 * at `budget`, each item's value interpolated with the same weights so the pairs line up, the difference and its
 * paired bootstrap interval. `correct` is per item (an accuracy over repeats, or right/wrong); with `repeats` > 1 the
 * frontier holds each item's repeats in a row (item i's at i·repeats …) and an item's value is their mean, so items
 * are resampled with their repeats together.
 */
export function versusFrontier(
  frontier: ColumnFrontier,
  correct: ReadonlyArray<boolean | number>,
  budget: number,
  repeats = 1,
  /** With repeats: each item's correctness in each repeat (`[repeat][item]`), for the difference seed by seed. */
  correctByRepeat?: ReadonlyArray<readonly boolean[]>,
): { frontierAccuracy: number; difference: number; differenceInterval: [number, number]; perRepeat?: { differences: number[]; signHolds: boolean } } {
  const { points } = frontier;
  if (!points.length || correct.length === 0) return { frontierAccuracy: Number.NaN, difference: Number.NaN, differenceInterval: [Number.NaN, Number.NaN] };
  // Between which k the budget falls, and how far (the same weights for every item: the mean interpolates too).
  let lower = 0;
  let weight = 0;
  if (budget >= points.at(-1)!.meanTokens) lower = points.length - 1;
  else if (budget > points[0]!.meanTokens) {
    lower = points.findIndex((p) => p.meanTokens >= budget) - 1;
    const a = points[lower]!.meanTokens;
    const b = points[lower + 1]!.meanTokens;
    weight = b > a ? (Math.log(budget) - Math.log(a)) / (Math.log(b) - Math.log(a)) : 1;
  }
  const kLow = points[lower]!.k;
  const kHigh = points[Math.min(points.length - 1, lower + 1)]!.k;
  const valueAt = (entry: number) => (1 - weight) * frontier.itemMajority(entry, kLow) + weight * frontier.itemMajority(entry, kHigh);
  const itemValues = correct.map((_, i) => {
    let sum = 0;
    for (let r = 0; r < repeats; r++) sum += valueAt(i * repeats + r);
    return sum / repeats;
  });
  const frontierAccuracy = itemValues.reduce((a, b) => a + b, 0) / itemValues.length;
  const values = correct.map(Number);
  const accuracy = values.reduce((a, b) => a + b, 0) / values.length;
  const difference = accuracy - frontierAccuracy;
  // Seed by seed: the column in repeat r against the frontier drawn from repeat r's samples, at the same k weights.
  const differences =
    repeats > 1 && correctByRepeat
      ? correctByRepeat.map((row, r) => row.reduce((sum, right, i) => sum + Number(right) - valueAt(i * repeats + r), 0) / row.length)
      : undefined;
  const sign = (x: number) => (Math.abs(x) < 1e-12 ? 0 : Math.sign(x));
  return {
    frontierAccuracy,
    difference,
    differenceInterval: pairedDifferenceInterval(itemValues, values),
    ...(differences ? { perRepeat: { differences, signHolds: differences.every((d) => sign(d) === sign(difference)) } } : {}),
  };
}
