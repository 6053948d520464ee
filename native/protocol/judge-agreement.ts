// A judge measured against human labels (refinery judge-eval, and the compare tab's "Evaluate a judge"): the
// figures each mode reports, defined once for the engine, the CLI and the UI. Over JSON a figure with no value
// (no decisive pair, no spread to correlate) arrives as null.

export const JUDGE_EVAL_MODES = ["pairwise", "score", "claims"] as const;
export type JudgeEvalMode = (typeof JUDGE_EVAL_MODES)[number];

export interface PairwiseFigures {
  mode: "pairwise";
  format: string;
  items: number;
  /** Judged pairs whose verdict could be read in both orders. */
  readable: number;
  /** Share of the pairs people preferred one answer in that the judge picked the same one. */
  accuracy: number;
  /** Pairs people preferred one answer in (the accuracy's denominator). */
  decisive: number;
  kappa: number;
  judgeTies: number;
  positionFlipRate: number;
  /** Of the decisive pairs with answers of different lengths: the share where the longer answer was preferred. */
  judgePrefersLonger: number;
  humansPreferLonger: number;
}

export interface ScoreFigures {
  mode: "score";
  format: string;
  items: number;
  readable: number;
  spearman: number;
  meanAbsoluteError: number;
  /** Spearman's ρ between ratings and the answers' length in words: the judge's, and the people's. */
  judgeLengthCorrelation: number;
  humanLengthCorrelation: number;
}

/** MetaCritique's Meta-Precision, measured: the judge's true/false on each claim of a critique against people's. */
export interface ClaimsFigures {
  mode: "claims";
  format: string;
  /** Critiques judged. */
  items: number;
  claims: number;
  /** Claims with a readable verdict. */
  readable: number;
  /** Share of all claims judged as people labelled them (unreadable ones count as misses). */
  accuracy: number;
  kappa: number;
  /** Share of readable claims the judge called true, and people did. */
  judgeTrueRate: number;
  humanTrueRate: number;
  /** Per critique, its precision (share of claims true) by the judge against people's: MAE and Spearman's ρ. */
  precisionMeanAbsoluteError: number;
  precisionSpearman: number;
}

export type JudgeEvalFigures = PairwiseFigures | ScoreFigures | ClaimsFigures;

export interface JudgeEvalEvent {
  type: "judge-eval";
  evalId: string;
  dataset: string;
  /** The judge as the UI names models (a file's name, an endpoint's served model and host). */
  judge: string;
  state: "running" | "finished" | "failed" | "cancelled";
  done: number;
  total: number;
  /** Once finished: agreement with people, position flips and length bias. */
  figures?: JudgeEvalFigures;
  /** Where every row (human label against the judge's) was written. */
  resultPath?: string;
  error?: string;
}

const percent = (x: number | null) => (x !== null && Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : "–");
const number = (x: number | null, digits = 2) => (x !== null && Number.isFinite(x) ? x.toFixed(digits) : "–");

/** The figures as labelled parts ("accuracy 61.2%", "Cohen's κ 0.21", …), in the order a reader needs them. */
export function judgeFigureParts(f: JudgeEvalFigures): Array<{ key: string; label: string; value: string }> {
  if (f.mode === "pairwise")
    return [
      { key: "accuracy", label: `accuracy on the ${f.decisive} pairs people did not tie`, value: percent(f.accuracy) },
      { key: "kappa", label: "Cohen's κ", value: number(f.kappa) },
      { key: "flip-rate", label: "position flips", value: percent(f.positionFlipRate) },
      { key: "length-bias", label: "prefers the longer answer (people)", value: `${percent(f.judgePrefersLonger)} (${percent(f.humansPreferLonger)})` },
      { key: "readable", label: "readable in both orders", value: `${f.readable}/${f.items}` },
    ];
  if (f.mode === "claims")
    return [
      { key: "accuracy", label: `accuracy on ${f.claims} claims`, value: percent(f.accuracy) },
      { key: "kappa", label: "Cohen's κ", value: number(f.kappa) },
      { key: "true-rate", label: "called true (people)", value: `${percent(f.judgeTrueRate)} (${percent(f.humanTrueRate)})` },
      { key: "precision", label: "Meta-Precision MAE · ρ", value: `${number(f.precisionMeanAbsoluteError)} · ${number(f.precisionSpearman)}` },
      { key: "readable", label: "readable", value: `${f.readable}/${f.claims}` },
    ];
  return [
    { key: "spearman", label: "Spearman ρ", value: number(f.spearman) },
    { key: "mae", label: "mean absolute error (1–10)", value: number(f.meanAbsoluteError) },
    { key: "length-bias", label: "ρ(rating, length) judge (people)", value: `${number(f.judgeLengthCorrelation)} (${number(f.humanLengthCorrelation)})` },
    { key: "readable", label: "readable", value: `${f.readable}/${f.items}` },
  ];
}
