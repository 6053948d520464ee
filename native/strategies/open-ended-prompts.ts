// Prompts of the open-ended refinement strategies: RefineBench's guided and self refinement (feedback from the
// failed checklist items, or none), Think Thrice / PTR's generic "improve your previous answer", and EVOLVE's
// revision that is kept only if its score rises.
import { strictObject } from "./verdicts.ts";

export const openEndedPrompts = {
  /** RefineBench's self-refinement turn: no feedback, the model looks again on its own. */
  selfRefine: "Review your previous answer carefully. Find anything that is missing, wrong or unclear, and write an improved, complete answer.",
  /** Guided refinement: the criteria the last answer failed, in the checklist's words. */
  guidedRefine:
    "Your previous answer does not yet meet these requirements:\n{feedback}\n\nRevise your answer so that it meets them, and write the complete improved answer.",
  selfCheck:
    "[Question]\n{question}\n\n[Your Answer]\n{answer}\n\nDecide whether this answer still needs revising. Write your reasoning in 'reasoning' first, then 'yes' in 'revise' if it should be revised, 'no' if it is complete and correct.",
  /** Think Thrice / PTR: a generic request with no critic. */
  progressive:
    "Please review your previous answer and improve it: correct any mistakes, fill in what is missing and make it clearer. Write the complete improved answer.",
  /** EVOLVE: a revision from the critic's feedback. */
  reviseWithFeedback: "Here is feedback on your previous answer:\n{feedback}\n\nWrite an improved, complete answer that addresses it.",
} as const;

export const selfCheckSchema = strictObject({
  reasoning: { type: "string", maxLength: 800 },
  revise: { enum: ["yes", "no"] },
});
