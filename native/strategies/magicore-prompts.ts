// MAgICoRe's Reviewer and Refiner prompts (dinobby/MAgICoRE prompt.py: llama_reviewer_prompt,
// llama_refiner_prompt, c_postfix, r_postfix) with the repo's one-shot example (icl_samples.py, "GSM8K"): the
// example is a finished user/assistant exchange before the real request, as the Llama prompts lay it out.
import type { ChatMessage } from "../protocol/events.ts";

/** The repo's GSM8K one-shot example: a solution with step scores, the teacher's feedback, the refined solution. */
export const magicoreExample = {
  question:
    "Tobias is buying a new pair of shoes that costs $95. He has been saving up his money each month for the past three months. He gets a $5 allowance a month. He also mows lawns and shovels driveways. He charges $15 to mow a lawn and $7 to shovel. After buying the shoes, he has $15 in change. If he mows 4 lawns, how many driveways did he shovel?",
  solution:
    "Step 1:  Calculate the money he earned mowing lawns. 4 lawns for 15 dollars each is 15 * 4 = 60 dollars.   (Score: 7/10)\n\n" +
    "Step 2: He gets 5 dollars a month in allowance. For 3 months, he gets 5 * 3 = 15 dollars.   (Score: 7/10)\n\n" +
    "Step 3: 95 - 60 - 15 = 20 dollars. He had 20 dollars left after buying the shoes. Since he has 15 dollars left after buying the shoes, that means he saved 5 dollars. So he must have earned 5 dollars from shoveling driveways. 7 dollars per driveway, so 5 / 7 = 0.71 driveways. Round to 1 driveway. The answer is \\boxed{1}.  (Score: 2/10)",
  feedback:
    "Step 1: This step is correct, and the high score of 7 reflects it.\n\n" +
    "Step 2: This step is correct, and the high score of 7 reflects it.\n\n" +
    "Step 3: The low score of 2 suggests an error in this step. The calculation 95 - 60 - 15 = 20 is incorrect. This should be 95 + 60 + 15, as we're calculating the total money Tobias had before buying the shoes, not subtracting the cost of the shoes yet.\n" +
    'The statement "He had 20 dollars left after buying the shoes" contradicts the problem, which states he has $15 in change after buying the shoes.\n\n' +
    "The reasoning about saving $5 and earning $5 from shoveling driveways is flawed. We need to calculate the total money earned and then subtract the cost of the shoes and the remaining change.\n" +
    "Dividing 5 by 7 and rounding to 1 driveway is incorrect. We need to find how many driveways he shoveled to make up the difference between his total earnings and expenses.",
  refinedSolution:
    "Step 1: Calculate the money he earned mowing lawns.\n4 lawns for 15 dollars each is 15 * 4 = 60 dollars.\n\n" +
    "Step 2: Calculate his allowance money.\nHe gets 5 dollars a month in allowance. For 3 months, he gets 5 * 3 = 15 dollars.\n\n" +
    "Step 3: Calculate the total money needed and determine how much he earned from shoveling.\nTotal money spent = Cost of shoes + Money left as change = $95 + $15 = $110\nMoney earned from lawns and allowance = $60 + $15 = $75\nMoney earned from shoveling = Total money spent - Money from lawns and allowance\nMoney from shoveling = $110 - $75 = $35\n\n" +
    "Step 4: Calculate the number of driveways shoveled.\nHe charges $7 to shovel a driveway.\nNumber of driveways = Money from shoveling ÷ Price per driveway\nNumber of driveways = $35 ÷ $7 = 5\n\n" +
    "Therefore, the correct answer is 5.\nThe answer is 5",
} as const;

const reviewerInstructions = (lowStepScore: number) =>
  "Your task is to provide step-by-step feedback to the current solution.\n" +
  "You will be given a math problem and a current solution, along with the scores for each step based on its correctness.\n" +
  "- You will find (Score: n/10) at the end of each step. \n" +
  "- The maximum (best) score is 10, which means that this step is 100% correct (and 0% incorrect).\n" +
  "- The minimum (worst) score is 0, which means that this step is 100% incorrect (and 0% correct).\n" +
  `- Pay attention to the steps having scores lower than ${lowStepScore}, and carefully identify the errors in those steps.\n` +
  "- Provide your explanation of the error and how it can be fixed. DO NOT propose a new solution, just the explanation.\n\n";

const refinerInstructions =
  "Your task is to fix the error in the given solution, based on the teacher's feedback.\n" +
  "- After reviewing the solution and feedback, provide a better solution to fix the mistakes you found.\n" +
  "- Write one step per line and end with a final line of the form 'The answer is <answer>'.\n\n";

const reviewOpening = "Let's review the steps with lower scores and identify the errors.";
const refineOpening =
  "### Revised Solution:\n\nLet's review the solution and the feedback, and then refine the current solution.\nAfter reviewing the solution and feedback, let's solve this math problem again.";

const problem = (question: string, solution: string) => `### Question:\n${question}\n\n### Current Solution:\n${solution}`;

/** The Reviewer: instructions and the one-shot exchange, then the solution shown with a score after each step. */
export function reviewerMessages(question: string, scoredSolution: string, lowStepScore: number): ChatMessage[] {
  const ex = magicoreExample;
  return [
    { role: "user", content: reviewerInstructions(lowStepScore) + problem(ex.question, ex.solution) },
    { role: "assistant", content: `${reviewOpening}\n\n${ex.feedback}` },
    { role: "user", content: `${problem(question, scoredSolution)}\n\nBegin with "${reviewOpening}"` },
  ];
}

/** The Refiner: it sees the solution with its step scores and the Reviewer's feedback (r_postfix). */
export function refinerMessages(question: string, scoredSolution: string, feedback: string): ChatMessage[] {
  const ex = magicoreExample;
  return [
    { role: "user", content: `${refinerInstructions}${problem(ex.question, ex.solution)}\n\n### Teacher Feedback:\n${ex.feedback}` },
    { role: "assistant", content: `${refineOpening}\n\n${ex.refinedSolution}` },
    { role: "user", content: `${problem(question, scoredSolution)}\n\n### Teacher Feedback:\n${feedback}` },
  ];
}
