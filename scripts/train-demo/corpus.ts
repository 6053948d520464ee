// Training conversations rendered with Refinery's own prompt code, so the model learns on the messages a run sends:
// the actor's draft (single-pass, self-consistency), the critic's holistic and stepwise verdicts (critic-guided,
// step-critique) and the actor's refinements from both kinds of feedback.
import type { ChatMessage } from "../../native/protocol/events.ts";
import { fill, prompts, solverMessages } from "../../native/strategies/prompts.ts";
import { stepByStepCritique } from "../../native/strategies/step-critique.ts";
import { feedbackText, parseVerdict, splitSteps } from "../../native/strategies/verdicts.ts";
import { apply, corruptSolution, goldSolution, type Problem, renderSolution, type Solution, stepIsCorrect } from "./world.ts";

export type ExampleKind = "draft" | "holistic" | "stepwise" | "refine-reflection" | "refine-steps";

export interface Example {
  kind: ExampleKind;
  messages: ChatMessage[];
  /** The assistant's reply the model learns to write. */
  target: string;
}

const SYMBOL = { "+": "+", "-": "-", "*": "x", "/": "/" } as const;

/** The critic's reasoning about one step: it recomputes the step and compares, before its verdict. */
function stepWhy(problem: Problem, solution: Solution, index: number): { why: string; ok: boolean } {
  const step = solution.steps[index]!;
  const operation = problem.operations[index]!;
  const previous = index === 0 ? problem.start : solution.steps[index - 1]!.result;
  if (step.left !== previous) return { why: `It starts from ${step.left}, but the last result was ${previous}.`, ok: false };
  if (step.right !== operation.operand) return { why: `It uses ${step.right}, but the question says ${operation.operand}.`, ok: false };
  const truth = apply(step.left, step.op, step.right);
  const sum = `${step.left} ${SYMBOL[step.op]} ${step.right}`;
  if (truth !== step.result) return { why: `${sum} is ${truth}, not ${step.result}.`, ok: false };
  return { why: `${sum} is ${truth}.`, ok: stepIsCorrect(problem, solution, index) };
}

function finalWhy(solution: Solution): { why: string; ok: boolean } {
  const last = solution.steps.at(-1)!.result;
  return last === solution.final
    ? { why: `The last step gives ${last}.`, ok: true }
    : { why: `The last step gives ${last}, but the answer says ${solution.final}.`, ok: false };
}

interface Judgement {
  lines: Array<{ why: string; ok: boolean }>;
  correct: boolean;
  summary: string;
}

function judge(problem: Problem, solution: Solution): Judgement {
  const lines = [...solution.steps.map((_, i) => stepWhy(problem, solution, i)), finalWhy(solution)];
  const first = lines.findIndex((line) => !line.ok);
  const correct = solution.final === problem.answer && first < 0;
  const summary = first < 0 ? "Every step is right." : `Step ${first + 1} is wrong: ${lines[first]!.why} Redo the steps from there.`;
  return { lines, correct, summary };
}

/** Whether each line of the rendered solution holds (its steps, then its final line): the critic's gold labels. */
export function lineLabels(problem: Problem, solution: Solution): boolean[] {
  return judge(problem, solution).lines.map((line) => line.ok);
}

/** The stepwise verdict as the stepwise grammar writes it (compact JSON, fields in the schema's order). */
export function stepwiseTarget(problem: Problem, solution: Solution): string {
  const { lines, correct, summary } = judge(problem, solution);
  return JSON.stringify({
    steps: lines.map((line) => ({ why: line.why, verdict: line.ok ? "correct" : "wrong", score: line.ok ? 10 : 0 })),
    critique: summary,
    finalCorrect: correct,
    score: correct ? 10 : 2,
  });
}

/** The holistic verdict: the critique walks the steps up to the first wrong one, then the verdict. */
export function holisticTarget(problem: Problem, solution: Solution): string {
  const { lines, correct } = judge(problem, solution);
  const walked: string[] = [];
  for (const [i, line] of lines.entries()) {
    walked.push(`Step ${i + 1}: ${line.why}`);
    if (!line.ok) break;
  }
  const critique = `${walked.join(" ")} ${correct ? "The solution is correct." : "The answer is wrong; redo the steps from there."}`;
  return JSON.stringify({ critique, correct, score: correct ? 10 : 2 });
}

function stepwiseUser(problem: Problem, text: string): string {
  const steps = splitSteps(text);
  return fill(prompts.stepwiseCritique, { question: problem.question, steps: steps.map((s, i) => `Step ${i + 1}: ${s}`).join("\n") });
}

const criticMessages = (user: string): ChatMessage[] => [
  { role: "system", content: prompts.criticSystem },
  { role: "user", content: user },
];

/** An attempt: right about a third of the time, so critics and refiners see both. */
function attempt(random: () => number, problem: Problem, wrongShare: number): Solution {
  return random() < wrongShare ? corruptSolution(random, problem).solution : goldSolution(problem);
}

export function examplesFor(random: () => number, problem: Problem): Example[] {
  const gold = renderSolution(goldSolution(problem));
  const examples: Example[] = [{ kind: "draft", messages: solverMessages(problem.question), target: gold }];
  if (random() < 0.3) {
    const solution = attempt(random, problem, 0.6);
    examples.push({ kind: "stepwise", messages: criticMessages(stepwiseUser(problem, renderSolution(solution))), target: stepwiseTarget(problem, solution) });
  }
  if (random() < 0.2) {
    const solution = attempt(random, problem, 0.6);
    const user = fill(prompts.holisticCritique, { question: problem.question, solution: renderSolution(solution) });
    examples.push({ kind: "holistic", messages: criticMessages(user), target: holisticTarget(problem, solution) });
  }
  if (random() < 0.15) {
    // Critic-guided refines only what the critic called wrong.
    const solution = corruptSolution(random, problem).solution;
    const verdict = parseVerdict(holisticTarget(problem, solution), false);
    const instruction = fill(prompts.criticVReflection, { feedback: feedbackText(verdict) });
    const messages: ChatMessage[] = [
      ...solverMessages(problem.question),
      { role: "assistant", content: renderSolution(solution) },
      { role: "user", content: instruction },
    ];
    examples.push({ kind: "refine-reflection", messages, target: gold });
  }
  if (random() < 0.2) {
    // Step-critique refines every answer, right ones included: a right one is written again unchanged.
    const solution = attempt(random, problem, 0.6);
    const text = renderSolution(solution);
    const verdict = parseVerdict(stepwiseTarget(problem, solution), true);
    const instruction = fill(prompts.stepRefine, { feedback: stepByStepCritique(verdict, splitSteps(text)) });
    const messages: ChatMessage[] = [...solverMessages(problem.question), { role: "assistant", content: text }, { role: "user", content: instruction }];
    examples.push({ kind: "refine-steps", messages, target: gold });
  }
  return examples;
}
