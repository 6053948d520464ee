// A judge measured against people before it is trusted. Pairwise: the judge compares each labelled pair in both
// orders (a flip is a tie); agreement is accuracy on the pairs people did not tie (a judge's tie counts as a miss)
// and Cohen's κ over all pairs (A, B, tie), beside the judge's position-flip rate and a length-bias figure: how
// often the judge and the people prefer the longer answer when they prefer one. Scores: the judge rates each
// answer 1–10; agreement is Spearman's ρ and the mean absolute error against the people's mean rating, and the
// length bias is Spearman's ρ between the judge's ratings and the answers' lengths (beside the people's).
import type { ClaimsFigures, JudgeEvalMode, PairwiseFigures, ScoreFigures } from "../../protocol/judge-agreement.ts";
import type { ModelBackend } from "../../llm/backend.ts";
import { cohenKappa, meanAbsoluteError, spearman } from "./agreement.ts";
import { DEFAULT_JUDGE_SETTINGS, judgeClaims, judgePairwise, judgeRubric, type Judge } from "./graders.ts";
import { readLabelled, type HumanPreference, type LabelledSet } from "./human-labels.ts";
import { wordCount } from "./judged-summary.ts";

export interface PairwiseAgreement extends PairwiseFigures {
  rows: Array<{ id: string; human: HumanPreference; judge: HumanPreference | null; flipped: boolean }>;
}

export interface ScoreAgreement extends ScoreFigures {
  rows: Array<{ id: string; human: number; judge: number | null }>;
}

/** MetaCritique's Meta-Precision, measured: the judge's true/false on each claim of a critique against people's. */
export interface ClaimsAgreement extends ClaimsFigures {
  rows: Array<{ id: string; human: boolean[]; judge: Array<boolean | null> }>;
}

export type JudgeAgreement = PairwiseAgreement | ScoreAgreement | ClaimsAgreement;

export interface JudgeEvalOptions {
  seed?: number;
  maxTokens?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Of the decisive rows whose two answers differ in length, the share whose preferred answer is the longer. */
function longerShare(rows: ReadonlyArray<{ pick: HumanPreference | null; lengths: [number, number] }>): number {
  const decided = rows.filter((r) => (r.pick === "A" || r.pick === "B") && r.lengths[0] !== r.lengths[1]);
  if (!decided.length) return Number.NaN;
  return decided.filter((r) => (r.pick === "A") === r.lengths[0] > r.lengths[1]).length / decided.length;
}

export async function evaluateJudge(set: LabelledSet, judge: Judge, options: JudgeEvalOptions = {}): Promise<JudgeAgreement> {
  const settings = (index: number) => ({
    ...DEFAULT_JUDGE_SETTINGS,
    ...(options.maxTokens ? { maxTokens: options.maxTokens } : {}),
    seed: (options.seed ?? 0) + index * 2,
    signal: options.signal,
  });
  if (set.mode === "pairwise") {
    const rows: PairwiseAgreement["rows"] = [];
    const lengths: Array<[number, number]> = [];
    for (const [index, item] of set.items.entries()) {
      options.signal?.throwIfAborted();
      // Answer A stands as the candidate: a win is A preferred, a loss B.
      const judged = await judgePairwise(judge, item.question, item.answerA, item.answerB, undefined, settings(index));
      const pick = judged.outcome === null ? null : judged.outcome === "win" ? "A" : judged.outcome === "loss" ? "B" : "tie";
      rows.push({ id: item.id, human: item.human, judge: pick, flipped: judged.flipped });
      lengths.push([wordCount(item.answerA), wordCount(item.answerB)]);
      options.onProgress?.(index + 1, set.items.length);
    }
    const readable = rows.filter((r) => r.judge !== null);
    const decisive = rows.filter((r) => r.human !== "tie");
    return {
      mode: "pairwise",
      format: set.format,
      items: rows.length,
      readable: readable.length,
      accuracy: decisive.length ? decisive.filter((r) => r.judge === r.human).length / decisive.length : Number.NaN,
      decisive: decisive.length,
      kappa: cohenKappa(
        readable.map((r) => r.human),
        readable.map((r) => r.judge),
      ),
      judgeTies: readable.filter((r) => r.judge === "tie").length,
      positionFlipRate: readable.length ? readable.filter((r) => r.flipped).length / readable.length : Number.NaN,
      judgePrefersLonger: longerShare(rows.map((r, i) => ({ pick: r.judge, lengths: lengths[i]! }))),
      humansPreferLonger: longerShare(rows.map((r, i) => ({ pick: r.human, lengths: lengths[i]! }))),
      rows,
    };
  }
  if (set.mode === "claims") {
    const rows: ClaimsAgreement["rows"] = [];
    for (const [index, item] of set.items.entries()) {
      options.signal?.throwIfAborted();
      const { verdicts } = await judgeClaims(judge, item.question, item.answer, item.reference, item.claims, settings(index));
      rows.push({ id: item.id, human: item.human, judge: verdicts });
      options.onProgress?.(index + 1, set.items.length);
    }
    const pairs = rows.flatMap((r) => r.human.map((human, i) => ({ human, judge: r.judge[i] ?? null })));
    const readable = pairs.filter((p) => p.judge !== null);
    const share = (values: boolean[]) => (values.length ? values.filter(Boolean).length / values.length : Number.NaN);
    const precisions = rows
      .filter((r) => r.judge.some((v) => v !== null))
      .map((r) => ({ human: share(r.human), judge: share(r.judge.filter((v): v is boolean => v !== null)) }));
    return {
      mode: "claims",
      format: set.format,
      items: rows.length,
      claims: pairs.length,
      readable: readable.length,
      accuracy: pairs.length ? pairs.filter((p) => p.judge === p.human).length / pairs.length : Number.NaN,
      kappa: cohenKappa(
        readable.map((p) => p.human),
        readable.map((p) => p.judge),
      ),
      judgeTrueRate: share(readable.map((p) => p.judge!)),
      humanTrueRate: share(readable.map((p) => p.human)),
      precisionMeanAbsoluteError: meanAbsoluteError(
        precisions.map((p) => p.human),
        precisions.map((p) => p.judge),
      ),
      precisionSpearman: spearman(
        precisions.map((p) => p.human),
        precisions.map((p) => p.judge),
      ),
      rows,
    };
  }
  const rows: ScoreAgreement["rows"] = [];
  for (const [index, item] of set.items.entries()) {
    options.signal?.throwIfAborted();
    const judged = await judgeRubric(judge, item.question, item.answer, undefined, settings(index));
    rows.push({ id: item.id, human: item.human, judge: judged.rating });
    options.onProgress?.(index + 1, set.items.length);
  }
  const readable = rows.map((r, i) => ({ ...r, length: wordCount(set.items[i]!.answer) })).filter((r) => r.judge !== null);
  const judgeRatings = readable.map((r) => r.judge!);
  const humanRatings = readable.map((r) => r.human);
  return {
    mode: "score",
    format: set.format,
    items: rows.length,
    readable: readable.length,
    spearman: spearman(humanRatings, judgeRatings),
    meanAbsoluteError: meanAbsoluteError(humanRatings, judgeRatings),
    judgeLengthCorrelation: spearman(
      judgeRatings,
      readable.map((r) => r.length),
    ),
    humanLengthCorrelation: spearman(
      humanRatings,
      readable.map((r) => r.length),
    ),
    rows,
  };
}

const num = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "–");
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : "–");

