// Graders for answers no checker can grade: a judge model reads the question (and the reference when there is one)
// and decides. checklist: yes/no per criterion, the score is the fraction passed and "correct" is all passed.
// rubric: a 1–10 rating (MT-Bench single-answer grading; reference-guided when the item has one). pairwise: the
// answer against a baseline answer, judged in both orders (FastChat's rule: a winner only when both orders agree,
// anything else is a tie), so a judge that follows the position can never make a winner. A second turn (MT-Bench)
// is rated or compared with the multi-turn prompts: the whole conversation shown, the second answer judged.
import type { GenerateResult, JsonSchema, ModelBackend } from "../../llm/backend.ts";
import { parseJsonLoose } from "../../llm/json-output.ts";
import type { ChatMessage } from "../../protocol/events.ts";
import type { GraderKind, PairOutcome } from "../../protocol/experiment-results.ts";
import {
  checklistMessages,
  checklistSchema,
  claimsMessages,
  claimsSchema,
  criterionMessages,
  criterionSchema,
  type JudgedTurn,
  MAX_CRITERIA_PER_CALL,
  pairwiseMessages,
  pairwiseMultiTurnMessages,
  pairwiseSchema,
  RATINGS,
  rubricMessages,
  rubricMultiTurnMessages,
  rubricSchema,
} from "../../strategies/judge-prompts.ts";

export type { GraderKind, PairOutcome };
export const GRADER_KINDS: readonly GraderKind[] = ["checklist", "rubric", "pairwise"];

/**
 * How a checklist is put to a judge: "structured", every criterion in one call (up to 20), each with its reasoning
 * and yes/no, in order; "per-criterion", one call per criterion, so no verdict leans on the ones before it.
 */
export type ChecklistCalls = "structured" | "per-criterion";
export const CHECKLIST_CALLS: readonly ChecklistCalls[] = ["structured", "per-criterion"];

export interface Judge {
  /** What reports call it: the model's file or served name. */
  label: string;
  backend: ModelBackend;
}

export interface JudgeSettings {
  maxTokens: number;
  temperature: number;
  seed: number;
  /** Lane of the judge's backend (calls on one lane run one after another). */
  lane?: string;
  signal?: AbortSignal;
}

export const DEFAULT_JUDGE_SETTINGS = { maxTokens: 768, temperature: 0 } as const;

/** One generation of a judge, kept whole so the tree can show why an answer scored what it did. */
export interface JudgeCall {
  judge: string;
  /** What this call decided: "rubric", "checklist", "candidate first", "baseline first". */
  step: string;
  messages: ChatMessage[];
  text: string;
  thought?: string;
  /** The output was the JSON the schema asks for. */
  parsed: boolean;
  tokensIn: number;
  tokensOut: number;
  wallMs: number;
}

async function callJudge<T>(
  judge: Judge,
  step: string,
  messages: ChatMessage[],
  schema: JsonSchema,
  settings: JudgeSettings,
): Promise<{ call: JudgeCall; value: T | null }> {
  const started = performance.now();
  const result: GenerateResult = await judge.backend.generate({
    messages,
    jsonSchema: schema,
    maxTokens: settings.maxTokens,
    temperature: settings.temperature,
    seed: settings.seed,
    lane: settings.lane ?? "judge",
    signal: settings.signal,
  });
  settings.signal?.throwIfAborted();
  const parsed = parseJsonLoose<T>(result.text);
  const value = parsed.ok && typeof parsed.value === "object" && parsed.value !== null ? parsed.value : null;
  return {
    value,
    call: {
      judge: judge.label,
      step,
      messages,
      text: result.text,
      ...(result.thought ? { thought: result.thought } : {}),
      parsed: value !== null,
      tokensIn: result.tokensIn,
      tokensOut: result.tokensOut,
      wallMs: Math.round(performance.now() - started),
    },
  };
}

export interface ChecklistJudgement {
  judge: string;
  /** Per criterion: passed, failed, or null when the judge's output could not be read. */
  passed: Array<boolean | null>;
  reasons: string[];
  calls: JudgeCall[];
}

const verdictOf = (satisfied: unknown) => (satisfied === "yes" ? true : satisfied === "no" ? false : null);

/**
 * Structured: one call per (up to 20) criteria, each with a reasoning and a yes/no, in the checklist's order.
 * Per-criterion: one call per criterion.
 */
