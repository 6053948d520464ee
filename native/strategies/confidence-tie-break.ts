// Trace confidence as a tie-break (DeepConf's signal, Fu et al. 2025) for the strategies whose papers break ties
// otherwise: where a vote or an argmax ties, the answer whose traces were generated with more confidence wins, and
// the run's seed draws only among what is still tied. Off by default (the papers' procedures do not read token
// confidence); on, every sample asks for confidence, which costs a re-scoring pass per sample on a local model.
import type { RunNode } from "../protocol/state.ts";
import { decodeConfidence, traceConfidence } from "../protocol/token-confidence.ts";
import type { ParamSpec } from "./types.ts";

export const TIE_BREAKS = ["seed", "confidence"] as const;
export type TieBreak = (typeof TIE_BREAKS)[number];

export const tieBreakParam = {
  name: "tieBreak",
  type: "string",
  default: "seed",
  choices: TIE_BREAKS,
  description: "ties: seed (drawn with the run's seed) or confidence (the most confident traces first, DeepConf's token confidence; each sample is re-scored)",
} as const satisfies ParamSpec;

/** A trace's confidence: the mean of its token confidences (DeepConf's average trace confidence); 0 without any. */
export function traceMeanConfidence(node: RunNode): number {
  return traceConfidence(decodeConfidence(node.confidence ?? ""), "mean", 1);
}

/**
 * The tied items whose traces' confidences sum highest (an answer's weight in DeepConf's confidence-weighted
 * vote; a single candidate's own confidence); with `rule` "seed", all of them. The seed draws among the result.
 */
export function mostConfident<T>(rule: TieBreak, tied: readonly T[], tracesOf: (item: T) => readonly RunNode[]): T[] {
  if (rule === "seed" || tied.length < 2) return [...tied];
  const weights = tied.map((item) => tracesOf(item).reduce((sum, node) => sum + traceMeanConfidence(node), 0));
  const top = Math.max(...weights);
  return tied.filter((_, i) => weights[i] === top);
}

/** The line a vote or select node adds when confidence settled a tie. */
export function confidenceTieNote<T>(tied: readonly T[], kept: readonly T[], label: (item: T) => string, tracesOf: (item: T) => readonly RunNode[]): string {
  if (tied.length < 2 || kept.length === tied.length) return "";
  const weight = (item: T) => tracesOf(item).reduce((sum, node) => sum + traceMeanConfidence(node), 0);
  return `tie between ${tied.map(label).join(", ")} broken by confidence: ${tied.map((item) => `${label(item)} ${weight(item).toFixed(2)}`).join(", ")}`;
}
