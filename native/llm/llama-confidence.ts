// Per-token confidence for a generation node-llama-cpp has just finished. Its chat API gives no token
// probabilities, and the sequence keeps no logits of past positions, so the generated tokens are taken off the
// sequence and evaluated again in one batch with the next-token distribution asked at each position: a
// prompt-speed pass instead of a second generation (cost in bench/results/token-confidence-rescore-*.md). The
// probabilities are the raw softmax the paper's vLLM `logprobs` report, not the run's temperature- or top-p-shaped ones.
import type { LlamaContextSequence } from "node-llama-cpp";
import { CONFIDENCE_TOP_K, tokenConfidence } from "../protocol/token-confidence.ts";

/** Top-k candidates only, at the model's own temperature: llama.cpp's top-k sampler keeps their logits as they are. */
const TOP_K_ONLY = { temperature: 1, topK: CONFIDENCE_TOP_K, topP: 1, minP: 0 };

/** Takes the context's tail from `from` off the sequence and evaluates it again, asking `generateNext` at the first `scored` positions. */
async function reevaluate(
  sequence: LlamaContextSequence,
  from: number,
  scored: number,
  generateNext: { probabilities?: true; confidence?: true; options?: typeof TOP_K_ONLY },
) {
  const tail = sequence.contextTokens.slice(from);
  await sequence.eraseContextTokenRanges([{ start: from, end: from + tail.length }]);
  return sequence.controlledEvaluate(tail.map((token, index) => (index < scored ? [token, { generateNext }] : token)));
}

/**
 * Confidence of each token of the sequence's context from `start` on (what the last generation added). The full
 * distribution per position (a sorted Map of the whole vocabulary) costs 30 to 60 times a generated token, so two
 * cheaper passes give the same numbers: the top 20 renormalised among themselves (q), and the greedy pick's raw
 * probability p₁ (the sampler leaves the logits untouched): their mass is S = p₁ / q₁, and log pᵢ = log qᵢ + log S.
 */
export async function rescoreConfidence(sequence: LlamaContextSequence, start: number): Promise<number[]> {
  const length = sequence.contextTokens.length;
  if (start < 1 || start >= length) return [];
  // The distribution of the token at position p comes from evaluating position p − 1.
  const from = start - 1;
  const scored = length - start;
  const top = await reevaluate(sequence, from, scored, { probabilities: true, options: TOP_K_ONLY });
  const greedy = await reevaluate(sequence, from, scored, { confidence: true });
  const values: number[] = [];
  for (let index = 0; index < scored; index++) {
    const renormalised = [...(top[index]?.next.probabilities?.values() ?? [])];
    const best = greedy[index]?.next.confidence;
    if (renormalised.length === 0 || best === undefined) {
      values.push(0);
      continue;
    }
    const logMass = Math.log(best) - Math.log(renormalised[0]!);
    values.push(tokenConfidence(renormalised.map((q) => Math.log(q) + logMass)));
  }
  return values;
}
