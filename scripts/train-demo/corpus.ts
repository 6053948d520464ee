// Training conversations rendered with Refinery's own prompt code, so the model learns on the messages a run sends:
// the actor's draft (single-pass, self-consistency), the critic's holistic and stepwise verdicts (critic-guided,
// step-critique) and the actor's refinements from both kinds of feedback.
import type { ChatMessage } from "../../native/protocol/events.ts";
import { fill, prompts, solverMessages } from "../../native/strategies/prompts.ts";
import { stepByStepCritique } from "../../native/strategies/step-critique.ts";
import { feedbackText, parseVerdict, splitSteps } from "../../native/strategies/verdicts.ts";
import { apply, corruptSolution, goldSolution, type Op, type Problem, renderSolution, type Solution } from "./world.ts";

export type ExampleKind = "draft" | "holistic" | "stepwise" | "refine-reflection" | "refine-steps";

export interface Example {
  kind: ExampleKind;
  messages: ChatMessage[];
  /** The assistant's reply the model learns to write. */
  target: string;
}

const SYMBOL = { "+": "+", "-": "-", "*": "x", "/": "/" } as const;
const OP_OF: Record<string, Op> = { "+": "+", "-": "-", x: "*", "/": "/" };
const DOES: Record<Op, string> = { "+": "add", "-": "subtract", "*": "double", "/": "halve" };

/** One line of a written solution, read back: a numbered step, the final line, or neither. */
type Line = { kind: "step"; left: number; op: Op; right: number; result: number } | { kind: "final"; answer: number } | { kind: "other" };

function readLine(line: string): Line {
  const step = /^\d+\. [^:]*: (\d+) ([-+x/]) (\d+) = (\d+)\.?$/.exec(line);
  if (step) return { kind: "step", left: Number(step[1]), op: OP_OF[step[2]!]!, right: Number(step[3]), result: Number(step[4]) };
  const final = /^The answer is (\d+)\.?$/.exec(line);
  return final ? { kind: "final", answer: Number(final[1]) } : { kind: "other" };
}

/**
 * The critic's reasoning about each line, as the labels: a step is recomputed from the last result and the
 * question's operation and compared, before its verdict; the final line is compared with the last step. Reads
 * the written text, so the actor's own solutions (steps missing, added or garbled) are labelled the same way as
 * the world's corruptions.
 */
function judgeText(problem: Problem, text: string): Judgement {
  const lines: Array<{ why: string; ok: boolean }> = [];
  let previous = problem.start;
  let stepIndex = 0;
  let steps = 0;
  const written = splitSteps(text);
  for (const raw of written) {
    const line = readLine(raw);
    if (line.kind === "step") {
      steps++;
      const operation = problem.operations[stepIndex++];
      const truth = apply(line.left, line.op, line.right);
      const sum = `${line.left} ${SYMBOL[line.op]} ${line.right}`;
      if (!operation) lines.push({ why: `The question has only ${problem.operations.length} steps.`, ok: false });
      else if (line.left !== previous) lines.push({ why: `It starts from ${line.left}, but the last result was ${previous}.`, ok: false });
      else if (line.op !== operation.op) lines.push({ why: `The question says ${operation.label}, so it should ${DOES[operation.op]}.`, ok: false });
      else if (line.right !== operation.operand) lines.push({ why: `It uses ${line.right}, but the question says ${operation.operand}.`, ok: false });
      else if (truth !== line.result) lines.push({ why: `${sum} is ${truth}, not ${line.result}.`, ok: false });
      else lines.push({ why: `${sum} is ${truth}.`, ok: true });
      previous = line.result;
    } else if (line.kind === "final") {
      if (steps < problem.operations.length)
        lines.push({ why: `The question has ${problem.operations.length} steps, but the solution stops after ${steps}.`, ok: false });
      else if (line.answer !== previous) lines.push({ why: `The last step gives ${previous}, but the answer says ${line.answer}.`, ok: false });
      else lines.push({ why: `The last step gives ${previous}.`, ok: true });
    } else lines.push({ why: "This line is not a step of the question.", ok: false });
  }
  const first = lines.findIndex((line) => !line.ok);
  const stated = readLine(written.at(-1) ?? "");
  const correct = first < 0 && stated.kind === "final" && stated.answer === problem.answer;
  const summary = first < 0 ? "Every step is right." : `Step ${first + 1} is wrong: ${lines[first]!.why} Redo the steps from there.`;
  return { written, lines, correct, summary };
}

interface Judgement {
  /** The solution's lines as the critic's prompt shows them. */
  written: string[];
  lines: Array<{ why: string; ok: boolean }>;
  correct: boolean;
  summary: string;
}

const judge = (problem: Problem, solution: Solution | string): Judgement =>
  judgeText(problem, typeof solution === "string" ? solution : renderSolution(solution));

/** Whether each line of the rendered solution holds (its steps, then its final line): the critic's gold labels. */
export function lineLabels(problem: Problem, solution: Solution | string): boolean[] {
  return judge(problem, solution).lines.map((line) => line.ok);
}

/**
 * The stepwise verdict as the stepwise grammar writes it (compact JSON, fields in the schema's order). With
 * `restate`, each `why` first copies its line as the prompt shows it ("Step 2: 2. Finds 9: 24 + 9 = 33.") before
 * judging it: the "Step k:" the critic writes is the anchor that finds step k's numbers in the prompt, a copy a
 * small model learns far sooner than a lookup by position.
 */
