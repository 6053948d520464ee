// Critic verdicts as grammar-constrained JSON. Measured pitfalls of node-llama-cpp's schema grammars shape
// these schemas: minimum/maximum are ignored and integers admit exponents, so scores are enums; strings are
// capped with maxLength (and requests with maxTokens) or they may never close. Constrained decoding emits the
// fields in declaration order, so every schema puts the reasoning first and the verdict and score last: a critic
// that must decide before it explains only rationalises its first guess.
import type { JsonSchema } from "../llm/backend.ts";
import { parseJsonLoose } from "../llm/json-output.ts";
import type { Score, StepScore } from "../protocol/events.ts";

const SCORES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;
/** Scores as an enum: node-llama-cpp's grammars ignore minimum/maximum and let integers take exponents. */
export const scoreSchema = { enum: SCORES };

export const MAX_STEPS = 12;

/**
 * An object schema that reads the same everywhere: node-llama-cpp's grammars emit every property anyway, but a
 * llama-server, vLLM or OpenAI's strict mode treat a property not in `required` as optional (a llama-server critic
 * answered `{ }`), and strict mode refuses an object without `additionalProperties: false`.
 */
export function strictObject<P extends Record<string, unknown>>(
  properties: P,
): { type: "object"; properties: P; required: string[]; additionalProperties: false } {
  return { type: "object", properties, required: Object.keys(properties), additionalProperties: false };
}

/**
 * Room for real critiques (about 4 characters a token): a holistic critique of ~350 tokens, a step's
 * explanation of ~60, a stepwise summary of ~150. Caps exist only so a string always closes; llama.cpp refuses
 * a grammar that repeats a character 2000 times or more ("exceeds sane defaults").
 */
export const CRITIQUE_CHARS = { holistic: 1400, step: 240, stepwiseSummary: 600 } as const;

export const holisticSchema: JsonSchema = strictObject({
  critique: { type: "string", maxLength: CRITIQUE_CHARS.holistic },
  correct: { type: "boolean" },
  score: scoreSchema,
});

export function stepwiseSchema(stepCount: number): JsonSchema {
  const n = Math.max(1, Math.min(MAX_STEPS, stepCount));
  return strictObject({
    steps: {
      type: "array",
      minItems: n,
      maxItems: n,
      items: strictObject({
        why: { type: "string", maxLength: CRITIQUE_CHARS.step },
        verdict: { enum: ["correct", "wrong"] },
        score: scoreSchema,
      }),
    },
    critique: { type: "string", maxLength: CRITIQUE_CHARS.stepwiseSummary },
    finalCorrect: { type: "boolean" },
    score: scoreSchema,
  });
}

export interface CriticVerdict {
  parsed: boolean;
  critique: string;
  correct: boolean | null;
  score: number | null;
  steps?: StepScore[];
  firstErrorStep?: number | null;
  parseError?: string;
}

const asScore = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? Math.max(0, Math.min(10, value)) : null);

export function parseVerdict(text: string, stepwise: boolean): CriticVerdict {
  const parsed = parseJsonLoose<Record<string, unknown>>(text);
  if (!parsed.ok || typeof parsed.value !== "object" || parsed.value === null) {
    return { parsed: false, critique: text, correct: null, score: null, parseError: parsed.ok ? "not an object" : parsed.error };
  }
  const value = parsed.value;
  const verdict: CriticVerdict = {
    parsed: true,
    critique: typeof value.critique === "string" ? value.critique : "",
    correct: typeof value.correct === "boolean" ? value.correct : typeof value.finalCorrect === "boolean" ? value.finalCorrect : null,
    score: asScore(value.score),
  };
  if (stepwise) {
    const rawSteps = Array.isArray(value.steps) ? value.steps : [];
    verdict.steps = rawSteps.map((raw, index): StepScore => {
      const step = (raw ?? {}) as Record<string, unknown>;
      return {
        index,
        verdict: step.verdict === "wrong" ? "wrong" : "correct",
        score: asScore(step.score),
        ...(typeof step.why === "string" ? { why: step.why } : {}),
      };
    });
    // The first error is derived from the per-step verdicts rather than asked for separately, so the two
    // can never disagree.
    const firstWrong = verdict.steps.findIndex((step) => step.verdict === "wrong");
    verdict.firstErrorStep = firstWrong >= 0 ? firstWrong : null;
  }
  return verdict;
}

export function verdictToScore(verdict: CriticVerdict, byNodeId: string): Score {
  return {
    value: verdict.score,
    verdict: !verdict.parsed ? "unparseable" : verdict.correct === true ? "correct" : verdict.correct === false ? "incorrect" : "unknown",
    source: "critic",
    byNodeId,
    ...(verdict.steps ? { steps: verdict.steps, firstErrorStep: verdict.firstErrorStep ?? null } : {}),
  };
}

/** Feedback text for a refiner: the critique plus, for stepwise verdicts, each wrong step. */
export function feedbackText(verdict: CriticVerdict, steps?: string[]): string {
  if (!verdict.parsed) return verdict.critique.trim() || "The reviewer's feedback could not be read.";
  const lines: string[] = [];
  for (const step of verdict.steps ?? []) {
    const label = `Step ${step.index + 1}`;
    if (step.verdict === "wrong")
      lines.push(`${label} is wrong${step.why ? `: ${step.why}` : ""}${steps?.[step.index] ? ` (step: "${steps[step.index]}")` : ""}`);
  }
  if (verdict.critique) lines.push(verdict.critique);
  if (verdict.score !== null) lines.push(`Overall score: ${verdict.score}/10.`);
  if (verdict.correct !== null) lines.push(verdict.correct ? "The final answer looks correct." : "The final answer looks wrong.");
  return lines.join("\n");
}

/** Splits a solution into steps: non-empty lines, the tail merged so there are at most MAX_STEPS. */
export function splitSteps(text: string): string[] {
  const lines = text
    .split(/\n+/)
    .map((line) => line.trim())
    .filter(Boolean);
  if (lines.length <= MAX_STEPS) return lines.length > 0 ? lines : [text.trim()];
  return [...lines.slice(0, MAX_STEPS - 1), lines.slice(MAX_STEPS - 1).join(" ")];
}
