// Generator–Reviewers–Adjudicator (GRA, 2025): the generator proposes; several reviewers (the critic and the
// actor by turns: different models where two are loaded) score and comment; if they agree the sample is
// accepted or rejected, if they disagree an adjudicator decides. The paper publishes no thresholds, so they are
// parameters, and every gate shows the thresholds it used. A rejected sample is generated again, up to a limit.
import type { ModelRole } from "../protocol/events.ts";
import { int, type StrategyDefinition } from "./types.ts";
import { scoreSchema } from "./verdicts.ts";


export const gra: StrategyDefinition = {
  name: "gra",
  title: "Generator–Reviewers–Adjudicator",
  paper: "GRA 2025, Generator-Reviewers-Adjudicator: small models that review and adjudicate synthetic data (paper; no public pipeline code)",
  summary: "Reviewers score each proposal; agreement accepts or rejects it, disagreement goes to an adjudicator.",
  params: [
    { name: "reviewers", type: "integer", default: 2, min: 1, max: 8, description: "reviewers per sample (alternating critic and actor models)" },
    { name: "acceptAt", type: "integer", default: 7, min: 0, max: 10, description: "every reviewer scoring at least this accepts" },
    { name: "rejectBelow", type: "integer", default: 5, min: 0, max: 10, description: "every reviewer scoring below this rejects" },
    { name: "maxAttempts", type: "integer", default: 3, min: 1, max: 16, description: "proposals at most" },
  ],
  actorLanes: () => 2,
  async run(ctx, params) {
    const acceptAt = int(params, "acceptAt");
    const rejectBelow = int(params, "rejectBelow");
    const proposals: string[] = [];
    for (let attempt = 1; attempt <= int(params, "maxAttempts") && ctx.withinBudget(); attempt++) {
      const proposal = await ctx.draft({ step: "generate", iteration: attempt, lane: "generator", temperature: attempt === 1 ? undefined : 0.8 });
      proposals.push(proposal.id);
      const reviews = await ctx.map([...Array(int(params, "reviewers")).keys()], (r) =>
        ctx.judge<{ comment: string; score: number }>(proposal.id, {
          step: `reviewer-${r + 1}`,
          iteration: attempt,
          model: (r % 2 === 0 ? "critic" : "actor") as ModelRole,
          user: `Problem:\n${ctx.task.question}\n\nProposed solution:\n${proposal.text}\n\nAs a reviewer, comment on its correctness and quality and give a 'score' from 0 (wrong) to 10 (correct and clear).`,
          schema: { type: "object", properties: { comment: { type: "string", maxLength: 300 }, score: scoreSchema } },
          lane: `reviewer-${r}`,
          toScore: (value, by) => ({ value: value?.score ?? null, verdict: value === null ? "unparseable" : value.score >= acceptAt ? "correct" : "incorrect", source: "critic", byNodeId: by }),
        }),
      );
      const scores = reviews.map((r) => r.score.value);
      const agreeAccept = scores.every((s) => s !== null && s >= acceptAt);
      const agreeReject = scores.every((s) => s !== null && s < rejectBelow);
      let accepted: boolean;
      let how: string;
      let gateParents = [proposal.id, ...reviews.map((r) => r.node.id)];
      if (agreeAccept || agreeReject) {
        accepted = agreeAccept;
        how = `reviewers agree (${scores.join(", ")}): ${accepted ? `all ≥ ${acceptAt}` : `all < ${rejectBelow}`}`;
      } else {
        const adjudication = await ctx.judge<{ reasoning: string; accept: boolean }>(proposal.id, {
          step: "adjudicator",
          iteration: attempt,
          parents: [proposal.id, ...reviews.map((r) => r.node.id)],
          user: `Problem:\n${ctx.task.question}\n\nProposed solution:\n${proposal.text}\n\nReviews:\n${reviews.map((r, i) => `Reviewer ${i + 1} (score ${r.score.value ?? "?"}): ${r.value?.comment ?? r.node.text}`).join("\n")}\n\nThe reviewers disagree. As the adjudicator, decide whether to accept the solution.`,
          schema: { type: "object", properties: { reasoning: { type: "string", maxLength: 300 }, accept: { type: "boolean" } } },
          lane: "adjudicator",
          toScore: (value, by) => ({ value: value === null ? null : value.accept ? 10 : 0, verdict: value === null ? "unparseable" : value.accept ? "correct" : "incorrect", source: "critic", byNodeId: by }),
        });
        accepted = adjudication.value?.accept === true;
        how = `reviewers disagree (${scores.map((s) => s ?? "?").join(", ")}; accept ≥ ${acceptAt}, reject < ${rejectBelow}): adjudicator ${accepted ? "accepts" : "rejects"}`;
        gateParents = [proposal.id, adjudication.node.id];
      }
      ctx.addComputedNode({ role: "select", step: accepted ? "accept" : "reject", iteration: attempt, parents: gateParents, text: how, answer: accepted ? proposal.answer : null });
      if (accepted) return { nodeId: proposal.id };
    }
    // Nothing accepted: the proposal with the best latest score, the first on ties.
    return { nodeId: ctx.selectByScore(proposals, int(params, "maxAttempts") + 1, false).id };
  },
};
