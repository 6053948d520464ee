// How a critic-scored selection chose, named on the select node (its step) so the inspector can say it: Best-of-N
// chose a candidate its critic marked ✗ 7/10 over three marked ✓ 6/10 and nothing said that the score alone decides.

/** `score`: the paper's argmax of the critic's score (DSPy's BestOfN, Cobbe et al.); `verdict-then-score`: a
 * candidate the critic judged correct beats one without a verdict, which beats one judged wrong; the score
 * decides within each. */
export const SELECT_RULES = ["score", "verdict-then-score"] as const;
export type SelectRule = (typeof SELECT_RULES)[number];

/** The select node's step for each rule. */
export const SELECT_RULE_STEPS: Record<SelectRule, string> = { score: "argmax-score", "verdict-then-score": "verdict-then-score" };

const RULE_TEXT: Record<string, string> = {
  "argmax-score": "the highest critic score (argmax, as DSPy's BestOfN and the papers); the verdict does not count",
  "final-select": "the highest critic score (argmax); the verdict does not count",
  "verdict-then-score": "the critic's verdict first (✓ before no verdict before ✗), then the highest critic score",
};

/** What chose a select node's winner, in the user's words; null for selections with their own rule (a search's Q,
 * a selector model, the paper's last answer) that the node's text explains. */
export function selectionRuleText(step: string): string | null {
  return RULE_TEXT[step] ?? null;
}
