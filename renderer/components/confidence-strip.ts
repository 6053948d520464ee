// What a node's confidence strip draws: its per-token confidence (DeepConf's top-20 −mean log p) averaged into
// bins along the generation, coloured on one scale for every node, with the lowest tenth of its own bins marked
// so a stretch where the model was unsure stands out however sure the rest was.
import { decodeConfidence } from "../../native/protocol/token-confidence.ts";

/** Confidence drawn fully green; the scale is absolute so two nodes' strips compare. */
export const CONFIDENCE_SCALE = 20;

export interface ConfidenceBin {
  /** Tokens [from, to) of the generation. */
  from: number;
  to: number;
  mean: number;
  /** Among the lowest tenth of this node's bins. */
  low: boolean;
}

export interface ConfidenceSummary {
  tokens: number;
  mean: number;
  bins: ConfidenceBin[];
}

export function confidenceBins(encoded: string, maxBins: number): ConfidenceSummary | null {
  const values = decodeConfidence(encoded);
  if (values.length === 0) return null;
  const count = Math.min(maxBins, values.length);
  const bins: ConfidenceBin[] = [];
  for (let b = 0; b < count; b++) {
    const from = Math.floor((b * values.length) / count);
    const to = Math.floor(((b + 1) * values.length) / count);
    let sum = 0;
    for (let i = from; i < to; i++) sum += values[i]!;
    bins.push({ from, to, mean: sum / (to - from), low: false });
  }
  // Too few bins to call any of them low against the rest.
  if (bins.length >= 5) {
    const sorted = bins.map((bin) => bin.mean).sort((a, b) => a - b);
    const cut = sorted[Math.max(0, Math.floor(bins.length / 10) - 1)]!;
    const spread = sorted.at(-1)! - sorted[0]!;
    for (const bin of bins) bin.low = spread > 0 && bin.mean <= cut;
  }
  return { tokens: values.length, mean: values.reduce((a, b) => a + b, 0) / values.length, bins };
}

/** Red (unsure) through amber to green (sure), on CONFIDENCE_SCALE. */
export function confidenceColor(value: number): string {
  const t = Math.max(0, Math.min(1, value / CONFIDENCE_SCALE));
  return `hsl(${Math.round(t * 120)}, 60%, 45%)`;
}

/** "tokens 40–52" for a bin's tooltip (1-based, inclusive). */
export function binLabel(bin: ConfidenceBin): string {
  return bin.to - bin.from <= 1 ? `token ${bin.from + 1}` : `tokens ${bin.from + 1}–${bin.to}`;
}
