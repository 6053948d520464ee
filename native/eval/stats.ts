// Statistics for comparing strategies on the same items: accuracy with a Wilson interval, exact paired tests
// (McNemar / sign test) against a baseline, refinement transitions (fix / harm), and the accuracy-vs-tokens
// Pareto frontier. Pure functions, seeded where random.
import type { PairedComparison, Transitions } from "../protocol/experiment-results.ts";

export type { PairedComparison, Transitions };
import { mulberry32 } from "../util/random.ts";

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
}

/**
 * Wilson score interval of a proportion: closed form (no resampling, so cheap on every change) and well behaved
 * at 0% and 100% and on few items, where the normal approximation is not.
 */
export function wilsonInterval(successes: number, n: number, level = 0.95): [number, number] {
  if (n === 0) return [Number.NaN, Number.NaN];
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = successes / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9). */
export function normalQuantile(q: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const tail = (r: number) =>
    (((((c[0]! * r + c[1]!) * r + c[2]!) * r + c[3]!) * r + c[4]!) * r + c[5]!) / ((((d[0]! * r + d[1]!) * r + d[2]!) * r + d[3]!) * r + 1);
  if (q < low) return tail(Math.sqrt(-2 * Math.log(q)));
  if (q > 1 - low) return -tail(Math.sqrt(-2 * Math.log(1 - q)));
  const r = (q - 0.5) * (q - 0.5);
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * (q - 0.5)) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** A binomial distribution's probabilities where they are not negligible, from the mode outwards. */
function binomialMasses(n: number, p: number): { from: number; masses: number[] } {
  if (p <= 0) return { from: 0, masses: [1] };
  if (p >= 1) return { from: n, masses: [1] };
  const mode = Math.floor((n + 1) * p);
  const up = [1];
  for (let k = mode; k < n && up.at(-1)! > 1e-17; k++) up.push((up.at(-1)! * (n - k) * p) / ((k + 1) * (1 - p)));
  const down: number[] = [];
  let last = 1;
  for (let k = mode; k > 0 && last > 1e-17; k--) {
    last = (last * k * (1 - p)) / ((n - k + 1) * p);
    down.push(last);
  }
  const masses = [...down.reverse(), ...up];
  const total = masses.reduce((a, b) => a + b, 0);
  return { from: mode - down.length, masses: masses.map((m) => m / total) };
}

/**
 * Percentile bootstrap interval of a paired accuracy difference, exactly: resampling n items with replacement
 * draws (wins, losses, ties) from a multinomial, so the distribution of (wins − losses) / n that infinitely many
 * resamples would give is computed directly — no random draws, the same answer every time, milliseconds at 1,000 items.
 */
export function pairedBootstrapInterval(wins: number, losses: number, n: number, level = 0.95): [number, number] {
  if (n === 0) return [Number.NaN, Number.NaN];
  // A function of four numbers: after one more cell, every column but that cell's has the same ones.
  const key = `${wins}|${losses}|${n}|${level}`;
  const known = pairedIntervals.get(key);
  if (known) return [...known];
  const interval = exactPairedInterval(wins, losses, n, level);
  if (pairedIntervals.size >= 1000) pairedIntervals.delete(pairedIntervals.keys().next().value!);
  pairedIntervals.set(key, interval);
  return [...interval];
}

const pairedIntervals = new Map<string, [number, number]>();

function exactPairedInterval(wins: number, losses: number, n: number, level: number): [number, number] {
  const pWin = wins / n;
  const pLoss = pWin >= 1 ? 0 : losses / n / (1 - pWin);
  const byDifference = new Float64Array(2 * n + 1);
  const w = binomialMasses(n, pWin);
  w.masses.forEach((massW, i) => {
    const resampledWins = w.from + i;
    const l = binomialMasses(n - resampledWins, pLoss);
    l.masses.forEach((massL, j) => (byDifference[n + resampledWins - (l.from + j)]! += massW * massL));
  });
  const tail = (1 - level) / 2;
  let cumulative = 0;
  let lo = Number.NaN;
  let hi = Number.NaN;
  for (let d = 0; d < byDifference.length; d++) {
    cumulative += byDifference[d]!;
    if (Number.isNaN(lo) && cumulative > tail) lo = (d - n) / n;
    if (cumulative >= 1 - tail - 1e-12) {
      hi = (d - n) / n;
      break;
    }
  }
  return [lo, Number.isNaN(hi) ? lo : hi];
}

