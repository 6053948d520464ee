// Generator–Reviewers–Adjudicator (GRA, 2025): the generator proposes; several reviewers score and comment; if
// they agree the sample is accepted or rejected, if they disagree an adjudicator decides. The paper's reviewers
// are several different small models; here each reviewer has its own model role, temperature and seed, so two
// reviewers on one loaded file still judge independently instead of agreeing by construction. The paper
// publishes no thresholds, so they are parameters, and every gate shows the thresholds it used. A rejected
// sample is generated again, up to a limit; if none is accepted, the best mean review wins.
import type { ModelRole } from "../protocol/events.ts";
import { prompts } from "./prompts.ts";
import type { RunContext } from "./context.ts";
import { sampledJudge } from "./sampled-judge.ts";
import { breakTie, tieNote } from "./tie-break.ts";
import { StrategyParamError, defineStrategy, type ParamSpec, type ParamsOf } from "./types.ts";
import { CRITIQUE_CHARS, scoreSchema, strictObject } from "./verdicts.ts";
import { judging, output } from "./context-need.ts";

export const reviewerSchema = strictObject({ comment: { type: "string", maxLength: CRITIQUE_CHARS.holistic }, score: scoreSchema });
export const adjudicatorSchema = strictObject({ reasoning: { type: "string", maxLength: CRITIQUE_CHARS.holistic }, accept: { type: "boolean" } });

export interface Reviewer {
  model: ModelRole;
  temperature: number;
}

/** Reviewer i takes the i-th model and temperature of the lists, cycling when there are more reviewers. */
export function reviewerPanel(params: ParamsOf<typeof graParams>): Reviewer[] {
  const models = params.reviewerModels.split(",").map((m) => m.trim());
  const temperatures = params.reviewerTemperatures.split(",").map((t) => Number(t.trim()));
  const bad = models.find((m) => m !== "critic" && m !== "actor");
  if (bad !== undefined || models.length === 0)
    throw new StrategyParamError(`parameter 'reviewerModels' of gra lists critic or actor, separated by commas; got '${params.reviewerModels}'`);
  if (temperatures.some((t) => !Number.isFinite(t) || t < 0 || t > 2))
    throw new StrategyParamError(
      `parameter 'reviewerTemperatures' of gra lists temperatures from 0 to 2, separated by commas; got '${params.reviewerTemperatures}'`,
    );
  return [...Array(params.reviewers).keys()].map((i) => ({
    model: models[i % models.length] as ModelRole,
    temperature: temperatures[i % temperatures.length]!,
  }));
}

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : -1);

/** The fallback when nothing was accepted: the proposal with the best mean review (ties drawn with the run's seed). */
function bestMeanReview(ctx: RunContext, means: Map<string, number>, iteration: number): string {
  const ids = [...means.keys()];
  const best = Math.max(...means.values());
  const tied = ids.filter((id) => means.get(id) === best);
  const winner = breakTie(tied, ctx.options.seed, `gra:${tied.join(",")}`);
  const note = tieNote(tied, winner, ctx.options.seed);
  ctx.addComputedNode({
    role: "select",
    step: "mean-review",
    iteration,
    parents: ids,
    text: [
      `nothing accepted; the best mean review wins`,
      ...ids.map((id) => `${id}: mean review ${means.get(id)! < 0 ? "none" : means.get(id)!.toFixed(2)}`),
      ...(note ? [note] : []),
    ].join("\n"),
    answer: ctx.node(winner).answer,
  });
  return winner;
}

const graParams = [
  { name: "reviewers", type: "integer", default: 2, min: 1, max: 8, description: "reviewers per sample" },
  { name: "reviewerModels", type: "string", default: "critic,actor", description: "model role of each reviewer (critic or actor), cycled" },
  {
    name: "reviewerTemperatures",
    type: "string",
    default: "0,0.7",
    description: "sampling temperature of each reviewer, cycled (each reviewer also has its own seed)",
  },
  { name: "acceptAt", type: "integer", default: 7, min: 0, max: 10, description: "every reviewer scoring at least this accepts" },
  { name: "rejectBelow", type: "integer", default: 5, min: 0, max: 10, description: "every reviewer scoring below this rejects" },
  { name: "maxAttempts", type: "integer", default: 3, min: 1, max: 16, description: "proposals at most" },
] as const satisfies readonly ParamSpec[];

