// A step verifier's per-step scores made into one number for a solution or a prefix, as search-and-learn's
// aggregate_scores (src/sal/utils/score.py) does: the weakest step (min), the chance that every step is right
// (product), or the verifier's view of the latest step (last: the repo's default, and what its score() uses).
import { latestScore, type RunNode } from "../protocol/state.ts";

export const STEP_AGGREGATES = ["last", "min", "product"] as const;
export type StepAggregate = (typeof STEP_AGGREGATES)[number];

/** One number from step scores in [0, 1]; like the repo, there is no aggregate of no steps. */
export function aggregateStepScores(scores: readonly number[], how: StepAggregate): number {
  if (scores.length === 0) throw new Error("a step verifier's aggregate needs at least one step score");
  if (how === "min") return Math.min(...scores);
  if (how === "product") return scores.reduce((a, b) => a * b, 1);
  return scores.at(-1)!;
}

/**
 * A candidate's step scores in [0, 1] from its latest critic verdict (0–10 per step). A verdict without steps
 * counts its overall score as one step, and an unreadable verdict scores 0: a verifier that says nothing
 * usable must not outrank one that judged the solution.
 */
export function stepScoresOf(node: RunNode): number[] {
  const score = latestScore(node, "critic");
  const steps = (score?.steps ?? []).map((step) => (step.score ?? 0) / 10);
  return steps.length ? steps : [(score?.value ?? 0) / 10];
}

/** The verifier's score of a candidate: its step scores aggregated. */
export const verifierScore = (node: RunNode, how: StepAggregate): number => aggregateStepScores(stepScoresOf(node), how);