export function describeJudgeAgreement(judge: string, a: JudgeAgreement): string {
  if (a.mode === "pairwise")
    return [
      `${judge} against people on ${a.items} ${a.format} pairs (${a.readable} readable in both orders):`,
      `  accuracy ${pct(a.accuracy)} on the ${a.decisive} pairs people did not tie (ties and unreadable verdicts count as misses) · Cohen's κ ${num(a.kappa)} on the readable · judge ties ${a.judgeTies}`,
      `  position flips ${pct(a.positionFlipRate)} · prefers the longer answer ${pct(a.judgePrefersLonger)} (people ${pct(a.humansPreferLonger)})`,
    ].join("\n");
  if (a.mode === "claims")
    return [
      `${judge} against people on ${a.claims} claims of ${a.items} ${a.format} critiques (${a.readable} readable):`,
      `  accuracy ${pct(a.accuracy)} (unreadable verdicts count as misses) · Cohen's κ ${num(a.kappa)} on the readable · called true ${pct(a.judgeTrueRate)} (people ${pct(a.humanTrueRate)})`,
      `  Meta-Precision per critique: mean absolute error ${num(a.precisionMeanAbsoluteError)} · Spearman ρ ${num(a.precisionSpearman)}`,
    ].join("\n");
  return [
    `${judge} against people on ${a.items} ${a.format} ratings (${a.readable} readable):`,
    `  Spearman ρ ${num(a.spearman)} · mean absolute error ${num(a.meanAbsoluteError)} on 1–10`,
    `  length bias: ρ(rating, length) ${num(a.judgeLengthCorrelation)} for the judge, ${num(a.humanLengthCorrelation)} for people`,
  ].join("\n");
}

/** Reads the labelled file, opens the judge, measures it: the CLI's entry point. */
export async function runJudgeEval(
  request: { dataset: string; mode?: JudgeEvalMode; limit?: number; seed?: number; maxTokens?: number },
  openJudge: () => Promise<{ label: string; backend: ModelBackend }>,
  options: Omit<JudgeEvalOptions, "seed" | "maxTokens"> = {},
): Promise<JudgeAgreement> {
  // The file first: a wrong file is refused before any model loads.
  const set = await readLabelled(request.dataset, { limit: request.limit, mode: request.mode });
  const judge = await openJudge();
  return evaluateJudge(set, judge, {
    ...options,
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.maxTokens ? { maxTokens: request.maxTokens } : {}),
  });
}
