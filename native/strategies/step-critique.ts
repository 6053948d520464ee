// Step-level critique and refinement (AutoMathCritique, Xi et al. 2024): the critic judges every step
// (correct/wrong, score, why) and the final answer; the first wrong step is located; the actor refines from
// the critique and the refinement becomes the next input. Scales along N parallel samples and rounds of
// critique → refine; the final answer is a majority vote over every draft and refinement. Oracle mode only
// critiques answers that are wrong against the reference: an upper bound, marked as such in the manifest.
import { answersMatch } from "../eval/answers.ts";
import type { ChatMessage } from "../protocol/events.ts";
import { fill, prompts, solverMessages } from "./prompts.ts";
import { bool, int, type StrategyDefinition, MAX_LANES } from "./types.ts";

export const stepCritique: StrategyDefinition = {
  name: "step-critique",
  title: "Step-level critique → refine (AutoMathCritique)",
  paper: "Xi et al. 2024, Enhancing LLM Reasoning via Critique Models with Test-Time and Training-Time Supervision (arXiv:2411.16579)",
  summary: "The critic marks each step correct or wrong and the first error; the actor refines; majority vote over all versions.",
  params: [
    { name: "samples", type: "integer", default: 1, min: 1, max: 32, description: "parallel solution chains (N)" },
    { name: "rounds", type: "integer", default: 3, min: 0, max: 10, description: "critique → refine rounds per chain at most" },
    { name: "temperature", type: "number", default: 0.7, min: 0, max: 2, description: "sampling temperature of the drafts" },
    { name: "oracle", type: "boolean", default: false, description: "critique only answers that are wrong against the reference (upper bound; needs a reference)" },
  ],
  actorLanes: (params) => Math.min(int(params, "samples"), MAX_LANES),
  async run(ctx, params) {
    const samples = int(params, "samples");
    const rounds = int(params, "rounds");
    const oracle = bool(params, "oracle");
    const reference = ctx.task.reference;
    if (oracle && reference === undefined) throw new Error("step-critique oracle mode needs a task with a reference answer");
    const chains = await ctx.map([...Array(samples).keys()], async (chain) => {
      const lane = `chain-${chain % MAX_LANES}`;
      let candidate = await ctx.draft({ step: "sample", lane, temperature: params.temperature as number });
      const versions = [candidate.id];
      const conversation: ChatMessage[] = [...solverMessages(ctx.task.question), { role: "assistant", content: candidate.text }];
      for (let round = 0; round < rounds && ctx.withinBudget(); round++) {
        if (oracle && answersMatch(candidate.answer, reference!)) break;
        const critique = await ctx.critique(candidate.id, { mode: "stepwise", iteration: round, lane: `critic-${chain % MAX_LANES}` });
        const { verdict } = critique;
        if (verdict.correct === true && verdict.firstErrorStep === null) break;
        const instruction = fill(prompts.stepRefine, { feedback: ctx.feedback(critique) });
        candidate = await ctx.refine({ candidateId: candidate.id, critiqueId: critique.node.id, conversation, instruction, iteration: round + 1, lane });
        versions.push(candidate.id);
        conversation.push({ role: "user", content: instruction }, { role: "assistant", content: candidate.text });
      }
      return versions;
    });
    const { winnerId } = ctx.vote(chains.flat(), rounds + 1);
    return { nodeId: winnerId };
  },
};