/**
 * Percentile bootstrap interval of a mean whose values lie on a lattice of step 1/steps — an item's accuracy over
 * `steps` repeats, or the difference of two — exactly: resampling n items with replacement (each with its repeats, a
 * clustered bootstrap) makes the resampled sum the n-fold convolution of the values' distribution, worked out
 * directly, masses below 1e-18 dropped at its edges as they appear. No random draws: the same interval every time.
 */
export function latticeBootstrapInterval(values: readonly number[], steps: number, level = 0.95): [number, number] {
  const n = values.length;
  if (n === 0) return [Number.NaN, Number.NaN];
  const units = values.map((v) => Math.round(v * steps));
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const u of units) {
    low = Math.min(low, u);
    high = Math.max(high, u);
  }
  const width = high - low;
  const counts = new Array<number>(width + 1).fill(0);
  for (const u of units) counts[u - low]!++;
  // The interval depends only on how many items sit at each lattice value: a summary worked out again after one
  // more cell finds most columns' counts unchanged.
  const key = `${steps}|${level}|${low}|${counts.join(",")}`;
  const known = latticeIntervals.get(key);
  if (known) return [...known];
  const interval = latticeInterval(counts, n, low, steps, level);
  if (latticeIntervals.size >= 1000) latticeIntervals.delete(latticeIntervals.keys().next().value!);
  latticeIntervals.set(key, interval);
  return [...interval];
}

const latticeIntervals = new Map<string, [number, number]>();

function latticeInterval(counts: readonly number[], n: number, low: number, steps: number, level: number): [number, number] {
  const width = counts.length - 1;
  const step = new Float64Array(width + 1);
  counts.forEach((count, i) => (step[i] = count / n));
  // dist[i] = P(resampled sum of (unit − low) = from + i).
  let dist = Float64Array.of(1);
  let from = 0;
  for (let draw = 0; draw < n; draw++) {
    const next = new Float64Array(dist.length + width);
    for (let a = 0; a < dist.length; a++) {
      const mass = dist[a]!;
      for (let b = 0; b <= width; b++) next[a + b]! += mass * step[b]!;
    }
    let first = 0;
    let last = next.length - 1;
    while (first < last && next[first]! < 1e-18) first++;
    while (last > first && next[last]! < 1e-18) last--;
    dist = next.subarray(first, last + 1);
    from += first;
  }
  const meanAt = (i: number) => (from + i + n * low) / (n * steps);
  const tail = (1 - level) / 2;
  let cumulative = 0;
  let lo = Number.NaN;
  for (let i = 0; i < dist.length; i++) {
    cumulative += dist[i]!;
    if (Number.isNaN(lo) && cumulative > tail) lo = meanAt(i);
    if (cumulative >= 1 - tail - 1e-12) return [lo, meanAt(i)];
  }
  return [lo, meanAt(dist.length - 1)];
}

/** Percentile bootstrap interval of the mean. */
export function bootstrapInterval(values: readonly number[], options: { resamples?: number; level?: number; seed?: number } = {}): [number, number] {
  if (values.length === 0) return [Number.NaN, Number.NaN];
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  const random = mulberry32(options.seed ?? 1);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[Math.floor(random() * values.length)]!;
    means[r] = sum / values.length;
  }
  means.sort();
  const lo = means[Math.floor(((1 - level) / 2) * resamples)]!;
  const hi = means[Math.min(resamples - 1, Math.ceil((1 - (1 - level) / 2) * resamples) - 1)]!;
  return [lo, hi];
}

function logChoose(n: number, k: number): number {
  let result = 0;
  for (let i = 1; i <= k; i++) result += Math.log(n - k + i) - Math.log(i);
  return result;
}

