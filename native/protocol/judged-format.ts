// A judged column in words, one line: what the CLI prints, the HTML report shows and the compare view can reuse.
import type { JudgedColumn } from "./experiment-results.ts";

const percent = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : "–");
const interval = (j: JudgedColumn, format: (x: number) => string) => `[${format(j.interval[0])}, ${format(j.interval[1])}]`;

export const AGREEMENT_LABELS = {
  "cohen-kappa": "Cohen's κ",
  "krippendorff-alpha-nominal": "Krippendorff's α (nominal)",
  "krippendorff-alpha-interval": "Krippendorff's α (interval)",
} as const;

export function describeJudged(j: JudgedColumn): string {
  const jury = `${j.judges.length > 1 ? "jury" : "judge"} ${j.judges.join(", ")}`;
  const unreadable = j.unreadable ? ` (${j.unreadable} unreadable)` : "";
  const agreement = j.agreement
    ? ` · ${AGREEMENT_LABELS[j.agreement.measure]} ${Number.isFinite(j.agreement.value) ? j.agreement.value.toFixed(2) : "–"} on ${j.agreement.units}`
    : "";
  if (j.grader === "pairwise") {
    const lengths = (j.byLength ?? []).map((b) => `${b.bucket} ${percent(b.winRate)} (${b.comparisons})`).join(", ");
    return (
      `pairwise vs ${j.baseline ?? "baseline"} (${jury}): ${j.win}/${j.tie}/${j.loss} W/T/L on ${j.items} items${unreadable}, win rate ${percent(j.score)} ${interval(j, percent)}` +
      ` · position flips ${percent(j.positionFlipRate ?? Number.NaN)} (first ${j.followedFirst ?? 0}, second ${j.followedSecond ?? 0})` +
      `${lengths ? ` · by length: ${lengths}` : ""}${agreement}`
    );
  }
  if (j.grader === "checklist")
    return `checklist (${jury}): ${percent(j.score)} of criteria ${interval(j, percent)}, all passed on ${percent(j.correct ?? Number.NaN)} of ${j.items} items${unreadable}${agreement}`;
  const rating = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "–");
  return `rubric (${jury}): mean rating ${rating(j.score)}/10 ${interval(j, rating)} on ${j.items} items${unreadable}${agreement}`;
}
