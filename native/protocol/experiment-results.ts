// What an experiment produces, defined once: the checkpoint line of each cell and the statistics over them. The
// engine writes and computes these (native/eval/), the CLI prints them, the compare view and the report draw them.
import type { StopReason } from "./stop-reason.ts";
import type { EffectiveSampling } from "./sampling-policy.ts";

export interface PairedComparison {
  items: number;
  baselineAccuracy: number;
  accuracy: number;
  /** accuracy − baseline accuracy. */
  difference: number;
  /** Paired bootstrap 95% interval of the difference (items resampled, pairs kept, an item's repeats together). */
  differenceInterval: [number, number];
  /** Items (not cells) where the column beat the baseline over its repeats, tied, or lost. */
  wins: number;
  ties: number;
  losses: number;
  pValue: number;
  /** Odds ratio of the discordant pairs (wins / losses), with ½ added to both when one is 0. */
  oddsRatio: number;
  /** With repeats: the difference within each repeat (seed), and whether all have the overall difference's sign. */
  perRepeat?: { differences: number[]; signHolds: boolean };
}

export interface Transitions {
  correctToCorrect: number;
  correctToWrong: number;
  wrongToCorrect: number;
  wrongToWrong: number;
  /** Share of initially correct answers the strategy turned wrong. */
  harmRate: number;
  /** Share of initially wrong answers it fixed. */
  fixRate: number;
}

/** One candidate answer of a run (a draft, revision or distillate) in the order the run produced them. */
export interface TrajectoryPoint {
  iteration: number;
  /** All tokens the run had spent when this candidate was complete. */
  tokens: number;
  correct: boolean | null;
  /** The critic's latest score for this candidate (0–10), if it was scored. */
  score: number | null;
  /** The candidate's answer as a vote counts it (null: no answer); absent in results written before it was kept. */
  group?: string | null;
}

export interface CellResult {
  item: number;
  itemId: string;
  column: string;
  /** Which repeat of the item the cell is (seed + repeat); absent: 0, as in experiments without repeats. */
  repeat?: number;
  runId: string;
  status: "finished" | "failed";
  correct: boolean | null;
  /** The first draft's correctness: the "before" of the refinement transition. */
  initialCorrect: boolean | null;
  answer: string | null;
  pathTokens: number;
  /** The cost: prompt tokens evaluated plus generated ones, thought included. */
  totalTokens: number;
  /** Of totalTokens, the tokens the models spent thinking (absent in results written before they were counted). */
  thoughtTokens?: number;
  wallMs: number;
  /** Generations replayed from the cache instead of generated (their tokens still count in the totals). */
  cachedGenerations?: number;
  trajectory?: TrajectoryPoint[];
  /** Why the run stopped (absent in results written before it was recorded). */
  stopReason?: StopReason;
  /** The sampling the run's generations used (absent for failed cells and older results). */
  sampling?: EffectiveSampling;
  failure?: string;
  /** The run used what grades it (reference answers, grading tests): an upper bound, not a result. */
  oracle?: true;
  /**
   * The trajectory is n samples drawn independently from the same prompt (self-consistency, best-of-n without early
   * stopping): any k of them are what a k-sample run could have drawn, so the column yields a sampling frontier.
   */
  independentSamples?: true;
  /**
   * A multi-turn item's second turn (MT-Bench): a second run whose prompt carries the first turn's question and
   * this cell's answer to it. Its tokens and time are its own, not in the cell's totals.
   */
  secondTurn?: SecondTurnResult;
}

export interface SecondTurnResult {
  runId: string;
  status: "finished" | "failed";
  answer: string | null;
  totalTokens: number;
  wallMs: number;
  stopReason?: StopReason;
  failure?: string;
}

