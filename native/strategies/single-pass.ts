// Baseline: one draft, no critique. Every other strategy is compared against this.
import type { StrategyDefinition } from "./types.ts";

export const singlePass: StrategyDefinition = {
  name: "single-pass",
  title: "Single pass",
  paper: "baseline",
  summary: "One answer from the actor, no feedback.",
  params: [],
  usesCritic: false,
  actorLanes: () => 1,
  async run(ctx) {
    const draft = await ctx.draft({ lane: "main" });
    return { nodeId: draft.id };
  },
};
