// A column's judged score from its judged cells: the jury's mean score with an interval, and for pairwise grading
// win/tie/loss, the position-flip rate and the win rate by length difference (a judge that likes long answers shows
// as a win rate that climbs with the answer's length); the jury's agreement beside it.
import type { JudgedCell, JudgedColumn, JudgeVerdict } from "../../protocol/experiment-results.ts";
import { bootstrapInterval, mean, pairedBootstrapInterval } from "../stats.ts";
import { juryAgreement } from "./jury.ts";

/** Relative length difference, (candidate − baseline) / longer, beyond which an answer counts as longer or shorter. */
export const LENGTH_BAND = 0.25;

export function lengthBucket(candidate: number, baseline: number): "shorter" | "similar" | "longer" {
  const longer = Math.max(candidate, baseline);
  const difference = longer === 0 ? 0 : (candidate - baseline) / longer;
  return difference <= -LENGTH_BAND ? "shorter" : difference >= LENGTH_BAND ? "longer" : "similar";
}

export function wordCount(text: string | null): number {
  return (text?.match(/\S+/g) ?? []).length;
}

type PairVerdict = Extract<JudgeVerdict, { outcome: unknown }>;
const isPair = (v: JudgeVerdict): v is PairVerdict => "outcome" in v;

/** The position statistics over every judge's verdicts on every comparison. */
export function positionStatistics(verdicts: readonly PairVerdict[]): Pick<JudgedColumn, "positionFlipRate" | "followedFirst" | "followedSecond"> {
  const read = verdicts.filter((v) => v.candidateFirst !== null && v.baselineFirst !== null);
  return {
    positionFlipRate: read.length ? read.filter((v) => v.flipped).length / read.length : Number.NaN,
    followedFirst: read.filter((v) => v.followedPosition === "first").length,
    followedSecond: read.filter((v) => v.followedPosition === "second").length,
  };
}

export function summarizeJudged(cells: readonly JudgedCell[]): JudgedColumn | null {
  const first = cells[0];
  if (!first) return null;
  const judges = first.verdicts.map((v) => v.judge);
  const readable = cells.filter((c) => c.score !== null);
  const scores = readable.map((c) => c.score!);
  const base = { grader: first.grader, judges, items: readable.length, unreadable: cells.length - readable.length };
  if (first.grader === "pairwise") {
    const win = readable.filter((c) => c.outcome === "win").length;
    const loss = readable.filter((c) => c.outcome === "loss").length;
    const tie = readable.length - win - loss;
    const [lo, hi] = pairedBootstrapInterval(win, loss, readable.length);
    const buckets = (["shorter", "similar", "longer"] as const).map((bucket) => {
      const inBucket = readable.filter((c) => c.lengths && lengthBucket(c.lengths.candidate, c.lengths.baseline) === bucket);
      const w = inBucket.filter((c) => c.outcome === "win").length;
      const l = inBucket.filter((c) => c.outcome === "loss").length;
      return {
        bucket,
        comparisons: inBucket.length,
        win: w,
        tie: inBucket.length - w - l,
        loss: l,
        winRate: inBucket.length ? (w + (inBucket.length - w - l) / 2) / inBucket.length : Number.NaN,
      };
    });
    return {
      ...base,
      score: mean(scores),
      // The paired interval is of (wins − losses) / n; the win rate with ties half is (1 + that) / 2.
      interval: [(1 + lo) / 2, (1 + hi) / 2],
      win,
      tie,
      loss,
      ...positionStatistics(cells.flatMap((c) => c.verdicts.filter(isPair))),
      byLength: buckets.filter((b) => b.comparisons > 0),
      ...(first.baseline ? { baseline: first.baseline } : {}),
      ...agreementOf(cells, (v) => (isPair(v) ? v.outcome : null), "categories"),
    };
  }
  if (first.grader === "checklist") {
    return {
      ...base,
      score: mean(scores),
      interval: bootstrapInterval(scores),
      correct: mean(readable.map((c) => Number(c.correct === true))),
      // Units are criteria: each judge's yes/no on each criterion of each answer.
      ...agreementOfUnits(
        cells.flatMap((c) => {
          const criteria = Math.max(0, ...c.verdicts.map((v) => ("passed" in v ? v.passed.length : 0)));
          return Array.from({ length: criteria }, (_, k) =>
            c.verdicts.map((v) => {
              const passed = "passed" in v ? v.passed[k] : undefined;
              return passed === undefined || passed === null ? null : passed ? "yes" : "no";
            }),
          );
        }),
        "categories",
      ),
    };
  }
  return { ...base, score: mean(scores), interval: bootstrapInterval(scores), ...agreementOf(cells, (v) => ("rating" in v ? v.rating : null), "ratings") };
}

function agreementOf(cells: readonly JudgedCell[], label: (v: JudgeVerdict) => string | number | null, kind: "categories" | "ratings") {
  return agreementOfUnits(
    cells.map((c) => c.verdicts.map(label)),
    kind,
  );
}

function agreementOfUnits(units: Array<Array<string | number | null>>, kind: "categories" | "ratings"): Pick<JudgedColumn, "agreement"> {
  const agreement = juryAgreement(units, kind);
  return agreement ? { agreement } : {};
}
