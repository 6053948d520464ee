// Statistics for comparing strategies on the same items: accuracy with a bootstrap interval, exact paired tests
// (McNemar / sign test) against a baseline, refinement transitions (fix / harm), and the accuracy-vs-tokens
// Pareto frontier. Pure functions, seeded where random.
import type { PairedComparison, Transitions } from "../protocol/experiment-results.ts";

export type { PairedComparison, Transitions };
import { mulberry32 } from "../util/random.ts";

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
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
  return { items: baseline.length, baselineAccuracy, accuracy, difference: accuracy - baselineAccuracy, wins, ties, losses, pValue: mcnemarExact(losses, wins), oddsRatio };
}

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
