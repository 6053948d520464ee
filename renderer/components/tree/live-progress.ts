// A streaming node's own progress: tokens so far, time since it began, tokens per second since its first token.
// Without it a node that streams for minutes reads "answer 0 · time 0 ms", and the run looks hung.
import { formatDuration } from "../../../native/protocol/format.ts";
import type { RunNode } from "../../../native/protocol/state.ts";

export interface LiveProgress {
  tokens: number;
  /** Since the node was added (it may have waited for its model), ms. */
  elapsedMs: number | null;
  /** Since its first token; null before there are two seconds' worth of tokens to divide. */
  tokensPerSecond: number | null;
}

export function liveProgress(node: RunNode, now: number): LiveProgress {
  const tokens = node.streamedTokens ?? 0;
  const since = node.addedAt ?? node.firstTokenAt;
  const streaming = node.firstTokenAt === undefined ? 0 : now - node.firstTokenAt;
  return {
    tokens,
    elapsedMs: since === undefined ? null : Math.max(0, now - since),
    tokensPerSecond: streaming > 0 && tokens > 1 ? tokens / (streaming / 1000) : null,
  };
}

export function liveProgressText(progress: LiveProgress): string {
  return [
    `${progress.tokens} tok`,
    progress.elapsedMs !== null && formatDuration(progress.elapsedMs),
    progress.tokensPerSecond !== null && `${progress.tokensPerSecond.toFixed(1)} tok/s`,
  ]
    .filter(Boolean)
    .join(" · ");
}
