// Whether a candidate solves its task, by the task's kind: code runs the task's tests in the sandbox, multiple
// choice compares option letters (a stated letter, "(B)", "option B", or the option's exact text — with options
// given as a list or written in the question, "Answer Choices: (A) … (B) …"), everything else compares final
// answers by value (answers.ts, math-equivalence.ts). `gradeResponse` is the one checker: the runner, experiments,
// critic evaluation, exports and `refinery grade` all reach it.
import type { CodeTests, Task } from "../protocol/events.ts";
import {
  answersMatch,
  answerNumber,
  extractFinalAnswer,
  matchOptionsFor,
  normalizeAnswer,
  referenceAnswer,
  type ExtractedAnswer,
  type ExtractedBy,
} from "./answers.ts";
import { extractCode, runPython, type SandboxResult, testProgram } from "./sandbox.ts";

export type CheckerKind = "code" | "choice" | "answer" | "none";

export const choiceLabel = (index: number) => String.fromCharCode(65 + index);

/**
 * Options written in the question: "Answer Choices: (A) uracil (B) thymine", or one per line as "A. uracil" / "(A) uracil".
 * Only a run A, B, C… counts: a stray "(C)" in a sentence is no list of options, and of several runs the longest
 * (the last of equals) is the list, so "(A) … and (B) …" in the stem does not hide the options after it.
 */
export function choicesInQuestion(question: string): string[] | null {
  const inline = [...question.matchAll(/\(([A-Z])\)\s*([^\n]*?)(?=\s*\([A-Z]\)|\n|$)/g)];
  const perLine = [...question.matchAll(/^\s*\(?([A-Z])[.):]\s+(.+?)\s*$/gm)];
  for (const found of [inline, perLine]) {
    const options = longestRun(found.map((m) => ({ letter: m[1]!, text: m[2]!.trim() })));
    if (options.length >= 2 && options.every(Boolean)) return options;
  }
  return null;
}

/** The texts of the longest run of consecutive letters A, B, C… (the last of equally long ones). */
function longestRun(found: ReadonlyArray<{ letter: string; text: string }>): string[] {
  let best: string[] = [];
  let run: string[] = [];
  for (const { letter, text } of found) {
    if (letter === choiceLabel(run.length)) run.push(text);
    else run = letter === "A" ? [text] : [];
    if (run.length >= best.length) best = run;
  }
  return best;
}

/** The options of a task: its own list, else those its question spells out when the reference is a letter. */
export function taskChoices(task: Task): string[] | null {
  if (task.choices?.length) return task.choices;
  if (task.reference === undefined || !/^\s*\(?[A-Z]\)?\s*$/.test(task.reference)) return null;
  return choicesInQuestion(task.question);
}

export function checkerKind(task: Task): CheckerKind {
  if (task.tests) return "code";
  if (task.reference === undefined) return "none";
  return taskChoices(task) ? "choice" : "answer";
}

const stripWrapping = (text: string) => {
  let value = text.trim();
  for (let previous = ""; previous !== value; ) {
    previous = value;
    value = value
      .replace(/^\\(?:text|textbf|mathrm|mbox|boxed|fbox)\{(.*)\}$/s, "$1")
      .replace(/^\\?\$|\\?\$$/g, "")
      .replace(/^\*\*(.*)\*\*$/s, "$1")
      .replace(/^(?:the\s+)?(?:correct\s+)?(?:option|choice|answer)\s*(?:is)?\s*:?\s*/i, "")
      .trim();
  }
  return value;
};

const comparable = (text: string) =>
  text
    .toLowerCase()
    .replace(/\\text\{([^}]*)\}/g, "$1")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

/** The option letter an answer names, or null: "B", "(B)", "B) thymine", "b.", "option B", or the option's own text. */
export function choiceOf(answer: string | null, choices: readonly string[]): string | null {
  if (answer === null) return null;
  const value = stripWrapping(answer);
  const last = choiceLabel(choices.length - 1);
  const inRange = (letter: string) => letter >= "A" && letter <= last;
  // "C", "(c)", "C)", "c." or "C) guanine" — but not the article in "a guess".
  const leading = value.match(/^\(([A-Za-z])\)/) ?? value.match(/^([A-Za-z])(?:[.:)](?:\s|$)|$)/);
  const mentioned = [...value.matchAll(/\(([A-Z])\)|\b(?:option|choice)\s+\(?([A-Z])\b/gi)].map((m) => (m[1] ?? m[2])!.toUpperCase()).filter(inRange);
  // "(A) or (B)" names no single option.
  if (new Set(mentioned).size > 1) return null;
  if (leading && inRange(leading[1]!.toUpperCase())) return leading[1]!.toUpperCase();
  const text = comparable(value);
  const byText = choices.findIndex((choice) => comparable(choice) === text);
  if (byText >= 0) return choiceLabel(byText);
  return mentioned[0] ?? null;
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
    const choices = taskChoices(task)!;
    const expected = referenceChoice(task.reference!, choices);
    return expected !== null && choiceOf(answer, choices) === expected;
  }
  if (kind === "answer") return answersMatch(answer, referenceAnswer(task.reference!), matchOptionsFor(task.question, task.reference));
  return null;
}