export function stepwiseTarget(problem: Problem, solution: Solution | string, options: { restate?: boolean } = {}): string {
  const { written, lines, correct, summary } = judge(problem, solution);
  const why = (text: string, i: number) => (options.restate ? `Step ${i + 1}: ${written[i]} ${text}` : text);
  return JSON.stringify({
    steps: lines.map((line, i) => ({ why: why(line.why, i), verdict: line.ok ? "correct" : "wrong", score: line.ok ? 10 : 0 })),
    critique: summary,
    finalCorrect: correct,
    score: correct ? 10 : 2,
  });
}

/**
 * The holistic verdict: the critique walks the steps up to the first wrong one, then the verdict. With `restate`,
 * each step's line is copied before it is judged, as in the stepwise verdict.
 */
export function holisticTarget(problem: Problem, solution: Solution | string, options: { restate?: boolean } = {}): string {
  const { written, lines, correct } = judge(problem, solution);
  const walked: string[] = [];
  for (const [i, line] of lines.entries()) {
    walked.push(options.restate ? `Step ${i + 1}: ${written[i]} ${line.why}` : `Step ${i + 1}: ${line.why}`);
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

/** The world's conversations for one problem; with `restate`, verdicts (and the feedback refinements read) restate each line. */
export function examplesFor(random: () => number, problem: Problem, options: { restate?: boolean } = {}): Example[] {
  const gold = renderSolution(goldSolution(problem));
  const examples: Example[] = [{ kind: "draft", messages: solverMessages(problem.question), target: gold }];
  if (random() < 0.3) {
    const solution = attempt(random, problem, 0.6);
    examples.push({
      kind: "stepwise",
      messages: criticMessages(stepwiseUser(problem, renderSolution(solution))),
      target: stepwiseTarget(problem, solution, options),
    });
  }
  if (random() < 0.2) {
    const solution = attempt(random, problem, 0.6);
    const user = fill(prompts.holisticCritique, { question: problem.question, solution: renderSolution(solution) });
    examples.push({ kind: "holistic", messages: criticMessages(user), target: holisticTarget(problem, solution, options) });
  }
  if (random() < 0.15) {
    // Critic-guided refines only what the critic called wrong.
    const solution = corruptSolution(random, problem).solution;
    const verdict = parseVerdict(holisticTarget(problem, solution, options), false);
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
    const verdict = parseVerdict(stepwiseTarget(problem, solution, options), true);
    const instruction = fill(prompts.stepRefine, { feedback: stepByStepCritique(verdict, splitSteps(text)) });
    const messages: ChatMessage[] = [...solverMessages(problem.question), { role: "assistant", content: text }, { role: "user", content: instruction }];
    examples.push({ kind: "refine-steps", messages, target: gold });
  }
  return examples;
}

const LABEL_WORDS = ["Buys", "Finds", "Gets", "Gives away", "Loses", "Sells", "Doubles", "Keeps half"];

/**
 * A solution whose lines cannot be foretold from the question, so that restating them can only be learnt as a copy
 * from the prompt: every step's label names a random action (the labels are not judged), and some steps take a
 * random number for their start, their operand or their result, the later steps going on from the written value.
 * Labelled like every other text, by recomputing each line.
 */
export function scrambledText(random: () => number, problem: Problem): string {
  const gold = goldSolution(problem);
  const number = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  let previous = problem.start;
  const steps = gold.steps.map((step) => {
    let left = previous;
    let right = step.right;
    const roll = random();
    if (roll < 0.15) left = number(1, 40);
    else if (roll < 0.3 && step.op !== "*" && step.op !== "/") right = number(1, 9);
    let result = apply(left, step.op, right);
    if (!Number.isInteger(result) || result < 0 || (roll >= 0.3 && roll < 0.5)) result = number(0, 40);
    previous = result;
    const word = LABEL_WORDS[Math.floor(random() * LABEL_WORDS.length)]!;
    return { ...step, left, right, result, label: step.op === "*" || step.op === "/" ? word : `${word} ${right}` };
  });
  return renderSolution({ steps, final: random() < 0.1 ? number(0, 40) : previous });
}

/**
 * The critic's own curriculum: its stepwise and holistic verdicts on the actor's sampled solutions to a problem
 * (each distinct text once), so the wrong steps it learns to find are the ones the actor makes, beside some of
 * the world's corruptions, the kind the ProcessBench-layout test holds.
 */
export function criticExamplesFor(
  random: () => number,
  problem: Problem,
  sampled: string[],
  options: { restate?: boolean; scramble?: number } = {},
): Example[] {
  const examples: Example[] = [];
  const stepwise = (text: string): Example => ({
    kind: "stepwise",
    messages: criticMessages(stepwiseUser(problem, text)),
    target: stepwiseTarget(problem, text, options),
  });
  const holistic = (text: string): Example => ({
    kind: "holistic",
    messages: criticMessages(fill(prompts.holisticCritique, { question: problem.question, solution: text })),
    target: holisticTarget(problem, text, options),
  });
  for (const text of new Set(sampled)) {
    examples.push(stepwise(text));
    if (random() < 0.4) examples.push(holistic(text));
  }
  if (random() < 0.4) examples.push(stepwise(renderSolution(attempt(random, problem, 0.6))));
  if (random() < 0.15) examples.push(holistic(renderSolution(attempt(random, problem, 0.6))));
  // `scramble` scrambled stepwise verdicts per problem (a fraction: that chance of one more), a third as many holistic.
  const scramble = options.scramble ?? 0;
  for (let n = Math.floor(scramble) + (random() < scramble % 1 ? 1 : 0); n > 0; n--) examples.push(stepwise(scrambledText(random, problem)));
  if (random() < scramble / 3) examples.push(holistic(scrambledText(random, problem)));
  return examples;
}
