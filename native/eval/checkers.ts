// Whether a candidate solves its task, by the task's kind: code runs the task's tests in the sandbox, multiple
// choice compares option letters (a stated letter, "(B)", or the option's text), everything else compares final
// answers as numbers or normalised LaTeX. One function for the runner, the experiment and the exports.
import type { Task } from "../protocol/events.ts";
import { answersMatch, extractAnswer, normalizeAnswer, referenceAnswer } from "./answers.ts";
import { extractCode, runPython, testProgram } from "./sandbox.ts";

export type CheckerKind = "code" | "choice" | "answer" | "none";

export function checkerKind(task: Task): CheckerKind {
  if (task.tests) return "code";
  if (task.reference === undefined) return "none";
  return task.choices?.length ? "choice" : "answer";
}

export const choiceLabel = (index: number) => String.fromCharCode(65 + index);

const stripWrapping = (text: string) =>
  text
    .trim()
    .replace(/^\\text\{(.*)\}$/, "$1")
    .replace(/^\\?\$|\\?\$$/g, "")
    .replace(/^\*\*(.*)\*\*$/, "$1")
    .replace(/^(?:option|choice|answer)\s*:?\s*/i, "")
    .trim();

/** The option letter an answer names, or null: "B", "(B)", "B) thymine", "b.", or the option's own text. */
export function choiceOf(answer: string | null, choices: readonly string[]): string | null {
  if (answer === null) return null;
  const value = stripWrapping(answer);
  const last = choiceLabel(choices.length - 1);
  const inRange = (letter: string) => letter >= "A" && letter <= last;
  // "C", "(c)", "C)", "c." or "C) guanine" — but not the article in "a guess".
  const leading = value.match(/^\(([A-Za-z])\)/) ?? value.match(/^([A-Za-z])(?:[.:)](?:\s|$)|$)/);
  if (leading && inRange(leading[1]!.toUpperCase())) return leading[1]!.toUpperCase();
  const text = normalizeAnswer(value);
  const byText = choices.findIndex((choice) => normalizeAnswer(choice) === text);
  if (byText >= 0) return choiceLabel(byText);
  const parenthesised = [...value.matchAll(/\(([A-Z])\)/g)].map((m) => m[1]!).filter(inRange).at(-1);
  return parenthesised ?? null;
}

/** A reference given as a letter, a 0-based index or the option's text, as a letter. */
export function referenceChoice(reference: string, choices: readonly string[]): string | null {
  const trimmed = reference.trim();
  if (/^\d+$/.test(trimmed) && Number(trimmed) < choices.length) return choiceLabel(Number(trimmed));
  return choiceOf(trimmed, choices);
}

/** Correctness of a final answer for answer and choice tasks; null when the task has no reference or is code. */
export function answerIsCorrect(task: Task, answer: string | null): boolean | null {
  const kind = checkerKind(task);
  if (kind === "choice") {
    const expected = referenceChoice(task.reference!, task.choices!);
    return expected !== null && choiceOf(answer, task.choices!) === expected;
  }
  if (kind === "answer") return answersMatch(answer, referenceAnswer(task.reference!));
  return null;
}

/** Correctness of a whole candidate: code candidates run the task's tests; others check their final answer. */
export async function candidateIsCorrect(task: Task, candidate: { text: string; answer: string | null }): Promise<boolean | null> {
  if (task.tests) return (await runPython(testProgram(extractCode(candidate.text), task.tests))).passed;
  return answerIsCorrect(task, candidate.answer ?? extractAnswer(candidate.text));
}

/** The question as the model should see it: options listed under it when the question text does not show them. */
export function questionWithChoices(question: string, choices: readonly string[]): string {
  const shown = choices.every((choice, i) => question.includes(`(${choiceLabel(i)})`) || question.includes(`${choiceLabel(i)}. ${choice}`));
  if (shown) return question;
  return `${question}\nAnswer Choices: ${choices.map((choice, i) => `(${choiceLabel(i)}) ${choice}`).join(" ")}`;
}