/** The option a solution last names when it states no answer: "(B)", "option B", or an option's full text. */
function lastOptionMention(text: string, choices: readonly string[]): string | null {
  const last = choiceLabel(choices.length - 1);
  let best: { index: number; letter: string } | null = null;
  for (const m of text.matchAll(/\(([A-Z])\)|\b(?:option|choice)\s+\(?([A-Z])\b/g)) {
    const letter = (m[1] ?? m[2])!;
    if (letter <= last && (!best || m.index > best.index)) best = { index: m.index, letter };
  }
  const lower = text.toLowerCase();
  choices.forEach((choice, i) => {
    const at = choice.length >= 4 ? lower.lastIndexOf(choice.toLowerCase()) : -1;
    if (at >= 0 && (!best || at > best.index)) best = { index: at, letter: choiceLabel(i) };
  });
  return (best as { letter: string } | null)?.letter ?? null;
}

export interface GradedResponse {
  /** The answer as read: an option letter for multiple choice, the extracted final answer otherwise. */
  answer: string | null;
  extractedBy: ExtractedBy;
  /** null: the task has no reference (or is code, judged by running it). */
  correct: boolean | null;
}

/**
 * The final answer an answer text gives for a task (never pass a thought segment): the stated one, else — for a
 * numeric reference — the last number, or — for multiple choice — the last option named (marked as fallbacks).
 * What runs store on their nodes.
 */
export function answerOf(task: Task, text: string): ExtractedAnswer {
  const kind = checkerKind(task);
  const reference = kind === "answer" ? referenceAnswer(task.reference!) : undefined;
  const extracted = extractFinalAnswer(text, { numeric: reference !== undefined && answerNumber(reference) !== null });
  // Only a solution that states nothing falls back to the option it names last; a stated non-option answer stays wrong.
  if (kind !== "choice" || extracted.answer !== null) return extracted;
  const letter = lastOptionMention(text, taskChoices(task)!);
  return letter !== null ? { answer: letter, extractedBy: "option-mention" } : extracted;
}

/**
 * Reads and judges one response to a task: the final answer (given, e.g. the node's answer, or read from the answer
 * text by `answerOf`), then the verdict. Multiple-choice answers are reported as the option's letter.
 */
export function gradeResponse(task: Task, response: { text: string; answer?: string | null }): GradedResponse {
  const extracted = response.answer != null ? { answer: response.answer, extractedBy: "given" as const } : answerOf(task, response.text);
  const correct = answerIsCorrect(task, extracted.answer);
  if (checkerKind(task) !== "choice") return { ...extracted, correct };
  return { answer: choiceOf(extracted.answer, taskChoices(task)!) ?? extracted.answer, extractedBy: extracted.extractedBy, correct };
}

/**
 * What answers are grouped by in a vote: the option's letter for multiple choice ("(B) thymine", "B" and "thymine"
 * are one vote), the normalised answer otherwise; null when the answer names nothing.
 */
export function answerKey(task: Task, answer: string | null): string | null {
  if (answer === null) return null;
  return keysByLetter(task) ? choiceOf(answer, taskChoices(task)!) : normalizeAnswer(answer);
}

/** Whether answers group by option letter: options came with the task, whether or not a reference did (a vote needs none). */
export const keysByLetter = (task: Task) => !task.tests && taskChoices(task) !== null;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The code a reply to a code task runs: its last fenced block, or the whole reply. A completion that does not
 * define the entry point — HumanEval's own format, the function's body — runs after the prompt, as HumanEval's
 * harness runs it.
 */
export function codeOfReply(task: Task, text: string): string {
  const code = extractCode(text);
  const entryPoint = task.tests?.entryPoint;
  if (!entryPoint || new RegExp(`^\\s*(?:async\\s+)?def\\s+${escapeRegExp(entryPoint)}\\s*\\(`, "m").test(code)) return code;
  return `${task.question.trimEnd()}\n${code}`;
}

/** Runs a code task's tests on a reply in the sandbox; `passed` only when the checks ran to their end. */
export function runCodeTests(task: Task & { tests: CodeTests }, text: string): Promise<SandboxResult> {
  return runPython(testProgram(codeOfReply(task, text), task.tests));
}

/** Correctness of a whole candidate: code candidates run the task's tests; others check their final answer. */
export async function candidateIsCorrect(task: Task, candidate: { text: string; answer: string | null }): Promise<boolean | null> {
  if (task.tests) return (await runCodeTests({ ...task, tests: task.tests }, candidate.text)).passed;
  return gradeResponse(task, { text: candidate.text, answer: candidate.answer }).correct;
}

/** The question as the model should see it: options listed under it when the question text does not show them. */
export function questionWithChoices(question: string, choices: readonly string[]): string {
  const shown = choices.every((choice, i) => question.includes(`(${choiceLabel(i)})`) || question.includes(`${choiceLabel(i)}. ${choice}`));
  if (shown) return question;
  return `${question}\nAnswer Choices: ${choices.map((choice, i) => `(${choiceLabel(i)}) ${choice}`).join(" ")}`;
}
