// GLoRe global and local refinement (Havrilla et al. 2024): a greedy draft; the first error step is located
// (the paper trains a stepwise outcome model; here the critic's step-wise verdict, or Monte-Carlo rollouts from
// each prefix: the first prefix whose rollouts mostly miss the majority answer); a global refinement rewrites
// the whole solution without the location, a local one keeps the steps before the error and regenerates from
// there; the best of {draft, global, local} by the critic's outcome score is returned.
import { answerKey } from "../grading/checkers.ts";
import type { RunNode } from "../protocol/state.ts";
import type { RunContext } from "./context.ts";
import { prompts } from "./prompts.ts";
import { selectByScoreSeeded } from "./seeded-select.ts";
import { MAX_LANES, defineStrategy } from "./types.ts";
import { splitSteps } from "./verdicts.ts";
import { judging, output, WRAPPER_TOKENS } from "./context-need.ts";

/** Rollouts from each prefix; the first step after which most rollouts miss the majority answer is the first error. */
async function firstErrorByRollouts(ctx: RunContext, draft: RunNode, rollouts: number): Promise<{ step: number | null; parents: string[] }> {
  const steps = splitSteps(draft.text);
  const results: Array<{ prefix: number; answers: Array<string | null>; ids: string[] }> = [];
  for (let prefix = 0; prefix < steps.length && ctx.withinBudget(); prefix++) {
    const shown = steps.slice(0, prefix + 1).join("\n");
    const nodes = await ctx.map([...Array(rollouts).keys()], (r) =>
      ctx.ask({
        role: "verify",
        step: `rollout-step-${prefix + 1}`,
        iteration: 1,
        parents: [draft.id],
        model: "actor",
        system: prompts.solverSystem,
        user: `${ctx.task.question}\n\nContinue this partial solution to the end:\n${shown}`,
        lane: `rollout-${r % MAX_LANES}`,
        temperature: 0.8,
      }),
    );
    results.push({ prefix, answers: nodes.map((n) => n.answer), ids: nodes.map((n) => n.id) });
  }
  const tally = new Map<string, number>();
  for (const answer of results.flatMap((r) => r.answers)) {
    const key = answerKey(ctx.task, answer);
    if (key !== null) tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  const majority = [...tally.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const miss = results.find((r) => r.answers.filter((a) => a === null || answerKey(ctx.task, a) !== majority).length > r.answers.length / 2);
  return { step: miss ? miss.prefix : null, parents: results.flatMap((r) => r.ids) };
}

export const glore = defineStrategy({
  name: "glore",
  title: "GLoRe global and local refinement",
  paper: "Havrilla et al. 2024, GLoRe: When, Where, and How to Improve LLM Reasoning via Global and Local Refinements (arXiv:2402.10963)",
  summary: "Locate the first error, refine globally (rewrite) and locally (from the error on), keep the best of draft, global and local.",
  params: [
    {
      name: "locate",
      type: "string",
      default: "critic",
      choices: ["critic", "rollouts"],
      description: "first-error locator: the critic's step verdicts, or Monte-Carlo rollouts from each prefix",
    },
    { name: "rollouts", type: "integer", default: 3, min: 1, max: 16, description: "rollouts per prefix (rollouts mode)" },
  ],
  // The local refinement reads the kept steps (at most the draft) and the critique; rollouts read a prefix.
  contextNeeded: (_params, budgets) =>
    Math.max(budgets.prompt + budgets.actor.answer + budgets.critic.answer + WRAPPER_TOKENS + output(budgets.actor), judging(budgets)),
  actorLanes: () => 3,
  async run(ctx, params) {
    // The card's greedy draft: a matched policy keeps it.
    const draft = await ctx.draft({ lane: "draft", temperature: 0, temperatureRequired: true });
    const steps = splitSteps(draft.text);
    let firstError: number | null;
    let critiqueId: string;
    let feedback: string;
    if (params.locate === "rollouts") {
      const located = await firstErrorByRollouts(ctx, draft, params.rollouts);
      firstError = located.step;
      const node = ctx.addComputedNode({
        role: "verify",
        step: "first-error",
        iteration: 1,
        parents: [draft.id, ...located.parents],
        text:
          firstError === null ? "rollouts agree with the majority from every prefix" : `rollouts after step ${firstError + 1} mostly miss the majority answer`,
        answer: null,
      });
      ctx.setScore(draft.id, { value: null, verdict: "unknown", source: "verifier", byNodeId: node.id, firstErrorStep: firstError });
      critiqueId = node.id;
      feedback = node.text;
    } else {
      const critique = await ctx.critique(draft.id, { mode: "stepwise", iteration: 1, lane: "critic" });
      firstError = critique.verdict.firstErrorStep ?? null;
      critiqueId = critique.node.id;
      feedback = ctx.feedback(critique);
    }
    const globalRefine = await ctx.ask({
      role: "refine",
      step: "global",
      iteration: 2,
      parents: [draft.id, critiqueId],
      model: "actor",
      system: prompts.solverSystem,
      user: `${ctx.task.question}\n\nA previous solution may contain a mistake:\n${draft.text}\n\nRewrite the whole solution correctly.`,
      lane: "global",
    });
    const errorAt = firstError ?? steps.length - 1;
    const kept = steps.slice(0, errorAt);
    const continuation = await ctx.ask({
      role: "refine",
      step: "local",
      iteration: 2,
      parents: [draft.id, critiqueId],
      model: "actor",
      system: prompts.solverSystem,
      user: `${ctx.task.question}\n\nThese first steps are correct:\n${kept.join("\n") || "(none)"}\n\nStep ${errorAt + 1} was wrong: ${feedback}\n\nContinue from step ${errorAt + 1} to the end; write only the new steps.`,
      lane: "local",
    });
    // The local refinement is the kept prefix plus the regenerated tail; its node shows the tail it generated.
    const localText = [...kept, continuation.text].join("\n");
    const pool = [draft.id, globalRefine.id, continuation.id];
    await ctx.map(pool, (id, i) =>
      ctx.critique(id, {
        mode: "holistic",
        iteration: 3,
        lane: `critic-${i}`,
        step: "outcome",
        ...(id === continuation.id ? { solutionText: localText } : {}),
      }),
    );
    // The best outcome score of draft, global and local; a tie is drawn with the run's seed.
    return { nodeId: selectByScoreSeeded(ctx, pool, 3).id };
  },
});
