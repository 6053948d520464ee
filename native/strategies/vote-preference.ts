// Which candidate a majority vote returns when answers tie (and which of the winning answer's candidates
// stands for it). A strategy that has a meaningful order — the latest refinement, a critic's score — says so
// with a preference; the vote never falls back to the order candidates happen to be listed in.
import type { RunNode } from "../protocol/state.ts";
import { latestScore } from "../protocol/state.ts";

export interface VotePreference {
  /** Shown in the vote node, so the tree says how a tie was broken. */
  label: string;
  /** Negative when a is preferred over b. */
  compare: (a: RunNode, b: RunNode) => number;
}

/** A reproducible order that does not depend on position: the node id hashed with the run's seed. */
export function seededRank(nodeId: string, seed: number): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < nodeId.length; i++) h = Math.imul(h ^ nodeId.charCodeAt(i), 16777619) >>> 0;
  return h;
}

const criticValue = (node: RunNode) => latestScore(node, "critic")?.value ?? -1;

/**
 * The latest refinement first (highest iteration), then the higher critic score, then the run's seed.
 * A chain's latest version is the one a sequential reader would return; the score separates parallel chains
 * at the same round; the seed only settles exact ties, reproducibly.
 */
export function latestThenScore(seed: number): VotePreference {
  return {
    label: "latest refinement, then critic score, then the run's seed",
    compare: (a, b) => b.iteration - a.iteration || criticValue(b) - criticValue(a) || seededRank(a.id, seed) - seededRank(b.id, seed),
  };
}

/**
 * The earliest round first (lowest iteration), then the run's seed. The repo's `Counter.most_common` keeps the first
 * answer seen, and its records are written round by round; chains of one round are exchangeable samples, so the
 * seed settles them rather than their position.
 */
export function earliestThenSeed(seed: number): VotePreference {
  return {
    label: "earliest round, then the run's seed",
    compare: (a, b) => a.iteration - b.iteration || seededRank(a.id, seed) - seededRank(b.id, seed),
  };
}

/**
 * Among the answers with the most votes, the one holding the most preferred candidate wins, and that
 * candidate stands for it. `groups` maps each answer key to its candidates.
 */
export function preferredWinner(groups: Map<string, RunNode[]>, prefer: VotePreference): { key: string; node: RunNode; tied: number } | null {
  const top = Math.max(0, ...[...groups.values()].map((nodes) => nodes.length));
  const contenders = [...groups.entries()].filter(([, nodes]) => nodes.length === top && top > 0);
  let best: { key: string; node: RunNode } | null = null;
  for (const [key, nodes] of contenders) {
    const node = [...nodes].sort(prefer.compare)[0]!;
    if (!best || prefer.compare(node, best.node) < 0) best = { key, node };
  }
  return best ? { ...best, tied: contenders.length } : null;
}
