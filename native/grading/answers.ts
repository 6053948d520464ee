// Final-answer extraction from how models actually end their solutions, and comparison of answers.
// Extraction reads the ANSWER text only: a reasoning model's thought segment must be removed by the caller (the
// backend passes the part after the thoughts), because a thought often tries answers it later rejects.
// Explicit forms are collected with their position — "#### n", the last \boxed{}/\fbox{}, "final answer" /
// "the answer is" phrasing — and the one nearest the end wins; numeric tasks fall back to the last number, and the
// result says so (`extractedBy`), so a user can tell a stated answer from a guessed one.
import type { AnswerFallback } from "../protocol/events.ts";
import { mathEquivalent, type EquivalenceOptions } from "./math-equivalence.ts";
import { closeTo, decimalsAsked, toleranceFor } from "./numeric-tolerance.ts";

/** How an answer was found; the fallbacks ("last-number", "option-mention") are guesses, not stated answers. */
export type ExtractedBy = "hashes" | "boxed" | "phrase" | "given" | "none" | AnswerFallback;

export const FALLBACK_EXTRACTIONS: readonly ExtractedBy[] = ["last-number", "option-mention"] satisfies AnswerFallback[];

export const isFallback = (extractedBy: ExtractedBy): extractedBy is AnswerFallback => FALLBACK_EXTRACTIONS.includes(extractedBy);

export interface ExtractedAnswer {
  answer: string | null;
  extractedBy: ExtractedBy;
}

export interface ExtractionOptions {
  /** The reference is a number: when no answer is stated, the solution's last number is taken (marked a fallback). */
  numeric?: boolean;
}

/** Contents of each \boxed{...} / \fbox{...} with nested braces, and where each starts. */
function boxedSpans(text: string): Array<{ index: number; end: number; content: string }> {
  const marker = /\\(?:boxed|fbox)\s*\{/g;
  const spans: Array<{ index: number; end: number; content: string }> = [];
  for (let match = marker.exec(text); match; match = marker.exec(text)) {
    let depth = 1;
    let i = match.index + match[0].length;
    const start = i;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === "{") depth++;
      else if (text[i] === "}") depth--;
    }
    if (depth === 0) spans.push({ index: match.index, end: i, content: text.slice(start, i - 1).trim() });
  }
  return spans;
}

/** Contents of the last \boxed{...} (or \fbox{...}), with nested braces. */
export function lastBoxed(text: string): string | null {
  return boxedSpans(text).at(-1)?.content ?? null;
}

/** Markdown emphasis around words ("**The answer is 18**"), not Python's power operator (2**3). */
const stripEmphasis = (text: string) => text.replace(/(?<![\w)])\*\*|\*\*(?![\w(])|(?<=\s|^)__|__(?=\s|$)/gm, "");

/** A trailing explanation after the answer: "18 (since 6*3=18)", "18, which is …", "18 because …". */
const TRAILING_EXPLANATION =
  /\s*(?:\((?:since|because|as|which|from|this|that|i\.e\.|e\.g\.|or|note|rounded|approx\w*|assuming|given|from)\b[^)]*\)?|[,;]\s*(?:which|since|because|so|as|and|but|where|i\.e\.)\b|\s(?:because|since|which|as|where|when|if|for|in|to|so)\s|\s[—–]\s|\s-\s+(?=[A-Za-z]{2,}\s)).*$/is;

/** Words that open a sentence about the answer rather than the answer: "the answer is also consistent with …". */
const NOT_AN_ANSWER =
  /^(?:also|not|correct|incorrect|right|wrong|consistent|reasonable|valid|invalid|indeed|that|this|the same|same|clear|obvious|as follows|below|above|shown|given|found|in|to|be|therefore|because|based|likely|probably|unclear|none of)\b/i;

