// DeepConf's per-token confidence (Fu et al. 2025, facebookresearch/deepconf `helper.py`): at each generated
// position, the negative mean log-probability of the top-k candidates. A peaked distribution puts the other
// candidates far down, so a high value means the model was sure. Stored on a node as one byte per token (base64),
// read back here by the engine's strategies and by the view alike, so both see the same numbers.

/** Top candidates per position, as the paper's code asks vLLM for (`logprobs=20`; OpenAI's `top_logprobs` maximum). */
export const CONFIDENCE_TOP_K = 20;

/**
 * The lowest log-probability counted: llama.cpp's float32 softmax underflows to 0 for the far tail, and a
 * server may report −100 or −∞; both stand for "practically impossible", so every source is floored alike.
 */
const LOG_PROB_FLOOR = -64;
/** A byte per token: 0 to 63.75 in quarters (the floor makes 64 the most a token can reach). */
const STEP = 0.25;

/** One position's confidence from its top candidates' log-probabilities (natural log). */
export function tokenConfidence(topLogProbs: readonly number[]): number {
  if (topLogProbs.length === 0) return 0;
  let sum = 0;
  for (const logProb of topLogProbs) sum += Number.isFinite(logProb) ? Math.max(logProb, LOG_PROB_FLOOR) : LOG_PROB_FLOOR;
  return -sum / topLogProbs.length;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...ALPHABET].map((char, index) => [char, index]));

/** Per-token confidences, a byte each, as base64: what a node stores. */
export function encodeConfidence(values: readonly number[]): string {
  const bytes = values.map((value) => Math.min(255, Math.max(0, Math.round(value / STEP))));
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1], bytes[i + 2]];
    const word = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += ALPHABET[(word >> 18) & 63]! + ALPHABET[(word >> 12) & 63]!;
    out += b === undefined ? "=" : ALPHABET[(word >> 6) & 63]!;
    out += c === undefined ? "=" : ALPHABET[word & 63]!;
  }
  return out;
}

/** A node's stored confidences back as numbers (quantised: multiples of 0.25). */
export function decodeConfidence(encoded: string): number[] {
  const values: number[] = [];
  const clean = encoded.replace(/=+$/, "");
  for (let i = 0; i < clean.length; i += 4) {
    const digits = [...clean.slice(i, i + 4)].map((char) => {
      const digit = DIGIT.get(char);
      if (digit === undefined) throw new Error(`token confidence is not base64: '${char}' at ${i}`);
      return digit;
    });
    const word = (digits[0]! << 18) | ((digits[1] ?? 0) << 12) | ((digits[2] ?? 0) << 6) | (digits[3] ?? 0);
    values.push(((word >> 16) & 255) * STEP);
    if (digits.length > 2) values.push(((word >> 8) & 255) * STEP);
    if (digits.length > 3) values.push((word & 255) * STEP);
  }
  return values;
}

/**
 * Mean confidence of every window of `size` consecutive tokens (the paper's group confidence); a trace shorter
 * than the window is one group of all its tokens, as in `compute_least_grouped`.
 */
export function groupConfidences(values: readonly number[], size: number): number[] {
  if (values.length === 0) return [];
  if (values.length < size) return [mean(values)];
  const means: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= size) sum -= values[i - size]!;
    if (i >= size - 1) means.push(sum / size);
  }
  return means;
}

/** How a trace's token confidences become one number (the paper's Section 3 measures). */
export type TraceConfidenceMeasure = "lowest-group" | "bottom-10" | "tail" | "mean";

export const TRACE_CONFIDENCE_MEASURES: readonly TraceConfidenceMeasure[] = ["lowest-group", "bottom-10", "tail", "mean"];

/**
 * A trace's confidence: the lowest window ("lowest-group"), the mean of the lowest 10% of windows ("bottom-10"),
 * the mean of the last `window` tokens ("tail"), or the mean of all ("mean"), as `analysis_offline.py` computes them.
 */
export function traceConfidence(values: readonly number[], measure: TraceConfidenceMeasure, window: number): number {
  if (values.length === 0) return 0;
  switch (measure) {
    case "mean":
      return mean(values);
    case "tail":
      return mean(values.slice(-window));
    case "lowest-group":
      return Math.min(...groupConfidences(values, window));
    case "bottom-10": {
      const groups = groupConfidences(values, window).sort((a, b) => a - b);
      return mean(groups.slice(0, Math.max(1, Math.floor(groups.length * 0.1))));
    }
  }
}

/**
 * The first token at which the window ending there has a mean below `threshold` (the online stop), once a full
 * window has been generated; null when no full window falls below it.
 */
export function firstLowWindowEnd(values: readonly number[], window: number, threshold: number): number | null {
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= window) sum -= values[i - window]!;
    if (i >= window - 1 && sum / window < threshold) return i;
  }
  return null;
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return values.length ? sum / values.length : 0;
}
