// Baseline: one draft, no critique. Every other strategy is compared against this.
import { defineStrategy } from "./types.ts";
import { oneCall } from "./context-need.ts";

export const singlePass = defineStrategy({
  name: "single-pass",
  title: "Single pass",
  paper: "baseline",
  summary: "One answer from the actor, no feedback.",
  params: [],
  usesCritic: false,
  contextNeeded: (_params, budgets) => oneCall(budgets),
  actorLanes: () => 1,
  async run(ctx) {
    const draft = await ctx.draft({ lane: "main" });
    return { nodeId: draft.id };
  },
});
