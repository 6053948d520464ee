// The demo world: arithmetic word problems whose every step can be recomputed, so a solution's steps, its final
// answer and any critique of it are labelled by arithmetic, not by a judge. Seeded: the same seed gives the same
// problems, in the same order.
import { mulberry32 } from "../../native/util/random.ts";

export type Op = "+" | "-" | "*" | "/";

export interface Operation {
  op: Op;
  operand: number;
  /** The sentence of the question that asks for this operation. */
  sentence: string;
  /** What the step says it does, before its arithmetic. */
  label: string;
}

export interface Problem {
  id: string;
  question: string;
  start: number;
  operations: Operation[];
  /** The value after each operation; the last is the answer. */
  values: number[];
  answer: number;
}

export interface Step {
  left: number;
  op: Op;
  right: number;
  result: number;
  label: string;
}

/** A solution as steps; `final` is the number its last line states. */
export interface Solution {
  steps: Step[];
  final: number;
}

const NAMES = ["Ann", "Ben", "Cara", "Dan", "Eva", "Finn", "Gia", "Hugo", "Ivy", "Jack", "Kim", "Leo", "Mia", "Noah", "Omar", "Pia"];
const THINGS = ["apples", "books", "coins", "pens", "shells", "stamps", "marbles", "cards", "eggs", "stickers", "cookies", "rocks"];

const pronoun = (name: string) => (["Ben", "Dan", "Finn", "Hugo", "Jack", "Leo", "Noah", "Omar"].includes(name) ? "He" : "She");

const ADD = [
  (n: number) => ({ sentence: `{S} buys ${n} more.`, label: `buys ${n}` }),
  (n: number) => ({ sentence: `{S} finds ${n} more.`, label: `finds ${n}` }),
  (n: number) => ({ sentence: `A friend gives {O} ${n} more.`, label: `gets ${n}` }),
];
const SUB = [
  (n: number) => ({ sentence: `{S} gives away ${n}.`, label: `gives away ${n}` }),
  (n: number) => ({ sentence: `{S} loses ${n}.`, label: `loses ${n}` }),
  (n: number) => ({ sentence: `{S} sells ${n}.`, label: `sells ${n}` }),
];
const MUL = [() => ({ sentence: "Then {s} doubles them.", label: "doubles" })];
const DIV = [() => ({ sentence: "{S} splits them into 2 equal piles and keeps one pile.", label: "keeps half" })];

export function apply(left: number, op: Op, right: number): number {
  if (op === "+") return left + right;
  if (op === "-") return left - right;
  if (op === "*") return left * right;
  return left / right;
}

