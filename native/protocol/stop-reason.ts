// Why a run stopped, recorded with its end so a cell cut by a budget or a limit can be told from one whose
// procedure finished: an experiment whose token cap stops Self-Refine before its first revision otherwise looks
// like single-pass with nothing marking it.

export const STOP_REASONS = ["finished", "accepted", "max-iterations", "token-budget", "context-full", "answer-cut", "failed"] as const;
export type StopReason = (typeof STOP_REASONS)[number];

/** How the grid, the report and replay say each reason. */
export const STOP_REASON_LABELS: Record<StopReason, string> = {
  finished: "finished by the procedure",
  accepted: "accepted by the critic",
  "max-iterations": "max iterations",
  "token-budget": "token budget",
  "context-full": "context full",
  "answer-cut": "answer cut at max tokens",
  failed: "failed",
};

/** Reasons that mean a budget or a limit stopped the run, not its procedure. */
export const CUT_REASONS: ReadonlySet<StopReason> = new Set(["token-budget", "context-full", "answer-cut"]);

/**
 * The reason a finished run records. A budget or limit the run hit outranks what the strategy said of its own
 * loop: the token gate refused another step; a prompt did not fit the context; the selected answer reached its
 * max tokens. Otherwise the strategy's own reason (the critic accepted, the iterations ran out), or "finished".
 */
export function decideStopReason(facts: {
  declared?: "accepted" | "max-iterations";
  budgetRefused: boolean;
  contextCut: boolean;
  selectedAnswerCut: boolean;
}): StopReason {
  if (facts.budgetRefused) return "token-budget";
  if (facts.contextCut) return "context-full";
  if (facts.selectedAnswerCut) return "answer-cut";
  return facts.declared ?? "finished";
}