/** Display or inline math delimiters around the whole answer: \( … \), \[ … \], $ … $, $$ … $$. */
function stripMathDelimiters(value: string): string {
  let current = value.trim();
  for (let previous = ""; previous !== current; ) {
    previous = current;
    current = current
      .replace(/^\\\((.*)\\\)$/s, "$1")
      .replace(/^\\\[(.*)\\\]$/s, "$1")
      .replace(/^\$\$(.*)\$\$$/s, "$1")
      .replace(/^\$([^$]*)\$$/s, "$1")
      .trim();
  }
  return current;
}

/** "6 \times 3 = 18" → "18" and "x = 18" → "18"; an equation whose right side still has letters ("y = 2x + 1") stays. */
function solvedValue(value: string): string {
  const sides = value.split(/(?<![<>!\\])=(?!=)/);
  if (sides.length < 2) return value;
  const last = sides.at(-1)!.trim();
  const letters = last.replace(/\\[a-zA-Z]+/g, "").replace(/\\text\{[^}]*\}/g, "");
  if (!/[a-zA-Z]/.test(letters) || /^\\text/.test(last)) return last || value;
  return value;
}

/** The answer a phrase or an answer line introduces, cut at the end of its sentence and cleaned of decoration. */
export function cleanAnswer(raw: string): string {
  let value = stripEmphasis(raw)
    .trim()
    .replace(/^[:\s]+/, "");
  const boxed = lastBoxed(value);
  if (boxed !== null) return cleanBoxed(boxed);
  value = value.replace(/^(?:is|=|would be|should be|will be|equals)\s+/i, "");
  value = stripMathDelimiters(value.replace(/[.\s]+$/, ""));
  // Inline math inside a sentence: "\(18\) dollars" → "18 dollars".
  value = value.replace(/\\\(\s*(.*?)\s*\\\)/g, "$1").replace(/(?<!\\)\$([^$]+)\$/g, "$1");
  value = value.replace(TRAILING_EXPLANATION, "");
  // A sentence end (". The", ". So") ends the answer; decimals ("3.5") and abbreviations are not sentence ends.
  value = value.replace(/(?<=[^\s.]{2,}|\d)\.\s+[A-Z].*$/s, "");
  value = stripMathDelimiters(value.replace(/[.\s,;]+$/, "").replace(/^\s*(?:\\text\{\s*)?(?:answer|final answer)\s*:?\s*/i, ""));
  return solvedValue(value).trim();
}

/** A box delimits its answer: only decoration inside it goes ("\boxed{\text{18 dollars}.}" keeps "18 dollars"). */
export function cleanBoxed(content: string): string {
  const inner = lastBoxed(content);
  if (inner !== null) return cleanBoxed(inner);
  return stripMathDelimiters(
    stripEmphasis(content)
      .trim()
      .replace(/[.\s]+$/, ""),
  );
}

interface Candidate {
  index: number;
  answer: string;
  extractedBy: ExtractedBy;
}

const PHRASE =
  /(?:final\s+answer|(?:the\s+)?(?:correct\s+|right\s+|best\s+)?(?:answer|option|choice))(?:\s+to\s+[^:\n]{0,80}?)?\s*(?:is\s*:?|:|=|would\s+be|should\s+be|will\s+be|must\s+be)[ \t]*/gi;

/** What follows a phrase: the rest of its line, or the next block when the phrase ends the line ("The answer is:\n\[ 7 \]"). */
function phraseContinuation(text: string, from: number): string {
  const rest = text.slice(from);
  const sameLine = rest.match(/^[^\n]*/)![0];
  if (sameLine.trim()) {
    // A display block opened on the phrase's line runs until it closes.
    if (/\\\[\s*$|\$\$\s*$/.test(sameLine)) return rest.slice(0, rest.search(/\\\]|\$\$(?![\s\S]*^\$\$)/m) + 2 || undefined);
    return sameLine;
  }
  const block = rest.match(/^\s*(\\\[[\s\S]*?\\\]|\$\$[\s\S]*?\$\$|[^\n]+)/);
  return block ? block[1]! : "";
}

/** "Let's verify the answer: substituting 3 gives 9 = 9" checks an answer; it does not state one. */
const CHECKING = /\b(?:check|checking|verify|verifying|confirm|confirming|validate|test|testing)\s+(?:the|our|this|my)?\s*$/i;

/** Prose of many words after a phrase is a sentence about the answer, not the answer. */
const tooWordy = (answer: string) => (answer.replace(/\\[a-zA-Z]+(?:\{[^}]*\})?/g, "").match(/\b[a-zA-Z]{3,}\b/g) ?? []).length > 8;

