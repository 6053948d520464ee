// Step-level beam search with a step verifier (search-and-learn, src/sal/search/beam_search.py): n partial
// solutions each grow by one step (up to a blank line) per iteration; the verifier scores every prefix; finished
// ones (end of answer, budget, or an empty step) leave the search; of the rest the best n/M survive and are copied
// round-robin back to n, so each survivor grows M ways in the next round. The last iteration writes to the end.
// The finished beams (the first n, copied round-robin to n when fewer) are the candidates of the final pick.
import { judging, oneCall } from "./context-need.ts";
import type { RunContext } from "./context.ts";
import { nextStep, scorePrefix } from "./step-search.ts";
import { STEP_AGGREGATES, type StepAggregate } from "./step-scores.ts";
import { verifyKParam } from "./step-verifier.ts";
import { StrategyParamError, MAX_LANES, defineStrategy, type ParamSpec, type ParamsOf } from "./types.ts";
import { FINAL_RULES, type FinalRule, verifierVote } from "./verifier-vote.ts";

interface Beam {
  text: string;
  /** The beam's latest step (null before its first). */
  nodeId: string | null;
  score: number;
}

/**
 * The indices beam search keeps: np.argsort(scores)[-keep:]. For up to 16 scores numpy sorts by insertion, which
 * is stable, so among equal scores the later beams are kept.
 */
export function survivors(scores: readonly number[], keep: number): Set<number> {
  const ascending = scores.map((score, index) => ({ score, index })).sort((a, b) => a.score - b.score || a.index - b.index);
  return new Set(ascending.slice(-keep).map((entry) => entry.index));
}

/** (beams * repeats)[:n]: the surviving beams copied round-robin until there are n. */
export function refill<T>(beams: readonly T[], n: number, copy: (beam: T) => T): T[] {
  return Array.from({ length: n }, (_, i) => copy(beams[i % beams.length]!));
}

async function search(ctx: RunContext, params: ParamsOf<typeof beamSearchParams>): Promise<Beam[]> {
  const n = params.n;
  const keep = Math.floor(n / params.beamWidth);
  const iterations = params.maxIterations;
  const how = params.aggregate as StepAggregate;
  let active: Beam[] = refill([{ text: "", nodeId: null, score: 0 }], n, (b) => ({ ...b }));
  const completed: Beam[] = [];
  for (let i = 0; i < iterations && ctx.withinBudget(); i++) {
    if (active.length !== n) active = refill(active, n, (b) => ({ ...b }));
    const finished = await ctx.map(active, async (beam, j) => {
      const step = await nextStep(ctx, {
        prefix: beam.text,
        parent: beam.nodeId,
        iteration: i,
        lane: `beam-${j % MAX_LANES}`,
        temperature: params.temperature,
        toTheEnd: i === iterations - 1,
      });
      beam.text += step.text;
      beam.nodeId = step.node.id;
      beam.score = await scorePrefix(ctx, step.node, beam.text, { how, k: params.verifyK, lane: `critic-${j % MAX_LANES}` });
      return step.stopReason !== "stop" || step.node.text === "";
    });
    completed.push(...active.filter((_, j) => finished[j]));
    active = active.filter((_, j) => !finished[j]);
    if (active.length === 0) break;
    if (params.filterDuplicates) {
      const firstOfText = new Map<string, Beam>();
      for (const beam of active) if (!firstOfText.has(beam.text)) firstOfText.set(beam.text, beam);
      for (const beam of active) if (firstOfText.get(beam.text) !== beam) ctx.prune(beam.nodeId!, "the same text as another beam");
      active = [...firstOfText.values()];
    }
    const kept = survivors(
      active.map((b) => b.score),
      keep,
    );
    for (const [j, beam] of active.entries()) {
      if (!kept.has(j)) ctx.prune(beam.nodeId!, `score ${beam.score.toFixed(3)}: not among the best ${keep} of ${active.length}`);
    }
    active = active.filter((_, j) => kept.has(j));
  }
  // Out of iterations or budget before any beam finished: the unfinished ones are all there is to choose from.
  const pool = completed.length ? completed.slice(0, n) : active;
  return refill(pool, n, (b) => b);
}

const beamSearchParams = [
  { name: "n", type: "integer", default: 4, min: 1, max: 64, description: "beams (the repo's n)" },
  { name: "beamWidth", type: "integer", default: 4, min: 1, max: 64, description: "M: each surviving beam grows M ways (n/M survive a round)" },
  { name: "maxIterations", type: "integer", default: 40, min: 1, max: 100, description: "steps at most; the last one writes to the end" },
  { name: "temperature", type: "number", default: 0.8, min: 0, max: 2, description: "sampling temperature of the steps" },
  { name: "aggregate", type: "string", default: "last", choices: STEP_AGGREGATES, description: "step scores → one score: last, min or product" },
  {
    name: "filterDuplicates",
    type: "boolean",
    default: false,
    description: "drop beams whose text repeats another's before choosing (the study's recipe: on)",
  },
  verifyKParam,
  {
    name: "final",
    type: "string",
    default: "naive",
    choices: FINAL_RULES,
    description: "the pick among finished beams: naive (best score, the repo's pred), weighted or majority",
  },
] as const satisfies readonly ParamSpec[];

export const beamSearch = defineStrategy({
  name: "beam-search",
  title: "Step-level beam search (step verifier)",
  paper: "Snell et al. 2024 (arXiv:2408.03314); Beeching, Tunstall & Rush 2024, Scaling test-time compute with open models (huggingface/search-and-learn)",
  summary: "Grow n partial solutions a step at a time, score each prefix with the critic, keep the best n/M and grow each M ways.",
  params: beamSearchParams,
  actorLanes: (params) => Math.min(params.n, MAX_LANES),
  // A solution (every step of it, for the searches) within one answer's budget, then read by the step verifier.
  contextNeeded: (_params, budgets) => Math.max(oneCall(budgets), judging(budgets)),
  validate(params) {
    if (params.beamWidth > params.n) {
      throw new StrategyParamError(`Beam width (${params.beamWidth}) must not exceed n (${params.n}): n/M beams survive each round`, "beamWidth");
    }
  },
  async run(ctx, params) {
    const candidates = await search(ctx, params);
    const ids = candidates.map((b) => b.nodeId).filter((id): id is string => id !== null);
    if (!ids.length) throw new Error("beam search ran no step: the token budget was spent before the first one");
    const { winnerId } = verifierVote(ctx, ids, params.aggregate as StepAggregate, params.final as FinalRule, params.maxIterations);
    return { nodeId: winnerId };
  },
});
