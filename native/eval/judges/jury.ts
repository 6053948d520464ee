// Several judges on one answer: majority for pairwise outcomes and checklist criteria, the mean for rubric
// ratings; and how far the judges agree over a whole column (Cohen's κ for two judges on categories,
// Krippendorff's α for more, or interval α for ratings).
import type { AgreementMeasure } from "../../protocol/experiment-results.ts";
import { cohenKappa, krippendorffAlpha } from "./agreement.ts";
import { checklistScore, type ChecklistJudgement, type PairOutcome, type PairwiseJudgement, type RubricJudgement } from "./graders.ts";

/**
 * The outcome more than half the readable judges gave; a tie when none has a majority (a split jury names no
 * winner, like a flip). null when no judge was readable.
 */
export function pairwiseMajority(judgements: readonly Pick<PairwiseJudgement, "outcome">[]): PairOutcome | null {
  const readable = judgements.map((j) => j.outcome).filter((o): o is PairOutcome => o !== null);
  if (!readable.length) return null;
  for (const outcome of ["win", "loss", "tie"] as const) if (readable.filter((o) => o === outcome).length * 2 > readable.length) return outcome;
  return "tie";
}

/** Per criterion: passed when more than half the readable judges said yes (an even split is not a pass). */
export function checklistMajority(judgements: readonly Pick<ChecklistJudgement, "passed">[]): {
  passed: Array<boolean | null>;
  score: number;
  correct: boolean;
} {
  const criteria = Math.max(0, ...judgements.map((j) => j.passed.length));
  const passed = Array.from({ length: criteria }, (_, c) => {
    const votes = judgements.map((j) => j.passed[c]).filter((v): v is boolean => v !== null && v !== undefined);
    if (!votes.length) return null;
    return votes.filter(Boolean).length * 2 > votes.length;
  });
  return { passed, ...checklistScore(passed) };
}

/** The mean of the readable ratings; null when none was readable. */
export function rubricMean(judgements: readonly Pick<RubricJudgement, "rating">[]): number | null {
  const ratings = judgements.map((j) => j.rating).filter((r): r is number => r !== null);
  return ratings.length ? ratings.reduce((a, b) => a + b, 0) / ratings.length : null;
}

export interface JuryAgreement {
  measure: AgreementMeasure;
  value: number;
  /** Units the measure was computed on (comparisons, criteria or answers rated by at least two judges). */
  units: number;
}

/**
 * Agreement of the judges over a column: `units` holds, per unit (an answer, or one criterion of one answer), each
 * judge's label in jury order (null: unreadable). Two judges on categories: Cohen's κ over the units both read;
 * more: Krippendorff's α (nominal). Ratings: interval α for any number of judges.
 */
export function juryAgreement(units: ReadonlyArray<ReadonlyArray<string | number | null>>, kind: "categories" | "ratings"): JuryAgreement | null {
  const judges = Math.max(0, ...units.map((u) => u.length));
  if (judges < 2) return null;
  if (kind === "categories" && judges === 2) {
    const both = units.filter((u) => u[0] !== null && u[0] !== undefined && u[1] !== null && u[1] !== undefined);
    return {
      measure: "cohen-kappa",
      value: cohenKappa(
        both.map((u) => u[0]),
        both.map((u) => u[1]),
      ),
      units: both.length,
    };
  }
  const table = Array.from({ length: judges }, (_, j) => units.map((u) => u[j] ?? null));
  const rated = units.filter((u) => u.filter((v) => v !== null && v !== undefined).length >= 2).length;
  const level = kind === "ratings" ? "interval" : "nominal";
  return { measure: `krippendorff-alpha-${level}`, value: krippendorffAlpha(table, level), units: rated };
}
