// Self-Refine's feedback prompt for GSM-style problems: madaan/self-refine's few-shot feedback
// (data/prompt/gsm/feedback.txt, src/gsm/feedback.py) — its instruction, its "# looks good" / "# wrong!" walk
// through the solution, its "It is correct!" stop phrase — with its four examples (Kelly's groceries, the cups,
// the cards, Milo's mosaic, in its order) written as step-by-step solutions, the form Refinery's drafts take,
// instead of Python programs.
const INSTRUCTION =
  "# There is an error in the solution above because of lack of understanding of the question. What is the error? " +
  "To find the error, go through semantically complete blocks of the solution, and check if everything looks good.";

const EXAMPLES = [
  `Question: Kelly is grocery shopping at a supermarket and is making sure she has enough in her budget for the items in her cart. Her 5 packs of bacon cost $10 in total and she has 6 packets of chicken which each cost twice as much as a pack of bacon. She also has 3 packs of strawberries, priced at $4 each, and 7 packs of apples, each priced at half the price of a pack of strawberries. If Kelly's budget is $65 then how much money, in dollars, does she have left in her budget?
Solution:
Step 1: Kelly's budget is $65.
Step 2: 5 packs of bacon cost $10.
Step 3: Chicken costs twice as much as bacon: 2 * 10 = $20.
Step 4: Strawberries cost $4.
Step 5: Apples cost half as much as strawberries: 4 / 2 = $2.
Step 6: The total is 10 + 20 + 4 + 2 = $36.
Step 7: She has 65 - 36 = $29 left.
The answer is 29

${INSTRUCTION}

# Let us go through the error and check step-by-step
Step 1: Kelly's budget is $65.
# looks good

# Let's check the other parts
Step 2: 5 packs of bacon cost $10.
# looks good

# Let's check the other parts
Step 3: Chicken costs twice as much as bacon: 2 * 10 = $20.
# wrong! 6 *packs* of chicken, and each pack costs twice as much as a pack of bacon. So we need to calculate the cost of one pack of bacon first (10 / 5 = 2) and use that: a pack of chicken costs 4, and 6 packs cost 24.

# Let's check the other parts
Step 4: Strawberries cost $4.
# wrong! There is a mistake here. She got 3 packs of strawberries, not 3 strawberries. And the cost is per pack! So total cost should be 3 * 4, not 4.

# Let's check the other parts
Step 5: Apples cost half as much as strawberries: 4 / 2 = $2.
# wrong! She got 7 packs of apples, not 7 apples. Also, the total apple cost should be (4 / 2) * 7.

# Let's check the other parts
Step 6: The total is 10 + 20 + 4 + 2 = $36.
# looks good

# Let's check the other parts
Step 7: She has 65 - 36 = $29 left.
# looks good`,
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
  `Question: Milo is making a mosaic with chips of glass. It takes twelve glass chips to make every square inch of the mosaic. A bag of glass chips holds 72 chips. Milo wants his mosaic to be three inches tall. If he has two bags of glass chips, how many inches long can he make his mosaic?
Solution:
Step 1: It takes 12 chips per inch, and a bag holds 72 chips.
Step 2: He has 2 bags and wants the mosaic 3 inches tall.
Step 3: He needs 3 * 12 = 36 chips, and has 2 * 72 = 144 chips.
Step 4: 144 - 36 = 108 chips are left, so the mosaic can be 108 / 12 = 9 inches long.
The answer is 9

${INSTRUCTION}

# Let us go through the error and check step-by-step
Step 1: It takes 12 chips per inch, and a bag holds 72 chips.
# looks good

# Let's check the other parts
Step 2: He has 2 bags and wants the mosaic 3 inches tall.
# looks good

# Let's check the other parts
Step 3: He needs 3 * 12 = 36 chips, and has 2 * 72 = 144 chips.
# wrong! 12 chips per *square inch*, not per inch. Need to calculate the square inches he can build with the chips available (144 / 12 = 12). Then, divide that by the desired height to get the length (12 / 3 = 4). The rest of the solution is incorrect as a result.`,
];

/** The repo's separator between few-shot examples. */
const SEPARATOR = "\n\n### END ###\n\n";

export function selfRefineFeedbackPrompt(question: string, solution: string): string {
  return `${EXAMPLES.join(SEPARATOR)}${SEPARATOR}Question: ${question}\nSolution:\n${solution.trim()}\n\n${INSTRUCTION}\n\n# Let us go through the error and check step-by-step`;
}

/** The repo's stop rule (src/gsm/run.py): the feedback says "it is correct". */
export const saysCorrect = (feedback: string) => feedback.toLowerCase().includes("it is correct");
