// The step verifier: the critic's stepwise verdict on a solution (or a prefix of one). With verifyK > 1 it
// verifies k times independently at the critic's temperature and takes a per-step majority, as SPARK's verifier
// self-consistency does (Rahman et al. 2025; no public code): a step is wrong when more than half the verdicts
// say so, its score is the mean of the k scores, and a vote node shows each step's agreement.
import type { StepScore } from "../protocol/events.ts";
import type { RunContext } from "./context.ts";
import type { ParamSpec } from "./types.ts";

export const verifyKParam = {
  name: "verifyK",
  type: "integer",
  default: 1,
  min: 1,
  max: 16,
  description: "independent step verifications per solution, per-step majority (SPARK); needs a critic temperature above 0",
} as const satisfies ParamSpec;

export interface StepVerdicts {
  steps: StepScore[];
  /** Per step: how many of the k verdicts called it correct. */
  agreement: number[];
}

/** The per-step majority of k stepwise verdicts (a tie counts as wrong: half the verifiers found an error). */
export function stepMajority(verdicts: readonly (readonly StepScore[])[]): StepVerdicts {
  const length = Math.max(0, ...verdicts.map((v) => v.length));
  const steps: StepScore[] = [];
  const agreement: number[] = [];
  for (let index = 0; index < length; index++) {
    const judged = verdicts.map((v) => v[index]).filter((s): s is StepScore => s !== undefined);
    const correct = judged.filter((s) => s.verdict === "correct").length;
    const scored = judged.map((s) => s.score).filter((x): x is number => x !== null);
    agreement.push(correct);
    steps.push({
      index,
      verdict: correct * 2 > judged.length ? "correct" : "wrong",
      score: scored.length ? scored.reduce((a, b) => a + b, 0) / scored.length : null,
    });
  }
  return { steps, agreement };
}

/** Judges a candidate step by step k times; its latest critic score is then the verdict the search reads. */
export async function verifySteps(
  ctx: RunContext,
  candidateId: string,
  options: { k: number; iteration: number; lane: string; solutionText?: string },
): Promise<void> {
  const temperature = ctx.options.sampling.critic.temperature;
  if (options.k > 1 && temperature === 0) {
    throw new Error(`Verify k = ${options.k} needs a critic temperature above 0: at 0 the ${options.k} verifications are one verdict repeated`);
  }
  const critiques = [];
  for (let i = 0; i < options.k; i++) {
    critiques.push(
      await ctx.critique(candidateId, {
        mode: "stepwise",
        iteration: options.iteration,
        lane: options.lane,
        step: "verify",
        solutionText: options.solutionText,
      }),
    );
  }
  if (options.k === 1) return;
  const { steps, agreement } = stepMajority(critiques.map((c) => c.verdict.steps ?? []));
  const overall = critiques.map((c) => c.verdict.score).filter((x): x is number => x !== null);
  const firstWrong = steps.findIndex((s) => s.verdict === "wrong");
  const node = ctx.addComputedNode({
    role: "vote",
    step: "step-majority",
    iteration: options.iteration,
    parents: critiques.map((c) => c.node.id),
    text: steps.map((s, i) => `step ${i + 1}: ${agreement[i]}/${options.k} correct, mean score ${s.score?.toFixed(2) ?? "n/a"}`).join("\n"),
    answer: null,
  });
  ctx.setScore(candidateId, {
    value: overall.length ? overall.reduce((a, b) => a + b, 0) / overall.length : null,
    steps,
    firstErrorStep: firstWrong >= 0 ? firstWrong : null,
    verdict: firstWrong >= 0 ? "incorrect" : "unknown",
    source: "critic",
    byNodeId: node.id,
  });
}