export interface ColumnSummary {
  column: string;
  items: number;
  /** Mean over items of each item's accuracy over its repeats. */
  accuracy: number;
  /**
   * 95% interval of the accuracy: Wilson's with one repeat; with several, the clustered bootstrap's (items resampled,
   * each with all its repeats), computed exactly.
   */
  interval: [number, number];
  /** Items whose correctness differs across repeats (seeds), by id: absent without repeats. */
  flaky?: string[];
  failed: number;
  meanPathTokens: number;
  meanTotalTokens: number;
  /** Mean thought tokens per item (part of meanTotalTokens, so of the accuracy-vs-tokens cost axis). */
  meanThoughtTokens: number;
  meanWallMs: number;
  tokensPerSecond: number;
  versusBaseline: PairedComparison | null;
  transitions: Transitions | null;
  /** Some of the column's runs used an oracle (see CellResult.oracle): its accuracy is an upper bound. */
  oracle?: true;
  /** The sampling the column's cells used, merged (absent when no cell recorded it). */
  sampling?: EffectiveSampling;
  /** Cells by why their run stopped (only reasons that occurred; cells written before it was recorded are not counted). */
  stops: Partial<Record<StopReason, number>>;
  /** Cells a budget or a limit stopped while they held only their first draft: nothing the strategy adds happened. */
  cutBeforeRevision: number;
  /** What cut them (the token budget, the context), when any were. */
  cutBeforeRevisionBy?: StopReason[];
  /** Said when most of the column's cells were cut before their first revision: it measured drafts, not the strategy. */
  warning?: string;
  /** This column against the sampling frontier at its own mean budget (absent when no column yields a frontier). */
  versusFrontier?: VersusFrontier;
  /** Refinement dynamics: the k-th candidate of each run (draft, then revisions): its accuracy and mean critic score. */
  dynamics: Array<{ candidate: number; items: number; accuracy: number; meanScore: number | null }>;
  /** How the experiment's judges graded the column (experiments with a grader; not the pairwise baseline). */
  judged?: JudgedColumn;
}

export interface ExperimentSummary {
  baseline: string;
  /** Seeds each (item, column) ran with: seed, seed + 1, …; every statistic averages an item over them. */
  repeats: number;
  columns: ColumnSummary[];
  /** Accuracy against mean total tokens; the frontier is what the PDR paper plots. */
  pareto: Array<{ id: string; tokens: number; accuracy: number }>;
  /**
   * Budget-matched comparison: at each column's mean total tokens B, every column's anytime accuracy — the answer
   * each run held when it had spent B tokens (its final answer if it finished within B, none before its first).
   */
  budgetMatched: Array<{
    budget: number;
    accuracy: Record<string, number>;
    /** The best sampling curve (maj@k, weighted vote@k or best-of-k; never the oracle pass@k) read at this budget. */
    bestSampling?: { column: string; measure: "majAtK" | "weightedVoteAtK" | "bestOfKAtK"; accuracy: number };
  }>;
  /** What every sampling column would score with k of its samples, k = 1…n (see FrontierCurve). */
  frontier: FrontierCurve[];
  /** Accuracy by item difficulty (absent when nothing says how hard an item is). */
  difficulty?: DifficultyPanel;
}

export interface DifficultyPanel {
  /** What the difficulty is measured by, in words. */
  basis: string;
  /** The bins in order: "0", "(0, ¼]", "(¼, ½]", "(½, ¾]", "(¾, 1)", "1" (pass rate, not accuracy of any column). */
  edges: string[];
  bins: Array<{ label: string; items: number; accuracy: Record<string, number> }>;
  /**
   * Choosing a column per bin among those at or under each budget: the choice made on all items, and the accuracy
   * it reaches cross-fitted (chosen on half the items, scored on the other half, both ways, averaged).
   */
  choice: Array<{ budget: number; accuracy: number; columns: Record<string, string> }>;
}

/** A sampling column's frontier at one k: expectations over uniformly random k-subsets of each item's samples. */
export interface FrontierPoint {
  k: number;
  /** Mean tokens per item at k: k/n of the column's cost per item (evaluated prompt + generated, thought included). */
  meanTokens: number;
  /** Unbiased pass@k, 1 − C(n−c, k)/C(n, k): an oracle (it knows which sample is right), not a strategy. */
  passAtK: number;
  /** Expected accuracy of a majority vote over k samples, ties split evenly; computed exactly. */
  majAtK: number;
  /** Expected accuracy of a critic-score-weighted vote over k samples (scored samples; k = 1, 2, 4, … and n). */
  weightedVoteAtK?: number;
  /** Expected accuracy of the highest-scored of k samples, ties drawn (scored samples); computed exactly. */
  bestOfKAtK?: number;
}

export interface FrontierCurve {
  column: string;
  /** From a column run only for the frontier (`--frontier n`), not one of the compared columns. */
  hidden?: true;
  /** Samples per item (the most any item has; an item with fewer keeps its value at its own count beyond it). */
  n: number;
  points: FrontierPoint[];
  /**
   * The k whose weighted vote was estimated from seeded random k-subsets (at least 5,000 over the column) rather than
   * by enumerating every subset (done when an item has at most 10,000); maj@k, pass@k and best-of-k are exact.
   */
  weightedVoteDrawnK?: number[];
}

