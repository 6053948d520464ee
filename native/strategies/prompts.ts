// Default prompts. Each strategy builds its messages from these; the run manifest records the set used.
import type { ChatMessage } from "../protocol/events.ts";

export const prompts = {
  solverSystem: "You are a careful problem solver. Reason step by step, one step per line. " + "End with a final line of the form 'The answer is <answer>'.",
  criticSystem:
    "You are a strict reviewer of solutions. Check every claim and every calculation. " +
    "Do not solve the problem from scratch; judge the solution you are given. Reply only with the requested JSON.",
  holisticCritique:
    "Problem:\n{question}\n\nProposed solution:\n{solution}\n\n" +
    "Review the solution. First, in 'critique', check it and name concrete errors and how to fix them (or say it is correct). " +
    "Then set 'correct' to true only if the final answer is right, and give an overall 'score' from 0 (wrong) to 10 (flawless).",
  stepwiseCritique:
    "Problem:\n{question}\n\nProposed solution, by step:\n{steps}\n\n" +
    "Judge each step in order: first explain in 'why' what the step does and whether it holds, then give its 'verdict' " +
    "('correct' or 'wrong') and a 'score' from 0 to 10. Then summarise the errors and how to fix them in 'critique', " +
    "and only then say whether the final answer is correct ('finalCorrect') and give an overall 'score' from 0 to 10.",
  refineWithFeedback:
    "Feedback on your previous answer:\n{feedback}\n\n" +
    "Using this feedback, write an improved solution, step by step, one step per line. " +
    "End with a final line of the form 'The answer is <answer>'.",
  criticVReflection:
    "Reflection on former answer: {feedback}\n\nAnswer the question again, step by step, " + "ending with a final line of the form 'The answer is <answer>'.",
  // WooooDyy/MathCritique inference.py (generate_new_template): the refiner reads the step-by-step critique and
  // writes a new full solution, using the critique as a reference.
  stepRefine:
    "I have made a step-by-step critique of your solution:\n{feedback}\n\n" +
    "Please read this critique and use it as a reference to provide a new detailed, step-by-step solution, " +
    "including all reasoning and intermediate steps, one step per line, ending with 'The answer is <answer>'.",
} as const;

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

export function solverMessages(question: string): ChatMessage[] {
  return [
    { role: "system", content: prompts.solverSystem },
    { role: "user", content: question },
  ];
}
