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

/** Reasons that stop the procedure itself, so a run may end before doing what its strategy adds to a draft. */
export const PROCEDURE_CUT_REASONS: ReadonlySet<StopReason> = new Set(["token-budget", "context-full"]);

/** What cut a run, as the cut-before-revision line says it. */
const CUT_BY: Partial<Record<StopReason, string>> = { "token-budget": "the token budget", "context-full": "the full context" };

/**
 * Whether a run was stopped by the token budget or the context while it held only its first draft (`candidates`:
 * the actor's drafts, revisions and distillates it completed): nothing a refining strategy adds to a draft happened.
 */
export function cutBeforeFirstRevision(stopReason: StopReason | undefined, candidates: number): boolean {
  return stopReason !== undefined && PROCEDURE_CUT_REASONS.has(stopReason) && candidates <= 1;
}

/** "3 of 10 cut by the token budget before their first revision" (reasons: those that cut them). */
export function cutBeforeRevisionWords(cut: number, of: number, reasons: readonly StopReason[]): string {
  const by = reasons.map((r) => CUT_BY[r] ?? STOP_REASON_LABELS[r]).join(" or ");
  return `${cut} of ${of} cut by ${by || "a budget"} before their first revision`;
}

/** How a run's end reads in its header and in `replay`: "token budget, before its first revision". */
export function stopWords(stopReason: StopReason, candidates: number): string {
  return `${STOP_REASON_LABELS[stopReason]}${cutBeforeFirstRevision(stopReason, candidates) ? ", before its first revision (only the first draft)" : ""}`;
}