export interface VersusFrontier {
  /** The sampling column compared with. */
  frontierColumn: string;
  /** The column's mean tokens per item, where the frontier is read. */
  budget: number;
  /** The frontier's maj@k at that budget, interpolated linearly in log tokens between its k. */
  frontierAccuracy: number;
  /** The column's accuracy − frontierAccuracy. */
  difference: number;
  /** Paired bootstrap 95% interval of the difference (items resampled, frontier value and correctness together). */
  differenceInterval: [number, number];
  /** With repeats: the difference within each seed (against that seed's samples), and whether all have its sign. */
  perRepeat?: { differences: number[]; signHolds: boolean };
}

export interface FieldBreakdown {
  field: string;
  rows: Array<{ value: string; items: number; accuracy: Record<string, number> }>;
}

/** How a judge model graded a column's answers (experiments run with --grader and --judge). */
export type GraderKind = "checklist" | "rubric" | "pairwise";
export type PairOutcome = "win" | "tie" | "loss";
export type AgreementMeasure = "cohen-kappa" | "krippendorff-alpha-nominal" | "krippendorff-alpha-interval";

/** One judge's verdict on one cell (its reasoning is on the judge nodes of the cell's tree). */
export type JudgeVerdict =
  | { judge: string; passed: Array<boolean | null> }
  | { judge: string; rating: number | null }
  | {
      judge: string;
      candidateFirst: "A" | "B" | "tie" | null;
      baselineFirst: "A" | "B" | "tie" | null;
      outcome: PairOutcome | null;
      flipped: boolean;
      followedPosition: "first" | "second" | null;
    };

/** A judged cell: a line of the experiment's judgements.jsonl. */
export interface JudgedCell {
  item: number;
  column: string;
  grader: GraderKind;
  /** Per judge, in the jury's order. */
  verdicts: JudgeVerdict[];
  /** The jury's score: checklist fraction passed (0–1), rubric mean rating (1–10), pairwise 1 / ½ / 0; null: unreadable. */
  score: number | null;
  /** Checklist: every criterion passed (by the jury's majority). */
  correct?: boolean;
  /** Pairwise: the jury's majority outcome against the baseline (null: no judge was readable). */
  outcome?: PairOutcome | null;
  /** Pairwise: what the answer was compared with (a column's name, or "reference"). */
  baseline?: string;
  /** Pairwise: the answers' lengths in words, for the length-controlled view. */
  lengths?: { candidate: number; baseline: number };
  /** Checklist: the jury's verdict per criterion. */
  passed?: Array<boolean | null>;
  /** The judge nodes added to the cell's run (the second turn's run when `turn` is 2). */
  nodeIds: string[];
  /** 2: the cell's second turn, judged with MT-Bench's multi-turn prompts; absent: the first. */
  turn?: 2;
}

export interface JudgedColumn {
  grader: GraderKind;
  judges: string[];
  /** Items judged with a readable jury verdict. */
  items: number;
  /** Items no judge could be read on (left out of the score). */
  unreadable: number;
  /** Checklist: mean fraction passed; rubric: mean rating (1–10); pairwise: win rate with ties counted half. */
  score: number;
  /** 95% interval of the score (checklist and rubric: bootstrap of the mean; pairwise: exact paired bootstrap). */
  interval: [number, number];
  /** Checklist: share of items with every criterion passed. */
  correct?: number;
  win?: number;
  tie?: number;
  loss?: number;
  /** Pairwise: share of (judge, comparison) pairs, both orders readable, whose verdict changed with the order. */
  positionFlipRate?: number;
  /** Pairwise: of those, the ones that picked the first (or second) position both times. */
  followedFirst?: number;
  followedSecond?: number;
  /** Pairwise: the win rate by how the answer's length compares with the baseline's (length-controlled view). */
  byLength?: Array<{ bucket: "shorter" | "similar" | "longer"; comparisons: number; win: number; tie: number; loss: number; winRate: number }>;
  baseline?: string;
  /** Between the jury's judges (two or more). */
  agreement?: { measure: AgreementMeasure; value: number; units: number };
  /** Multi-turn items (MT-Bench): the second turns, judged with the multi-turn prompts; the figures above are the first's. */
  secondTurn?: Omit<JudgedColumn, "secondTurn">;
}