/**
 * Exact two-sided McNemar test on the discordant pairs: b = baseline right and other wrong, c = the reverse.
 * It is the exact sign test of wins against losses (ties dropped): p = min(1, 2·P(X ≤ min(b, c))), X ~ Bin(b + c, ½).
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

export function pairedComparison(baseline: readonly boolean[], other: readonly boolean[]): PairedComparison {
  if (baseline.length !== other.length) throw new Error("paired comparison needs the same items on both sides");
  let wins = 0;
  let losses = 0;
  let ties = 0;
  baseline.forEach((b, i) => {
    const o = other[i]!;
    if (o && !b) wins++;
    else if (b && !o) losses++;
    else ties++;
  });
  const accuracy = mean(other.map(Number));
  const baselineAccuracy = mean(baseline.map(Number));
  const oddsRatio = wins === 0 || losses === 0 ? (wins + 0.5) / (losses + 0.5) : wins / losses;
  const differenceInterval = pairedBootstrapInterval(wins, losses, baseline.length);
  return {
    items: baseline.length,
    baselineAccuracy,
    accuracy,
    difference: accuracy - baselineAccuracy,
    differenceInterval,
    wins,
    ties,
    losses,
    pValue: mcnemarExact(losses, wins),
    oddsRatio,
  };
}

/**
 * A column against the baseline over repeats, paired by item: `baseline[r][i]` and `other[r][i]` are item i's
 * correctness in repeat r. Each item counts once, by its accuracy over the repeats (wins, ties and losses compare
 * those; the exact sign test runs on them); the interval resamples items with their repeats together. Whether the
 * difference has the same sign in every repeat on its own is said too. One repeat is `pairedComparison`.
 */
export function pairedComparisonOverRepeats(baseline: ReadonlyArray<readonly boolean[]>, other: ReadonlyArray<readonly boolean[]>): PairedComparison {
  const repeats = baseline.length;
  if (repeats !== other.length || repeats === 0) throw new Error("a paired comparison over repeats needs the same repeats on both sides");
  if (repeats === 1) return pairedComparison(baseline[0]!, other[0]!);
  const items = baseline[0]!.length;
  const rateOf = (byRepeat: ReadonlyArray<readonly boolean[]>, i: number) => byRepeat.reduce((sum, row) => sum + Number(row[i]!), 0) / repeats;
  const base = Array.from({ length: items }, (_, i) => rateOf(baseline, i));
  const mine = Array.from({ length: items }, (_, i) => rateOf(other, i));
  let wins = 0;
  let losses = 0;
  let ties = 0;
  for (let i = 0; i < items; i++) {
    if (mine[i]! > base[i]! + 1e-12) wins++;
    else if (base[i]! > mine[i]! + 1e-12) losses++;
    else ties++;
  }
  const accuracy = mean(mine);
  const baselineAccuracy = mean(base);
  const difference = accuracy - baselineAccuracy;
  const differences = other.map((row, r) => mean(row.map(Number)) - mean(baseline[r]!.map(Number)));
  return {
    items,
    baselineAccuracy,
    accuracy,
    difference,
    differenceInterval: latticeBootstrapInterval(
      mine.map((m, i) => m - base[i]!),
      repeats,
    ),
    wins,
    ties,
    losses,
    pValue: mcnemarExact(losses, wins),
    oddsRatio: wins === 0 || losses === 0 ? (wins + 0.5) / (losses + 0.5) : wins / losses,
    perRepeat: { differences, signHolds: differences.every((d) => Math.sign(roundOff(d)) === Math.sign(roundOff(difference))) },
  };
}

/** A difference of means that is 0 up to rounding counts as 0 when comparing signs. */
const roundOff = (value: number) => (Math.abs(value) < 1e-12 ? 0 : value);

export function transitions(initial: readonly boolean[], final: readonly boolean[]): Transitions {
  const t = { correctToCorrect: 0, correctToWrong: 0, wrongToCorrect: 0, wrongToWrong: 0 };
  initial.forEach((i, k) => {
    const f = final[k]!;
    if (i && f) t.correctToCorrect++;
    else if (i) t.correctToWrong++;
    else if (f) t.wrongToCorrect++;
    else t.wrongToWrong++;
  });
  const initiallyCorrect = t.correctToCorrect + t.correctToWrong;
  const initiallyWrong = t.wrongToCorrect + t.wrongToWrong;
  return { ...t, harmRate: initiallyCorrect ? t.correctToWrong / initiallyCorrect : 0, fixRate: initiallyWrong ? t.wrongToCorrect / initiallyWrong : 0 };
}

export interface CostPoint {
  id: string;
  tokens: number;
  accuracy: number;
}

/** Points no other point beats on both axes (fewer or equal tokens and higher or equal accuracy, one strictly). */
export function paretoFrontier(points: readonly CostPoint[]): CostPoint[] {
  return points
    .filter((p) => !points.some((q) => q !== p && q.tokens <= p.tokens && q.accuracy >= p.accuracy && (q.tokens < p.tokens || q.accuracy > p.accuracy)))
    .sort((a, b) => a.tokens - b.tokens);
}