export async function judgeChecklist(
  judge: Judge,
  question: string,
  answer: string,
  criteria: readonly string[],
  settings: JudgeSettings,
  mode: ChecklistCalls = "structured",
): Promise<ChecklistJudgement> {
  if (!criteria.length) throw new Error("the checklist grader needs an item with a checklist (a list of criteria)");
  const passed: Array<boolean | null> = [];
  const reasons: string[] = [];
  const calls: JudgeCall[] = [];
  if (mode === "per-criterion") {
    for (const [i, criterion] of criteria.entries()) {
      const { call, value } = await callJudge<{ reasoning?: unknown; satisfied?: unknown }>(
        judge,
        `checklist criterion ${i + 1}`,
        criterionMessages(question, answer, criterion),
        criterionSchema,
        { ...settings, seed: settings.seed + i },
      );
      calls.push(call);
      passed.push(verdictOf(value?.satisfied));
      reasons.push(typeof value?.reasoning === "string" ? value.reasoning : "");
    }
    return { judge: judge.label, passed, reasons, calls };
  }
  for (let from = 0; from < criteria.length; from += MAX_CRITERIA_PER_CALL) {
    const part = criteria.slice(from, from + MAX_CRITERIA_PER_CALL);
    const { call, value } = await callJudge<{ criteria?: Array<{ reasoning?: unknown; satisfied?: unknown }> }>(
      judge,
      "checklist",
      checklistMessages(question, answer, part),
      checklistSchema(part.length),
      { ...settings, seed: settings.seed + from },
    );
    calls.push(call);
    part.forEach((_, i) => {
      const entry = Array.isArray(value?.criteria) ? value.criteria[i] : undefined;
      passed.push(verdictOf(entry?.satisfied));
      reasons.push(typeof entry?.reasoning === "string" ? entry.reasoning : "");
    });
  }
  return { judge: judge.label, passed, reasons, calls };
}

/** Claims judged in one call at most (as checklist criteria). */
export const MAX_CLAIMS_PER_CALL = MAX_CRITERIA_PER_CALL;

/** Each claim judged true or false (null: unreadable), in calls of up to 20 claims. */
export async function judgeClaims(
  judge: Judge,
  question: string,
  answer: string,
  reference: string,
  claims: readonly string[],
  settings: JudgeSettings,
): Promise<{ verdicts: Array<boolean | null>; calls: JudgeCall[] }> {
  const verdicts: Array<boolean | null> = [];
  const calls: JudgeCall[] = [];
  for (let from = 0; from < claims.length; from += MAX_CRITERIA_PER_CALL) {
    const part = claims.slice(from, from + MAX_CRITERIA_PER_CALL);
    const { call, value } = await callJudge<{ claims?: Array<{ verdict?: unknown }> }>(
      judge,
      "claims",
      claimsMessages(question, answer, reference, part),
      claimsSchema(part.length),
      { ...settings, seed: settings.seed + from },
    );
    calls.push(call);
    part.forEach((_, i) => {
      const verdict = Array.isArray(value?.claims) ? value.claims[i]?.verdict : undefined;
      verdicts.push(verdict === "true" ? true : verdict === "false" ? false : null);
    });
  }
  return { verdicts, calls };
}

/** The fraction of criteria passed (an unreadable verdict is not a pass) and whether all passed. */
export function checklistScore(passed: ReadonlyArray<boolean | null>): { score: number; correct: boolean } {
  const yes = passed.filter((p) => p === true).length;
  return { score: passed.length ? yes / passed.length : Number.NaN, correct: passed.length > 0 && yes === passed.length };
}

export interface RubricJudgement {
  judge: string;
  /** 1–10, or null when the output could not be read. */
  rating: number | null;
  reasoning: string;
  calls: JudgeCall[];
}

/** A second turn's first turn: what the multi-turn prompts show before it (the baseline's own first answer for pairwise). */
export interface FirstTurn {
  question: string;
  answer: string;
  reference?: string;
  baselineAnswer?: string;
}

export async function judgeRubric(
  judge: Judge,
  question: string,
  answer: string,
  reference: string | undefined,
  settings: JudgeSettings,
  firstTurn?: FirstTurn,
): Promise<RubricJudgement> {
  const turns = firstTurn ? secondTurnOf(firstTurn, question, reference) : null;
  const referenced = turns ? turns.every((t) => t.reference !== undefined) : reference !== undefined;
  const { call, value } = await callJudge<{ reasoning?: unknown; rating?: unknown }>(
    judge,
    `${referenced ? "rubric with reference" : "rubric"}${turns ? " (turn 2)" : ""}`,
    turns ? rubricMultiTurnMessages(turns, [firstTurn!.answer, answer]) : rubricMessages(question, answer, reference),
    rubricSchema,
    settings,
  );
  const rating = typeof value?.rating === "number" && (RATINGS as readonly number[]).includes(value.rating) ? value.rating : null;
  return { judge: judge.label, rating, reasoning: typeof value?.reasoning === "string" ? value.reasoning : "", calls: [call] };
}

