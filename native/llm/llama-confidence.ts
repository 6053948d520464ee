// Per-token confidence for a generation node-llama-cpp has just finished. Its chat API gives no token
// probabilities, and the sequence keeps no logits of past positions, so the generated tokens are taken off the
// sequence and evaluated again in one batch with the next-token distribution asked at each position: a
// prompt-speed pass instead of a second generation (cost in bench/results/token-confidence-*.md). The sampler
// there is greedy, which leaves the logits as the model wrote them, so the probabilities are the raw softmax the
// paper's vLLM `logprobs` report, not the run's temperature- or top-k-shaped ones.
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import { CONFIDENCE_TOP_K, tokenConfidence } from "../protocol/token-confidence.ts";

/**
 * Where the generated tokens start in the sequence's context: after the prompt as the chat wrapper renders it
 * when the context starts with that rendering, else at the latest place the streamed tokens follow one another
 * (a stop trigger's tokens may come after them). null when neither finds them (nothing is scored).
 */
export function generatedStart(context: readonly Token[], prompt: readonly Token[], streamed: readonly Token[]): number | null {
  const isPrefix = prompt.length > 0 && prompt.length < context.length && prompt.every((token, i) => context[i] === token);
  if (isPrefix) return prompt.length;
  if (streamed.length === 0) return null;
  for (let start = context.length - streamed.length; start >= 1; start--) {
    let same = true;
    for (let i = 0; i < streamed.length && same; i++) same = context[start + i] === streamed[i];
    if (same) return start;
  }
  return null;
}

/** Confidence of each token of the sequence's context from `start` on (what the last generation added). */
export async function rescoreConfidence(sequence: LlamaContextSequence, start: number): Promise<number[]> {
  const context = sequence.contextTokens;
  if (start < 1 || start >= context.length) return [];
  // The distribution of the token at position p comes from evaluating position p − 1.
  const from = start - 1;
  const tail = context.slice(from);
  const scored = context.length - start;
  await sequence.eraseContextTokenRanges([{ start: from, end: context.length }]);
  const outputs = await sequence.controlledEvaluate(tail.map((token, index) => (index < scored ? [token, { generateNext: { probabilities: true } }] : token)));
  const values: number[] = [];
  for (let index = 0; index < scored; index++) {
    const probabilities = outputs[index]?.next.probabilities;
    const top: number[] = [];
    if (probabilities) {
      for (const probability of probabilities.values()) {
        top.push(Math.log(probability));
        if (top.length === CONFIDENCE_TOP_K) break;
      }
    }
    values.push(tokenConfidence(top));
  }
  return values;
}
