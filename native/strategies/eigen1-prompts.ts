// Eigen-1's prompts (tangxiangru/Eigen-1 configs/prompts/*_rag.txt) without their tool-use and retrieval
// instructions, which Refinery does not reproduce: the critic (with and without the judge's suggestion), the
// anchored repair (HSR), the quality judge and the selector. Answers end in Refinery's "The answer is" line.

const answerLine = "- You should not be overconfident in your knowledge and reasoning.\n- End with a final line of the form 'The answer is <answer>'.";

/** critic_user_rag.txt, and critic_user_rag_with_suggestion.txt when QAIR passes the judge's suggestion. */
export function criticPrompt(question: string, solution: string, suggestion?: string): string {
  const withSuggestion = suggestion !== undefined;
  return (
    `## Problem\n${question}\n\n## Student's Solution\n${solution}\n\n` +
    (withSuggestion ? `## Suggestion\n${suggestion}\n\n` : "") +
    `## Your Job\nYou should critically check the student's solution to the problem${withSuggestion ? " according to the suggestion" : ""}, then correct it if needed and write your own answer.\n\n${answerLine}`
  );
}

/** refine_user_rag.txt: one anchor, the other candidates as students' solutions to learn from. */
export function anchorRepairPrompt(question: string, anchor: string, references: string[]): string {
  return (
    `## Problem\n${question}\n\n## Anchor Solution\n${anchor}\n\n` +
    references.map((r, i) => `## Student ${i + 1}'s Solution\n${r}`).join("\n\n") +
    "\n\n## Your Job\nYou should critically check the Anchor Solution to the problem, then correct it if needed and write your own answer.\n" +
    "1. Identify its weak points (missing reasoning steps, calculation errors, unclear logic, etc.).\n" +
    "2. You can refer to other students' solutions for targeted improvements relevant to those weak points.\n" +
    "3. Please note that other students' solutions may have errors. Please refer to the points worth learning and make improvements.\n" +
    "4. Apply **repair strategies** if needed:\n   - Logic Completion (fill missing reasoning)\n   - Numerical Correction (fix calculation errors)\n   - Method Replacement (use a better method if needed)\n   - Expression Refinement (clarify presentation)\n\n" +
    "Only use improvements that directly address anchor's weak points. Avoid unnecessary information merging.\n\n" +
    answerLine
  );
}

/** quality_user_rag.txt, asking for the analysis and suggestion before the scores (see qualitySchema). */
export function qualityPrompt(question: string, solution: string): string {
  return (
    "You are an expert evaluator. Your task is to evaluate the given solution for the problem from multiple perspectives.\n\n" +
    `## Problem\n${question}\n\n## Candidate Solution\n${solution}\n\n` +
    "## Evaluation Dimensions\n1. Logical Reasonableness (0–5): Does the reasoning process follow valid logic?\n2. Answer Correctness (0–5): Is the final answer correct and reasonable?\n3. Explanation Completeness (0–5): Does the solution explain the reasoning clearly and completely?\n\n" +
    "## Output Format\nFirst write your 'analysis' and a 'suggestion': an improvement suggestion for this solution that could help refine it in the next iteration. Then give the scores 'logic', 'answer' and 'explanation'."
  );
}

/** select_user_rag.txt: verify each response, do not follow the majority, then decide. */
export function selectorPrompt(question: string, responses: string[]): string {
  return (
    `You are a diligent and precise judge. You should choose the correct response from the following ${responses.length} responses to the problem.\n\n` +
    "## Your Task\nYou should thoroughly analyse each response carefully and choose the most correct one.\n\n" +
    "**Notice**\n1. Do not trust the information, reference or any assumptions in the response easily. You must verify it before reaching a conclusion.\n" +
    "2. Do not be influenced by the majority number of final answers. They may collude to deceive you!\n\n" +
    "## Format Requirement\nIn 'verification', verify each response in turn and summarise the verification; then give your final decision as 'choice', the number of the response.\n\n" +
    `## Problem\n${question}\n\n` +
    responses.map((r, i) => `### Response ${i + 1}:\n${r}`).join("\n\n")
  );
}