export type PositionVerdict = "A" | "B" | "tie";

export interface PairwiseJudgement {
  judge: string;
  /** The verdict with the candidate shown as A, and with the baseline shown as A; null: unreadable. */
  candidateFirst: PositionVerdict | null;
  baselineFirst: PositionVerdict | null;
  /** The candidate against the baseline: a win or loss only when both orders agree; null when an order was unreadable. */
  outcome: PairOutcome | null;
  /** Both orders were read and named different winners: the verdict moved with the order. */
  flipped: boolean;
  /** Both orders picked the same position (the first, or the second) whatever stood there. */
  followedPosition: "first" | "second" | null;
  calls: JudgeCall[];
}

const asPositionVerdict = (value: unknown): PositionVerdict | null => (value === "A" || value === "B" || value === "tie" ? value : null);

/** The candidate's outcome from one order's verdict (which letter the candidate had in that order). */
function outcomeOf(verdict: PositionVerdict, candidateLetter: "A" | "B"): PairOutcome {
  if (verdict === "tie") return "tie";
  return verdict === candidateLetter ? "win" : "loss";
}

/** Combines the two orders' verdicts by FastChat's rule: agreement decides, disagreement is a tie. */
export function combineOrders(
  candidateFirst: PositionVerdict | null,
  baselineFirst: PositionVerdict | null,
): Pick<PairwiseJudgement, "outcome" | "flipped" | "followedPosition"> {
  if (candidateFirst === null || baselineFirst === null) return { outcome: null, flipped: false, followedPosition: null };
  const first = outcomeOf(candidateFirst, "A");
  const second = outcomeOf(baselineFirst, "B");
  const followedPosition = candidateFirst === baselineFirst && candidateFirst !== "tie" ? (candidateFirst === "A" ? "first" : "second") : null;
  return { outcome: first === second ? first : "tie", flipped: first !== second, followedPosition };
}

/** The two turns the multi-turn prompts show: the first turn's question and reference, then the second's. */
function secondTurnOf(firstTurn: FirstTurn, question: string, reference: string | undefined): [JudgedTurn, JudgedTurn] {
  return [
    { question: firstTurn.question, ...(firstTurn.reference !== undefined ? { reference: firstTurn.reference } : {}) },
    { question, ...(reference !== undefined ? { reference } : {}) },
  ];
}

export async function judgePairwise(
  judge: Judge,
  question: string,
  candidate: string,
  baseline: string,
  reference: string | undefined,
  settings: JudgeSettings,
  firstTurn?: FirstTurn,
): Promise<PairwiseJudgement> {
  type Verdict = { reasoning?: unknown; verdict?: unknown };
  if (firstTurn && firstTurn.baselineAnswer === undefined)
    throw new Error("a second turn is compared with the baseline's whole conversation: its first answer is missing");
  const turns = firstTurn ? secondTurnOf(firstTurn, question, reference) : null;
  const candidateTurns = [firstTurn?.answer ?? "", candidate] as const;
  const baselineTurns = [firstTurn?.baselineAnswer ?? "", baseline] as const;
  const order = (a: readonly [string, string], b: readonly [string, string]) =>
    turns ? pairwiseMultiTurnMessages(turns, a, b) : pairwiseMessages(question, a[1], b[1], reference);
  const suffix = turns ? " (turn 2)" : "";
  const first = await callJudge<Verdict>(judge, `candidate first${suffix}`, order(candidateTurns, baselineTurns), pairwiseSchema, settings);
  const second = await callJudge<Verdict>(judge, `baseline first${suffix}`, order(baselineTurns, candidateTurns), pairwiseSchema, {
    ...settings,
    seed: settings.seed + 1,
  });
  const candidateFirst = asPositionVerdict(first.value?.verdict);
  const baselineFirst = asPositionVerdict(second.value?.verdict);
  return { judge: judge.label, candidateFirst, baselineFirst, ...combineOrders(candidateFirst, baselineFirst), calls: [first.call, second.call] };
}