/** Largest value a problem may reach: two-digit-ish numbers keep the model's arithmetic learnable. */
export const MAX_VALUE = 30;

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function int(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

/**
 * Small numbers: operands up to 9 and values up to MAX_VALUE keep the arithmetic facts few enough for a tiny model
 * trained for under an hour on one shared core to learn most of them, and not all.
 */
function nextOperation(random: () => number, value: number): { op: Op; operand: number } {
  for (;;) {
    const roll = random();
    if (roll < 0.45) {
      const operand = int(random, 1, 9);
      if (value + operand <= MAX_VALUE) return { op: "+", operand };
    } else if (roll < 0.88) {
      if (value >= 2) return { op: "-", operand: int(random, 1, Math.min(9, value - 1)) };
    } else if (roll < 0.95) {
      if (value * 2 <= MAX_VALUE) return { op: "*", operand: 2 };
    } else if (value % 2 === 0) return { op: "/", operand: 2 };
  }
}

export function makeProblem(random: () => number, id: string): Problem {
  const name = pick(random, NAMES);
  const thing = pick(random, THINGS);
  const start = int(random, 2, 20);
  const count = int(random, 2, 4);
  const operations: Operation[] = [];
  const values: number[] = [];
  let value = start;
  for (let i = 0; i < count; i++) {
    const { op, operand } = nextOperation(random, value);
    const phrase = pick(random, op === "+" ? ADD : op === "-" ? SUB : op === "*" ? MUL : DIV)(operand);
    const he = pronoun(name) === "He";
    const sentence = phrase.sentence
      .replace("{S}", he ? "He" : "She")
      .replace("{s}", he ? "he" : "she")
      .replace("{O}", he ? "him" : "her");
    operations.push({ op, operand, sentence, label: phrase.label });
    value = apply(value, op, operand);
    values.push(value);
  }
  const question = `${name} has ${start} ${thing}. ${operations.map((o) => o.sentence).join(" ")} How many ${thing} does ${name} have now?`;
  return { id, question, start, operations, values, answer: value };
}

export function goldSolution(problem: Problem): Solution {
  let value = problem.start;
  const steps = problem.operations.map((o) => {
    const result = apply(value, o.op, o.operand);
    const step = { left: value, op: o.op, right: o.operand, result, label: o.label };
    value = result;
    return step;
  });
  return { steps, final: value };
}

const SYMBOL: Record<Op, string> = { "+": "+", "-": "-", "*": "x", "/": "/" };

export function stepLine(step: Step, index: number): string {
  return `${index + 1}. ${capitalise(step.label)}: ${step.left} ${SYMBOL[step.op]} ${step.right} = ${step.result}.`;
}

const capitalise = (text: string) => text[0]!.toUpperCase() + text.slice(1);

/** The solution as the actor writes it: one numbered step a line, then the GSM8K-style final line. */
export function renderSolution(solution: Solution): string {
  return [...solution.steps.map(stepLine), `The answer is ${solution.final}.`].join("\n");
}

export type Corruption = "arithmetic" | "operand" | "carry" | "final";

/**
 * A wrong solution of the kind a small actor writes: one step goes wrong (a slip in the arithmetic, a wrong
 * number read from the question, or the previous result copied wrong) and the steps after it compute correctly
 * from the wrong value; or every step is right and the final line states another number.
 */
export function corruptSolution(random: () => number, problem: Problem): { solution: Solution; kind: Corruption; at: number } {
  const gold = goldSolution(problem);
  const kinds: Corruption[] = ["arithmetic", "arithmetic", "operand", "carry", "final"];
  let kind = pick(random, kinds);
  const at0 = int(random, 0, gold.steps.length - 1);
  // A pile count or a factor read wrong could divide by zero or leave a fraction: slip the arithmetic there.
  if (kind === "operand" && (problem.operations[at0]!.op === "/" || problem.operations[at0]!.op === "*")) kind = "arithmetic";
  const nudge = (value: number) => {
    const delta = pick(random, [-10, -2, -1, 1, 1, 2, 10]);
    return value + delta >= 0 && value + delta !== value ? value + delta : value + 1;
  };
  if (kind === "final") return { solution: { steps: gold.steps, final: nudge(gold.final) }, kind, at: gold.steps.length };
  const at = kind === "carry" ? Math.max(1, at0) : at0;
  const steps: Step[] = [];
  let value = problem.start;
  for (let i = 0; i < gold.steps.length; i++) {
    const o = problem.operations[i]!;
    let left = value;
    let right = o.operand;
    if (i === at && kind === "carry") left = nudge(value);
    if (i === at && kind === "operand") right = nudge(o.operand);
    let result = apply(left, o.op, right);
    if (i === at && kind === "arithmetic") result = nudge(result);
    if (!Number.isInteger(result) || result < 0) result = Math.max(0, Math.round(result));
    steps.push({ left, op: o.op, right, result, label: i === at && kind === "operand" ? o.label.replace(String(o.operand), String(right)) : o.label });
    value = result;
  }
  return { solution: { steps, final: value }, kind, at };
}

/** Whether a step holds: the right operands for its place (given the previous line), and the right arithmetic. */
export function stepIsCorrect(problem: Problem, solution: Solution, index: number): boolean {
  const step = solution.steps[index]!;
  const o = problem.operations[index]!;
  const previous = index === 0 ? problem.start : solution.steps[index - 1]!.result;
  return step.left === previous && step.op === o.op && step.right === o.operand && apply(step.left, step.op, step.right) === step.result;
}

/** Seeded splits with no question in both. */
export function makeSplits(seed: number, trainCount: number, testCount: number): { train: Problem[]; test: Problem[] } {
  const random = mulberry32(seed);
  const seen = new Set<string>();
  const take = (count: number, prefix: string) => {
    const problems: Problem[] = [];
    while (problems.length < count) {
      const problem = makeProblem(random, `${prefix}-${problems.length + 1}`);
      if (seen.has(problem.question)) continue;
      seen.add(problem.question);
      problems.push(problem);
    }
    return problems;
  };
  const test = take(testCount, "demo");
  return { test, train: take(trainCount, "train") };
}

export { mulberry32 };