export const gra = defineStrategy({
  name: "gra",
  title: "Generator–Reviewers–Adjudicator",
  paper: "GRA 2025, Generator-Reviewers-Adjudicator: small models that review and adjudicate synthetic data (paper; no public pipeline code)",
  summary: "Independent reviewers score each proposal; agreement accepts or rejects it, disagreement goes to an adjudicator.",
  params: graParams,
  // A reviewer (actor or critic) reads the proposal; the adjudicator reads it with every review.
  contextNeeded: (params, budgets) =>
    Math.max(
      budgets.prompt + budgets.actor.answer + Math.max(output(budgets.actor), output(budgets.critic)),
      judging(budgets, 1, params.reviewers * Math.max(budgets.actor.answer, budgets.critic.answer)),
    ),
  contextKnobs: ["reviewers"],
  actorLanes: () => 2,
  validate(params) {
    reviewerPanel(params);
  },
  async run(ctx, params) {
    const acceptAt = params.acceptAt;
    const rejectBelow = params.rejectBelow;
    const panel = reviewerPanel(params);
    const means = new Map<string, number>();
    for (let attempt = 1; attempt <= params.maxAttempts && ctx.withinBudget(); attempt++) {
      const proposal = await ctx.draft({ step: "generate", iteration: attempt, lane: "generator", temperature: attempt === 1 ? undefined : 0.8 });
      const reviews = await ctx.map(panel, (reviewer, r) =>
        sampledJudge<{ comment: string; score: number }>(ctx, proposal.id, {
          step: `reviewer-${r + 1}`,
          iteration: attempt,
          model: reviewer.model,
          system: prompts.criticSystem,
          user: `Problem:\n${ctx.task.question}\n\nProposed solution:\n${proposal.text}\n\nAs a reviewer, comment on its correctness and quality and give a 'score' from 0 (wrong) to 10 (correct and clear).`,
          schema: reviewerSchema,
          lane: `reviewer-${r}`,
          temperature: reviewer.temperature,
          toScore: (value, by) => ({
            value: value?.score ?? null,
            verdict: value === null ? "unparseable" : value.score >= acceptAt ? "correct" : "incorrect",
            source: "critic",
            byNodeId: by,
          }),
        }),
      );
      const scores = reviews.map((r) => r.score.value);
      means.set(proposal.id, mean(scores.filter((s): s is number => s !== null)));
      const panelText = panel.map((reviewer, i) => `reviewer ${i + 1} (${reviewer.model}, T=${reviewer.temperature}): ${scores[i] ?? "?"}`).join("; ");
      const agreeAccept = scores.every((s) => s !== null && s >= acceptAt);
      const agreeReject = scores.every((s) => s !== null && s < rejectBelow);
      let accepted: boolean;
      let how: string;
      let gateParents = [proposal.id, ...reviews.map((r) => r.node.id)];
      if (agreeAccept || agreeReject) {
        accepted = agreeAccept;
        how = `reviewers agree (${scores.join(", ")}): ${accepted ? `all ≥ ${acceptAt}` : `all < ${rejectBelow}`}\n${panelText}`;
      } else {
        const adjudication = await ctx.judge<{ reasoning: string; accept: boolean }>(proposal.id, {
          step: "adjudicator",
          iteration: attempt,
          parents: [proposal.id, ...reviews.map((r) => r.node.id)],
          user: `Problem:\n${ctx.task.question}\n\nProposed solution:\n${proposal.text}\n\nReviews:\n${reviews.map((r, i) => `Reviewer ${i + 1} (score ${r.score.value ?? "?"}): ${r.value?.comment ?? r.node.text}`).join("\n")}\n\nThe reviewers disagree. As the adjudicator, decide whether to accept the solution.`,
          schema: adjudicatorSchema,
          lane: "adjudicator",
          toScore: (value, by) => ({
            value: value === null ? null : value.accept ? 10 : 0,
            verdict: value === null ? "unparseable" : value.accept ? "correct" : "incorrect",
            source: "critic",
            byNodeId: by,
          }),
        });
        accepted = adjudication.value?.accept === true;
        how = `reviewers disagree (${scores.map((s) => s ?? "?").join(", ")}; accept ≥ ${acceptAt}, reject < ${rejectBelow}): adjudicator ${accepted ? "accepts" : "rejects"}\n${panelText}`;
        gateParents = [proposal.id, adjudication.node.id];
      }
      ctx.addComputedNode({
        role: "select",
        step: accepted ? "accept" : "reject",
        iteration: attempt,
        parents: gateParents,
        text: how,
        answer: accepted ? proposal.answer : null,
      });
      if (accepted) return { nodeId: proposal.id, stop: "accepted" };
    }
    return { nodeId: bestMeanReview(ctx, means, params.maxAttempts + 1), stop: "max-iterations" };
  },
});
