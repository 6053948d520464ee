// Step-level critique and refinement (AutoMathCritique, Xi et al. 2024; WooooDyy/MathCritique): the critic
// judges every step (why, verdict, score) and the final answer; the actor writes a new solution from the
// critique and the refinement becomes the next input. Scales along N parallel chains and rounds of
// critique → refine. As in the repo's evaluation (evaluate-all.sh runs every MV round on every answer, one round by
// default; test_filter.py's majority_vote counts each record's refined response), every round refines, with no early
// stop, the refiner sees only the latest answer and its critique (inference.py), and the vote is over the
// refinements only, ties to the earliest round. Early stop, drafts in the vote and the latest-first tie rule are
// options. Oracle mode only critiques answers that are wrong against the reference: an upper bound, marked as such
// in the manifest.
import { answersMatch } from "../grading/answers.ts";
import type { ChatMessage } from "../protocol/events.ts";
import type { RunContext } from "./context.ts";
import { fill, prompts, solverMessages } from "./prompts.ts";
import { MAX_LANES, defineStrategy, type ParamSpec, type ParamsOf } from "./types.ts";
import { earliestThenSeed, latestThenScore } from "./vote-preference.ts";
import type { CriticVerdict } from "./verdicts.ts";
import { judging, output, WRAPPER_TOKENS } from "./context-need.ts";

interface Chain {
  draft: string;
  refinements: string[];
  /** Accepted: the critic (or the oracle) passed the answer before the rounds ran out. */
  accepted: boolean;
}

async function runChain(ctx: RunContext, params: ParamsOf<typeof stepCritiqueParams>, chain: number): Promise<Chain> {
  const lane = `chain-${chain % MAX_LANES}`;
  const oracle = params.oracle;
  let candidate = await ctx.draft({ step: "sample", lane, temperature: params.temperature });
  const result: Chain = { draft: candidate.id, refinements: [], accepted: false };
  for (let round = 0; round < params.rounds && ctx.withinBudget(); round++) {
    // The oracle critiques only wrong answers (the repo's test_know_answer): a right one is kept as it is.
    if (oracle && answersMatch(candidate.answer, ctx.task.reference!)) {
      result.accepted = true;
      break;
    }
    const critique = await ctx.critique(candidate.id, { mode: "stepwise", iteration: round, lane: `critic-${chain % MAX_LANES}` });
    const { verdict } = critique;
    if (params.earlyStop && verdict.correct === true && verdict.firstErrorStep === null) {
      result.accepted = true;
      break;
    }
    const instruction = fill(prompts.stepRefine, { feedback: stepByStepCritique(critique.verdict, critique.steps ?? []) });
    // inference.py --mode new: the question, the answer being refined and its critique; no earlier rounds.
    const conversation: ChatMessage[] = [...solverMessages(ctx.task.question), { role: "assistant", content: candidate.text }];
    candidate = await ctx.refine({
      candidateId: candidate.id,
      critiqueId: critique.node.id,
      conversation,
      instruction,
      iteration: round + 1,
      lane,
      temperature: params.temperature,
    });
    result.refinements.push(candidate.id);
  }
  return result;
}

/**
 * The verdict written out the way the repo's critic answers (critic.py's format: each step repeated with its
 * correctness and explanation, then the final answer's), so the refiner reads every step, not only the wrong ones.
 */
export function stepByStepCritique(verdict: CriticVerdict, steps: string[]): string {
  if (!verdict.parsed) return verdict.critique.trim() || "The reviewer's critique could not be read.";
  const judged = (verdict.steps ?? []).map((step) =>
    [
      `Step sentence: ${steps[step.index] ?? ""}`,
      `Correctness of the step: ${step.verdict === "wrong" ? "Wrong" : "Correct"}`,
      `Explanation: ${step.why ?? ""}`,
    ].join("\n"),
  );
  const final = verdict.correct === null ? [] : [`Correctness of the final answer: ${verdict.correct ? "Correct" : "Wrong"}\nExplanation: ${verdict.critique}`];
  return [...judged, ...final].join("\n\n");
}

/** Who votes: every refinement; a chain that stopped before refining votes with its draft; drafts too when asked. */
export function voters(chains: Chain[], draftVotes: boolean): string[] {
  return chains.flatMap((chain) => (draftVotes || chain.refinements.length === 0 ? [chain.draft, ...chain.refinements] : chain.refinements));
}

const stepCritiqueParams = [
  { name: "samples", type: "integer", default: 1, min: 1, max: 32, description: "parallel solution chains (N)" },
  { name: "rounds", type: "integer", default: 1, min: 0, max: 10, description: "critique → refine rounds per chain (MV; evaluate-all.sh runs 1)" },
  {
    name: "temperature",
    type: "number",
    default: 0,
    min: 0,
    max: 2,
    description: "sampling temperature of drafts and refinements (the repo: 0; raise it for samples > 1)",
  },
  {
    name: "earlyStop",
    type: "boolean",
    default: false,
    description: "stop a chain once the critic finds no wrong step and a correct answer (the repo refines every round)",
  },
  { name: "draftVotes", type: "boolean", default: false, description: "let the unrefined drafts vote too (the repo votes over refinements only)" },
  {
    name: "voteTies",
    type: "string",
    default: "earliest",
    choices: ["earliest", "latest"],
    description:
      "a tie between answers goes to the earliest round, then the run's seed (the repo's first answer seen), or to the latest refinement, then the critic's score, then the seed",
  },
  {
    name: "oracle",
    type: "boolean",
    default: false,
    description: "critique only answers that are wrong against the reference (upper bound; needs a reference)",
  },
] as const satisfies readonly ParamSpec[];

export const stepCritique = defineStrategy({
  name: "step-critique",
  title: "Step-level critique → refine (AutoMathCritique)",
  paper: "Xi et al. 2024, Enhancing LLM Reasoning via Critique Models with Test-Time and Training-Time Supervision (arXiv:2411.16579)",
  summary: "The critic marks each step correct or wrong; the actor refines every round; majority vote over the refinements.",
  params: stepCritiqueParams,
  // A refinement reads one answer and its critique, which restates every step (about an answer) and explains them.
  contextNeeded: (_params, budgets) =>
    Math.max(budgets.prompt + 2 * budgets.actor.answer + budgets.critic.answer + WRAPPER_TOKENS + output(budgets.actor), judging(budgets)),
  actorLanes: (params) => Math.min(params.samples, MAX_LANES),
  async run(ctx, params) {
    if (params.oracle && ctx.task.reference === undefined) throw new Error("step-critique oracle mode needs a task with a reference answer");
    const chains = await ctx.map([...Array(params.samples).keys()], (chain) => runChain(ctx, params, chain));
    const prefer = params.voteTies === "latest" ? latestThenScore(ctx.options.seed) : earliestThenSeed(ctx.options.seed);
    const { winnerId } = ctx.vote(voters(chains, params.draftVotes), params.rounds + 1, prefer);
    // Accepted when every chain's answer was passed before its rounds ran out; otherwise some chain hit the limit.
    return { nodeId: winnerId, stop: chains.every((c) => c.accepted) ? "accepted" : "max-iterations" };
  },
});
