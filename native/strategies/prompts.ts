// Default prompts. Each strategy builds its messages from these; the run manifest records the set used.
import type { ChatMessage } from "../protocol/events.ts";

export const prompts = {
  solverSystem:
    "You are a careful problem solver. Reason step by step, one step per line. " +
    "End with a final line of the form 'The answer is <answer>'.",
  criticSystem:
    "You are a strict reviewer of solutions. Check every claim and every calculation. " +
    "Do not solve the problem from scratch; judge the solution you are given. Reply only with the requested JSON.",
  holisticCritique:
    "Problem:\n{question}\n\nProposed solution:\n{solution}\n\n" +
    "Review the solution. In 'critique', name concrete errors and how to fix them (or say it is correct). " +
    "Set 'correct' to true only if the final answer is right, and give an overall 'score' from 0 (wrong) to 10 (flawless).",
  stepwiseCritique:
    "Problem:\n{question}\n\nProposed solution, by step:\n{steps}\n\n" +
    "Judge each step in order: 'verdict' is 'correct' or 'wrong', 'score' from 0 to 10, 'why' in one short sentence. " +
    "Then say whether the final answer is correct ('finalCorrect'), an overall 'score' from 0 to 10, and a short 'critique'.",
  refineWithFeedback:
    "Feedback on your previous answer:\n{feedback}\n\n" +
    "Using this feedback, write an improved solution, step by step, one step per line. " +
    "End with a final line of the form 'The answer is <answer>'.",
  criticVReflection:
    "Reflection on former answer: {feedback}\n\nAnswer the question again, step by step, " +
    "ending with a final line of the form 'The answer is <answer>'.",
  stepRefine:
    "A reviewer checked your solution step by step:\n{feedback}\n\n" +
    "Keep the steps that were judged correct, fix the first wrong step and everything after it. " +
    "Write the corrected solution, one step per line, ending with 'The answer is <answer>'.",
} as const;

export type PromptName = keyof typeof prompts;

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

export function solverMessages(question: string): ChatMessage[] {
  return [
    { role: "system", content: prompts.solverSystem },
    { role: "user", content: question },
  ];
}
