// Agreement between raters (judges of a jury, or a judge and people): Cohen's κ for two raters on categories,
// Krippendorff's α for any number of raters with missing ratings (nominal or interval), Spearman's ρ and the mean
// absolute error for scores. Pure functions; NaN when the data cannot say (no pairs, no variation).

/** Cohen's κ of two raters' labels on the same units: (observed − chance agreement) / (1 − chance agreement). */
export function cohenKappa<T>(a: readonly T[], b: readonly T[]): number {
  if (a.length !== b.length) throw new Error(`Cohen's κ needs the same units from both raters (${a.length} vs ${b.length})`);
  const n = a.length;
  if (n === 0) return Number.NaN;
  let observed = 0;
  const countA = new Map<T, number>();
  const countB = new Map<T, number>();
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) observed++;
    countA.set(a[i]!, (countA.get(a[i]!) ?? 0) + 1);
    countB.set(b[i]!, (countB.get(b[i]!) ?? 0) + 1);
  }
  const po = observed / n;
  let pe = 0;
  for (const [label, count] of countA) pe += (count / n) * ((countB.get(label) ?? 0) / n);
  // Both raters gave one and the same label throughout (two judges that only ever say "tie"): chance explains
  // all of it, and κ is undefined rather than a perfect 1.
  if (pe === 1) return Number.NaN;
  return (po - pe) / (1 - pe);
}

export type AlphaLevel = "nominal" | "interval";

/**
 * Krippendorff's α from a raters × units table (null: that rater gave no rating). Units rated by fewer than two
 * raters are left out, as the coefficient defines. α = 1 − D_o / D_e over the coincidence matrix.
 */
export function krippendorffAlpha(ratings: ReadonlyArray<ReadonlyArray<number | string | null>>, level: AlphaLevel): number {
  const units = Math.max(0, ...ratings.map((r) => r.length));
  const distance =
    level === "nominal"
      ? (x: number | string, y: number | string) => (x === y ? 0 : 1)
      : (x: number | string, y: number | string) => (Number(x) - Number(y)) ** 2;
  const pairable: Array<Array<number | string>> = [];
  for (let u = 0; u < units; u++) {
    const values = ratings.map((r) => r[u]).filter((v): v is number | string => v !== null && v !== undefined);
    if (values.length >= 2) pairable.push(values);
  }
  const n = pairable.reduce((sum, values) => sum + values.length, 0);
  if (n < 2) return Number.NaN;
  // Observed disagreement: within units, each ordered pair weighted 1 / (m_u − 1).
  let observed = 0;
  for (const values of pairable) {
    let within = 0;
    for (let i = 0; i < values.length; i++) for (let j = 0; j < values.length; j++) if (i !== j) within += distance(values[i]!, values[j]!);
    observed += within / (values.length - 1);
  }
  observed /= n;
  // Expected disagreement: every ordered pair of pairable values across the whole table.
  const all = pairable.flat();
  let expected = 0;
  for (let i = 0; i < all.length; i++) for (let j = 0; j < all.length; j++) if (i !== j) expected += distance(all[i]!, all[j]!);
  expected /= n * (n - 1);
  // One value throughout: no variation to agree on, α is undefined.
  if (expected === 0) return Number.NaN;
  return 1 - observed / expected;
}

/** Ranks from 1, ties sharing their mean rank. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((x, y) => x.value - y.value);
  const result = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.value === order[start]!.value) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) result[order[k]!.index] = rank;
    start = end + 1;
  }
  return result;
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n < 2) return Number.NaN;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

/** Spearman's ρ: Pearson's correlation of the ranks (ties get mean ranks). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new Error(`Spearman's ρ needs paired scores (${x.length} vs ${y.length})`);
  return pearson(ranks(x), ranks(y));
}

export function meanAbsoluteError(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new Error(`the mean absolute error needs paired scores (${x.length} vs ${y.length})`);
  return x.length ? x.reduce((sum, value, i) => sum + Math.abs(value - y[i]!), 0) / x.length : Number.NaN;
}
