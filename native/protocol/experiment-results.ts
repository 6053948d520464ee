// What an experiment produces, defined once: the checkpoint line of each cell and the statistics over them. The
// engine writes and computes these (native/eval/), the CLI prints them, the compare view and the report draw them.

export interface PairedComparison {
  items: number;
  baselineAccuracy: number;
  accuracy: number;
  /** accuracy − baseline accuracy. */
  difference: number;
  /** Paired bootstrap 95% interval of the difference (items resampled, pairs kept). */
  differenceInterval: [number, number];
  wins: number;
  ties: number;
  losses: number;
  pValue: number;
  /** Odds ratio of the discordant pairs (wins / losses), with ½ added to both when one is 0. */
  oddsRatio: number;
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
}

export interface CellResult {
  item: number;
  itemId: string;
  column: string;
  runId: string;
  status: "finished" | "failed";
  correct: boolean | null;
  /** The first draft's correctness: the "before" of the refinement transition. */
  initialCorrect: boolean | null;
  answer: string | null;
  pathTokens: number;
  totalTokens: number;
  wallMs: number;
  /** Generations replayed from the cache instead of generated (their tokens still count in the totals). */
  cachedGenerations?: number;
  trajectory?: TrajectoryPoint[];
  failure?: string;
}

export interface ColumnSummary {
  column: string;
  items: number;
  accuracy: number;
  /** Wilson 95% interval of the accuracy. */
  interval: [number, number];
  failed: number;
  meanPathTokens: number;
  meanTotalTokens: number;
  meanWallMs: number;
  tokensPerSecond: number;
  versusBaseline: PairedComparison | null;
  transitions: Transitions | null;
  /** Refinement dynamics: the k-th candidate of each run (draft, then revisions): its accuracy and mean critic score. */
  dynamics: Array<{ candidate: number; items: number; accuracy: number; meanScore: number | null }>;
}

export interface ExperimentSummary {
  baseline: string;
  columns: ColumnSummary[];
  /** Accuracy against mean total tokens; the frontier is what the PDR paper plots. */
  pareto: Array<{ id: string; tokens: number; accuracy: number }>;
  /**
   * Budget-matched comparison: at each column's mean total tokens B, every column's anytime accuracy — the answer
   * each run held when it had spent B tokens (its final answer if it finished within B, none before its first).
   */
  budgetMatched: Array<{ budget: number; accuracy: Record<string, number> }>;
}

export interface FieldBreakdown {
  field: string;
  rows: Array<{ value: string; items: number; accuracy: Record<string, number> }>;
}
