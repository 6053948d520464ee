// Critic schemas explain before they decide: node-llama-cpp's JSON-schema grammar emits properties in declaration
// order, so a verdict or score declared first is chosen before any reasoning is written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CRITIQUE_CHARS, holisticSchema, parseVerdict, stepwiseSchema } from "./verdicts.ts";
import { qualitySchema } from "./eigen1.ts";

type ObjectSchema = { properties: Record<string, { maxLength?: number; items?: ObjectSchema }> };
const keys = (schema: unknown) => Object.keys((schema as ObjectSchema).properties);

test("holistic critique: the critique comes before correct and score, with room for a real critique", () => {
  assert.deepEqual(keys(holisticSchema), ["critique", "correct", "score"]);
  assert.ok(((holisticSchema as ObjectSchema).properties.critique!.maxLength ?? 0) >= 1200, "≥ ~300 tokens");
});

test("stepwise critique: each step explains before its verdict and score; the summary before the final verdict", () => {
  const schema = stepwiseSchema(3) as ObjectSchema;
  assert.deepEqual(keys(schema), ["steps", "critique", "finalCorrect", "score"]);
  const step = schema.properties.steps!.items!;
  assert.deepEqual(keys(step), ["why", "verdict", "score"]);
  assert.ok((step.properties.why!.maxLength ?? 0) >= 200, "a step's explanation has room for a sentence or two");
  assert.ok((schema.properties.critique!.maxLength ?? 0) >= 500);
});

test("Eigen-1's judge analyses and suggests before it scores", () => {
  assert.deepEqual(keys(qualitySchema), ["analysis", "suggestion", "logic", "answer", "explanation"]);
});

test("a long critique in the new order parses whole", () => {
  const why = "x".repeat(CRITIQUE_CHARS.step);
  const text = JSON.stringify({
    steps: [
      { why, verdict: "correct", score: 9 },
      { why: "carry dropped", verdict: "wrong", score: 2 },
    ],
    critique: "c".repeat(CRITIQUE_CHARS.stepwiseSummary),
    finalCorrect: false,
    score: 3,
  });
  const verdict = parseVerdict(text, true);
  assert.equal(verdict.steps![0]!.why, why);
  assert.equal(verdict.firstErrorStep, 1);
  assert.equal(verdict.correct, false);
  assert.equal(verdict.critique.length, CRITIQUE_CHARS.stepwiseSummary);
});
