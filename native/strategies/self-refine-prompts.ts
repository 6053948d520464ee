// Self-Refine's feedback prompt for GSM-style problems: madaan/self-refine's few-shot feedback
// (data/prompt/gsm/feedback.txt, src/gsm/feedback.py) — its instruction, its "# looks good" / "# wrong!" walk
// through the solution, its "It is correct!" stop phrase — with two of its examples (the cups and the cards)
// written as step-by-step solutions, the form Refinery's drafts take, instead of Python programs.
const INSTRUCTION =
  "# There is an error in the solution above because of lack of understanding of the question. What is the error? " +
  "To find the error, go through semantically complete blocks of the solution, and check if everything looks good.";

const EXAMPLES = [
  `Question: Twenty dozen cups cost $1200 less than the total cost of half a dozen plates sold at $6000 each. Calculate the total cost of buying each cup.
Solution:
Step 1: There are 6 plates at $6000 each, and 12 * 20 = 240 cups.
Step 2: A cup costs the same as a plate: $6000.
The answer is 6000

${INSTRUCTION}

# Let us go through the error and check step-by-step
Step 1: There are 6 plates at $6000 each, and 12 * 20 = 240 cups.
# looks good

# Let's check the other parts
Step 2: A cup costs the same as a plate: $6000.
# wrong! The cost of a cup is not the same as the cost of a plate. The twenty dozen cups cost $1200 less than the half dozen plates sold at $6000 each, so we need to calculate the total cost of the cups first (6 * 6000 - 1200 = 34800) and divide it by the number of cups (34800 / 240 = 145).`,
  `Question: Carly had 80 cards, 2/5 of the cards had the letter A on them, 1/2 of the remaining had the letter B, 5/8 of the rest had the letter C on them, and the others had the letter D. How many of the cards had the letter D on them?
Solution:
Step 1: 80 * 2 / 5 = 32 cards have the letter A, so 80 - 32 = 48 remain.
Step 2: 48 * 1 / 2 = 24 cards have the letter B, so 48 - 24 = 24 remain.
Step 3: 24 * 5 / 8 = 15 cards have the letter C, and the other 24 * 3 / 8 = 9 have the letter D.
The answer is 9

${INSTRUCTION}

# Let us go through the error and check step-by-step
Step 1: 80 * 2 / 5 = 32 cards have the letter A, so 80 - 32 = 48 remain.
# looks good

# Let's check the other parts
Step 2: 48 * 1 / 2 = 24 cards have the letter B, so 48 - 24 = 24 remain.
# looks good

# Let's check the other parts
Step 3: 24 * 5 / 8 = 15 cards have the letter C, and the other 24 * 3 / 8 = 9 have the letter D.
# looks good

There is no error in the solution! It is correct!`,
];

/** The repo's separator between few-shot examples. */
const SEPARATOR = "\n\n### END ###\n\n";

export function selfRefineFeedbackPrompt(question: string, solution: string): string {
  return `${EXAMPLES.join(SEPARATOR)}${SEPARATOR}Question: ${question}\nSolution:\n${solution.trim()}\n\n${INSTRUCTION}\n\n# Let us go through the error and check step-by-step`;
}

/** The repo's stop rule (src/gsm/run.py): the feedback says "it is correct". */
export const saysCorrect = (feedback: string) => feedback.toLowerCase().includes("it is correct");
