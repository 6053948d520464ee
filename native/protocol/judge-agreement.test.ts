// What "Evaluate a judge" shows for each kind of label: the figures a reader needs first, each in its unit, and a
// dash (never "NaN%") where a figure has no value (no decisive pair; null over JSON).
import { test } from "node:test";
import assert from "node:assert/strict";
import { judgeFigureParts, type JudgeEvalFigures } from "./judge-agreement.ts";

const words = (f: JudgeEvalFigures) => judgeFigureParts(f).map((p) => `${p.label}: ${p.value}`);

test("pairwise: accuracy on the pairs people did not tie, κ, flip rate, length preference beside people's", () => {
  const figures: JudgeEvalFigures = {
    mode: "pairwise",
    format: "LLMBar",
    items: 10,
    readable: 9,
    accuracy: 0.625,
    decisive: 8,
    kappa: 0.25,
    judgeTies: 2,
    positionFlipRate: 0.1,
    judgePrefersLonger: 0.75,
    humansPreferLonger: 0.5,
  };
  assert.deepEqual(words(figures), [
    "accuracy on the 8 pairs people did not tie: 62.5%",
    "Cohen's κ: 0.25",
    "position flips: 10.0%",
    "prefers the longer answer (people): 75.0% (50.0%)",
    "readable in both orders: 9/10",
  ]);
  const none = judgeFigureParts({ ...figures, accuracy: Number.NaN, kappa: null as unknown as number });
  assert.equal(none[0]!.value, "–");
  assert.equal(none[1]!.value, "–");
});

test("ratings: Spearman, MAE on the 1–10 scale, and the length correlation beside people's", () => {
  assert.deepEqual(
    words({
      mode: "score",
      format: "FED",
      items: 5,
      readable: 4,
      spearman: 0.4,
      meanAbsoluteError: 1.25,
      judgeLengthCorrelation: 0.9,
      humanLengthCorrelation: -0.1,
    }),
    ["Spearman ρ: 0.40", "mean absolute error (1–10): 1.25", "ρ(rating, length) judge (people): 0.90 (-0.10)", "readable: 4/5"],
  );
});

test("claims: accuracy over every claim, κ, how often each called a claim true, Meta-Precision against people's", () => {
  assert.deepEqual(
    words({
      mode: "claims",
      format: "MetaCritique",
      items: 3,
      claims: 12,
      readable: 11,
      accuracy: 0.5,
      kappa: 0,
      judgeTrueRate: 1,
      humanTrueRate: 0.5,
      precisionMeanAbsoluteError: 0.5,
      precisionSpearman: Number.NaN,
    }),
    ["accuracy on 12 claims: 50.0%", "Cohen's κ: 0.00", "called true (people): 100.0% (50.0%)", "Meta-Precision MAE · ρ: 0.50 · –", "readable: 11/12"],
  );
});
