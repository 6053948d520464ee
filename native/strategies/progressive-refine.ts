// Progressive refinement without a critic (Think Thrice / PTR, Du et al.): a fixed number of rounds of "improve your
// previous answer" with a generic prompt, the actor continuing its own conversation; every round is kept as a node
// and the last is the answer.
import type { ChatMessage } from "../protocol/events.ts";
import { growingConversation } from "./context-need.ts";
import { openEndedPrompts } from "./open-ended-prompts.ts";
import { solverMessages } from "./prompts.ts";
import { defineStrategy } from "./types.ts";

export const progressiveRefine = defineStrategy({
  name: "progressive-refine",
  title: "Progressive refinement (Think Thrice / PTR)",
  paper: "Du et al., Think Thrice / PTR, progressive thought refinement (repo cydu24/Progressive-Thought-Refinement)",
  summary: "A few rounds of a generic 'improve your previous answer' prompt with no critic; the last round is the answer.",
  params: [{ name: "rounds", type: "integer", default: 3, min: 1, max: 10, description: "improvement rounds after the first answer (about 3 at inference)" }],
  contextNeeded: (params, budgets) => growingConversation(budgets, params.rounds, 48),
  contextKnobs: ["rounds"],
  actorLanes: () => 1,
  usesCritic: false,
  async run(ctx, params) {
    const rounds = params.rounds;
    let answer = await ctx.draft({ lane: "actor" });
    const conversation: ChatMessage[] = [...solverMessages(ctx.task.question), { role: "assistant", content: answer.text }];
    for (let round = 1; round <= rounds && ctx.withinBudget(); round++) {
      answer = await ctx.generate({
        role: "refine",
        step: "improve",
        iteration: round,
        parents: [answer.id],
        model: "actor",
        messages: [...conversation, { role: "user", content: openEndedPrompts.progressive }],
        lane: "actor",
      });
      conversation.push({ role: "user", content: openEndedPrompts.progressive }, { role: "assistant", content: answer.text });
    }
    return { nodeId: answer.id, stop: "max-iterations" };
  },
});