function phraseCandidates(text: string): Candidate[] {
  const found: Candidate[] = [];
  for (const match of text.matchAll(PHRASE)) {
    if (CHECKING.test(text.slice(Math.max(0, match.index - 30), match.index))) continue;
    const answer = cleanAnswer(phraseContinuation(text, match.index + match[0].length));
    if (answer && !NOT_AN_ANSWER.test(answer) && answer.length <= 200 && !tooWordy(answer)) found.push({ index: match.index, answer, extractedBy: "phrase" });
  }
  return found;
}

function explicitCandidates(text: string): Candidate[] {
  // "#### 18" ends a GSM8K answer; "#### Step 2: …" followed by more text is a Markdown heading.
  const hashes = [...text.matchAll(/^[ \t]*####[ \t]*([^\n]+)/gm)]
    .filter((m) => /^[-+$\\(\d.]/.test(m[1]!.trim()) || !text.slice(m.index + m[0].length).trim())
    .map((m) => ({ index: m.index, answer: cleanAnswer(m[1]!), extractedBy: "hashes" as const }));
  const spans = boxedSpans(text);
  const boxed: Candidate[] = spans.map((span) => ({ index: span.index, answer: cleanBoxed(span.content), extractedBy: "boxed" as const }));
  const together = boxedOnLastLine(text, spans);
  if (together) boxed.splice(boxed.length - 1, 1, { ...together, index: spans.at(-1)!.index });
  return [...hashes, ...boxed, ...phraseCandidates(text)].filter((c) => c.answer !== "");
}

const LAST_NUMBER = /[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*\/\s*\d+)?/g;

/** The last number of a text (GSM8K graders' fallback), without thousands separators. */
export function lastNumber(text: string): string | null {
  const plain = text.replace(/\\frac\{(\d+)\}\{(\d+)\}/g, "$1/$2").replace(/\{,\}/g, ",");
  const last = [...plain.matchAll(LAST_NUMBER)].at(-1)?.[0];
  return last === undefined ? null : last.replace(/,/g, "").replace(/\s+/g, "").replace(/\.$/, "");
}

/** A numeric task's answer stated as a sentence ("Verna received $7.00 in change"): its one number, if it has one. */
function numberInSentence(answer: string): string {
  if (answerNumber(answer) !== null || !/[a-zA-Z]{2,}\s+[a-zA-Z]{2,}/.test(answer.replace(/\\[a-zA-Z]+/g, ""))) return answer;
  const numbers = [...answer.matchAll(LAST_NUMBER)];
  return numbers.length === 1 ? numbers[0]![0].replace(/,/g, "") : answer;
}

/**
 * The answer part of a response: Refinery's backends pass it without the thoughts already; responses written by
 * other tools may still carry a <think>…</think> segment, and one cut off before </think> has no answer part.
 */
export function withoutThoughts(text: string): string {
  const closed = text.replace(/<(think|thinking|reasoning)>[\s\S]*?<\/\1>/gi, "");
  const open = closed.search(/<(?:think|thinking|reasoning)>/i);
  const afterStray = closed.replace(/^[\s\S]*<\/(?:think|thinking|reasoning)>/i, "");
  return open >= 0 ? closed.slice(0, open) : afterStray;
}

/** Boxes side by side on the final line ("x = \boxed{2}, y = \boxed{3}") are one answer listing values. */
function boxedOnLastLine(text: string, spans: ReturnType<typeof boxedSpans>): Candidate | null {
  const last = spans.at(-1);
  if (!last) return null;
  // Joined only by connectors: ", ", " and ", "$ and $", ", y = " — not "\boxed{5} is wrong, so \boxed{7}".
  const connector = (between: string) =>
    between.length < 30 &&
    !between.includes("\n") &&
    between.replace(/\\text\{\s*(?:and|or)\s*\}|\\q?quad|\b(?:and|or)\b|\b[a-zA-Z](?:_\{?\w+\}?)?\b|[$\\()[\],;=\s]/g, "") === "";
  const sameLine = [last];
  for (let i = spans.length - 2; i >= 0 && connector(text.slice(spans[i]!.end, sameLine[0]!.index)); i--) sameLine.unshift(spans[i]!);
  if (sameLine.length < 2) return null;
  return { index: sameLine[0]!.index, answer: sameLine.map((span) => cleanBoxed(span.content)).join(", "), extractedBy: "boxed" };
}

/**
 * The final answer a solution's answer text states, and how it was found. Pass the answer text without a reasoning
 * model's thoughts (a <think>…</think> segment is dropped here too). With `numeric`, a solution that states no
 * answer gives its last number (a fallback).
 */
export function extractFinalAnswer(text: string, options: ExtractionOptions = {}): ExtractedAnswer {
  const plain = stripEmphasis(withoutThoughts(text));
  const candidates = explicitCandidates(plain);
  // The hashes line is the GSM8K convention for "this is the answer"; otherwise the statement nearest the end wins
  // (boxed and phrase at the same spot are one statement).
  const hashes = candidates.filter((c) => c.extractedBy === "hashes").at(-1);
  const chosen = hashes ?? candidates.sort((a, b) => a.index - b.index).at(-1);
  if (chosen) return { answer: options.numeric ? numberInSentence(chosen.answer) : chosen.answer, extractedBy: chosen.extractedBy };
  if (options.numeric) {
    const number = lastNumber(plain);
    if (number !== null) return { answer: number, extractedBy: "last-number" };
  }
  return { answer: null, extractedBy: "none" };
}

/** The final answer a solution states, or null when it states none. */
export function extractAnswer(text: string, options: ExtractionOptions = {}): string | null {
  return extractFinalAnswer(text, options).answer;
}

const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$/i;

/** A number the answer denotes, or null if it is not (only) a number. */
export function answerNumber(answer: string): number | null {
  let value = answer
    .trim()
    .replace(/^\\text\{(.*)\}$/, "$1")
    .replace(/\\[,!;: ]/g, "")
    .replace(/\\%|%/g, "")
    .replace(/\^\s*\{?\s*\\circ\s*\}?|°/g, "")
    .replace(/^\\?\$|\\?\$$/g, "")
    .replace(/^\\(?=\d)/, "")
    .replace(/\{,\}/g, "")
    .replace(/(?<=\d),(?=\d{3}\b)/g, "")
    .replace(/\s+/g, " ")
    .trim();
  // Drop a trailing unit word ("18 dollars", "5 cm"), but keep the number.
  value = value.replace(/^([-+]?[\d.]+)\s*(?:\\(?:text|mbox|mathrm)\{[^}]*\}|[a-zA-Z][a-zA-Z ]*)$/, "$1");
  const fraction = value.match(/^([-+]?)(?:\\[dt]?frac\{(\d+)\}\{(\d+)\}|(\d+)\s*\/\s*(\d+))$/);
  if (fraction) {
    const numerator = Number(fraction[2] ?? fraction[4]) * (fraction[1] === "-" ? -1 : 1);
    const denominator = Number(fraction[3] ?? fraction[5]);
    return denominator === 0 ? null : numerator / denominator;
  }
  return NUMBER.test(value) ? Number(value) : null;
}

/** Canonical form for voting and comparison: numbers as numbers, other answers as whitespace-free LaTeX. */
export function normalizeAnswer(answer: string): string {
  const number = answerNumber(answer);
  if (number !== null) return String(Number(number.toPrecision(12)));
  return answer
    .replace(/\\left|\\right|\\!|\\,|\\;|\\ /g, "")
    .replace(/\\[dt]frac/g, "\\frac")
    .replace(/\\text\{\s*([^}]*)\}/g, "$1")
    .replace(/\s+/g, "")
    .replace(/^\$|\$$/g, "")
    .toLowerCase();
}

/** The reference answer of a dataset item: GSM8K rationales end in "#### n". */
export function referenceAnswer(reference: string): string {
  const stated = extractFinalAnswer(reference);
  return stated.answer ?? reference.trim();
}

/** "+ C" in a task or its reference: answers are antiderivatives, equal up to an additive constant. */
export const asksForConstant = (...texts: Array<string | undefined>) => texts.some((text) => text !== undefined && /\+\s*C\b/.test(text));

/**
 * The yes/no (true/false) an answer opens with, when a reference carries its justification after it ("No. It is
 * not closed under scalar multiplication"); null for anything else, "No solution" included.
 */
export function verdictOf(answer: string): string | null {
  const opening = answer.match(/^\s*(?:\\text(?:bf)?\{\s*)?(yes|no|true|false)\s*\}?\s*(?:$|[.,;:!(—–]|\s-\s)/i);
  return opening ? opening[1]!.toLowerCase() : null;
}

/** The sentences of a question that ask for something: questions, and instructions ("Express …", "Round …"). */
const askingSentences = (question: string) =>
  question
    .split(/(?<=[.?!])\s+|\n+/)
    .filter((sentence) => /\?\s*$|^\s*(?:find|express|give|calculate|compute|determine|write|round|state|what|how)\b/i.test(sentence));

/**
 * The question asks for a percent ("What percent of …?", "Express it as a percentage", "(in %)"), not merely gives
 * one ("after a 20% discount, what is the price?").
 */
export function asksForPercent(question: string): boolean {
  const percentWord = /(?<![\d.]\s*\\?)(?:\bpercent(?:age)?s?\b|%)/i;
  return /\(\s*in\s*\\?%\s*\)/i.test(question) || askingSentences(question).some((sentence) => percentWord.test(sentence));
}

export interface AnswerMatchOptions extends EquivalenceOptions {
  /** The question asks for a percent: a decimal answer (0.625) matches the percent (62.5), and back. */
  percent?: boolean;
}

/** What a task's question says about comparing its answers: "+ C", a percent, the decimals to give. */
export function matchOptionsFor(question: string, reference?: string): AnswerMatchOptions {
  const decimals = decimalsAsked(question);
  return {
    upToConstant: asksForConstant(question, reference),
    percent: asksForPercent(question),
    ...(decimals !== undefined ? { decimalsAsked: decimals } : {}),
  };
}

/** Two numbers as one answer: within the reference's tolerance, or the same share written as a percent and as a decimal. */
function numbersMatch(answer: number, reference: number, referenceText: string, options: AnswerMatchOptions): boolean {
  const tolerance = toleranceFor(referenceText, options.decimalsAsked);
  if (closeTo(answer, reference, tolerance)) return true;
  return options.percent === true && (closeTo(answer * 100, reference, tolerance) || closeTo(answer / 100, reference, tolerance));
}

export function answersMatch(answer: string | null, reference: string, options: AnswerMatchOptions = {}): boolean {
  if (answer === null) return false;
  const [stated, expected] = [verdictOf(answer), verdictOf(reference)];
  if (stated !== null && expected !== null) return stated === expected;
  const a = answerNumber(answer);
  const b = answerNumber(reference);
  if (a !== null && b !== null) return numbersMatch(a, b, reference, options);
  if (normalizeAnswer(answer) === normalizeAnswer(reference)) return true;
  const { percent: _, ...equivalence } = options;
  return mathEquivalent(answer, reference, { upToConstant: asksForConstant(reference), ...equivalence });
}
