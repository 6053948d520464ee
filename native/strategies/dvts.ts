// Diverse verifier tree search (search-and-learn, src/sal/search/diverse_verifier_tree_search.py): n/M independent
// subtrees; each round every live subtree writes M candidate next steps from its prefix, the step verifier scores
// each extended prefix, and the subtree goes on greedily with the best (the first on a tie, np.argmax). A subtree
// ends when its chosen step is empty, ends the answer, or its text holds a boxed answer. The final candidates are
// every subtree's last M candidates (n in all); the pick follows `final`.
import { judging, oneCall } from "./context-need.ts";
import type { RunContext } from "./context.ts";
import { nextStep, scorePrefix } from "./step-search.ts";
import { STEP_AGGREGATES, type StepAggregate } from "./step-scores.ts";
import { verifyKParam } from "./step-verifier.ts";
import { StrategyParamError, MAX_LANES, defineStrategy, type ParamSpec, type ParamsOf } from "./types.ts";
import { FINAL_RULES, type FinalRule, verifierVote } from "./verifier-vote.ts";

interface Subtree {
  text: string;
  nodeId: string | null;
  done: boolean;
  /** The candidates of its latest round (the chosen one among them). */
  lastRound: string[];
}

/** np.argmax: the first of the highest. */
export const argmaxFirst = (values: readonly number[]): number => values.indexOf(Math.max(...values));

async function grow(ctx: RunContext, params: ParamsOf<typeof dvtsParams>): Promise<Subtree[]> {
  const m = params.beamWidth;
  const iterations = params.maxIterations;
  const how = params.aggregate as StepAggregate;
  const subtrees: Subtree[] = Array.from({ length: params.n / m }, () => ({ text: "", nodeId: null, done: false, lastRound: [] }));
  for (let i = 0; i < iterations && ctx.withinBudget(); i++) {
    const live = subtrees.filter((s) => !s.done);
    if (live.length === 0) break;
    await ctx.map(live, async (subtree, t) => {
      // The candidates not taken last round leave the search now that the subtree grows past them.
      for (const id of subtree.lastRound) if (id !== subtree.nodeId) ctx.prune(id, "a sibling step scored higher");
      const candidates = await ctx.map([...Array(m).keys()], async (c) => {
        const lane = (t * m + c) % MAX_LANES;
        const step = await nextStep(ctx, {
          prefix: subtree.text,
          parent: subtree.nodeId,
          iteration: i,
          lane: `subtree-${lane}`,
          temperature: params.temperature,
          toTheEnd: i === iterations - 1,
        });
        return { step, score: await scorePrefix(ctx, step.node, subtree.text + step.text, { how, k: params.verifyK, lane: `critic-${lane}` }) };
      });
      const best = candidates[argmaxFirst(candidates.map((c) => c.score))]!;
      subtree.lastRound = candidates.map((c) => c.step.node.id);
      subtree.text += best.step.text;
      subtree.nodeId = best.step.node.id;
      if (best.step.node.text === "" || best.step.stopReason === "eos" || subtree.text.includes("boxed{")) subtree.done = true;
    });
  }
  return subtrees;
}

const dvtsParams = [
  { name: "n", type: "integer", default: 4, min: 1, max: 64, description: "final candidates (the repo's n): n/M subtrees × M" },
  { name: "beamWidth", type: "integer", default: 4, min: 1, max: 64, description: "M: candidate steps per subtree and round" },
  { name: "maxIterations", type: "integer", default: 40, min: 1, max: 100, description: "steps at most; the last one writes to the end" },
  { name: "temperature", type: "number", default: 0.8, min: 0, max: 2, description: "sampling temperature of the steps" },
  { name: "aggregate", type: "string", default: "last", choices: STEP_AGGREGATES, description: "step scores → one score: last, min or product" },
  verifyKParam,
  {
    name: "final",
    type: "string",
    default: "naive",
    choices: FINAL_RULES,
    description: "the pick among the last candidates: naive (best score, the repo's pred), weighted or majority",
  },
] as const satisfies readonly ParamSpec[];

export const dvts = defineStrategy({
  name: "dvts",
  title: "Diverse verifier tree search (step verifier)",
  paper: "Beeching, Tunstall & Rush 2024, Scaling test-time compute with open models (huggingface/search-and-learn)",
  summary: "Split n into n/M independent subtrees; each grows greedily, M candidate steps a round, the critic's best prefix kept.",
  params: dvtsParams,
  actorLanes: (params) => Math.min(params.n, MAX_LANES),
  // A solution (every step of it, for the searches) within one answer's budget, then read by the step verifier.
  contextNeeded: (_params, budgets) => Math.max(oneCall(budgets), judging(budgets)),
  validate(params) {
    const n = params.n;
    const m = params.beamWidth;
    if (n % m !== 0) throw new StrategyParamError(`N (${n}) must be a multiple of the beam width (${m}): DVTS grows n/M subtrees of M`, "n");
  },
  async run(ctx, params) {
    const subtrees = await grow(ctx, params);
    const ids = subtrees.flatMap((s) => s.lastRound);
    if (!ids.length) throw new Error("DVTS ran no step: the token budget was spent before the first one");
    const { winnerId } = verifierVote(ctx, ids, params.aggregate as StepAggregate, params.final as FinalRule, params.maxIterations);
    return { nodeId: winnerId };
  },
});
