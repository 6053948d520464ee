// Review → revise (CycleResearcher, Weng et al. 2024): k simulated reviewers each fill in a structured review
// (CycleReviewer's form: soundness, presentation and contribution scores, strengths, weaknesses, a 1–10 rating and
// a decision), a meta-review aggregates them (the mean rating; accept when it reaches the threshold), and the author
// revises from the meta-review. Rounds go on until the mean rating reaches the threshold or the revisions run out;
// the answer is the version with the best mean rating, the draft included.
import type { ModelRole } from "../protocol/events.ts";
import type { RunNode } from "../protocol/state.ts";
import { judging, output, WRAPPER_TOKENS, textTokens } from "./context-need.ts";
import type { RunContext } from "./context.ts";
import { solverMessages } from "./prompts.ts";
import { sampledJudge } from "./sampled-judge.ts";
import { breakTie, tieNote } from "./tie-break.ts";
import { defineStrategy } from "./types.ts";
import { strictObject } from "./verdicts.ts";

/** Caps on a review's texts, so every string closes and the meta-review's size is known before the run. */
const REVIEW_CHARS = { strengths: 600, weaknesses: 600 } as const;

const ASPECT = { enum: [1, 2, 3, 4] };
const RATING = { enum: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] };

/** CycleReviewer's review form, reasons before scores (the texts are written before the numbers they justify). */
export const reviewSchema = strictObject({
  strengths: { type: "string", maxLength: REVIEW_CHARS.strengths },
  weaknesses: { type: "string", maxLength: REVIEW_CHARS.weaknesses },
  soundness: ASPECT,
  presentation: ASPECT,
  contribution: ASPECT,
  rating: RATING,
  decision: { enum: ["accept", "reject"] },
});

export interface Review {
  strengths: string;
  weaknesses: string;
  soundness: number;
  presentation: number;
  contribution: number;
  rating: number;
  decision: "accept" | "reject";
}

/** CycleReviewer's system prompt (ai_researcher/cycle_reviewer.py), one review per call instead of four in one text. */
export const reviewerSystem = `You are an expert academic reviewer tasked with providing a thorough and balanced evaluation of research papers. For each paper submitted, conduct a comprehensive review addressing the following aspects:

1. Soundness: Assess methodology and logical consistency.
2. Presentation: Evaluate clarity, organization, and visual aids.
3. Contribution: Analyze significance and novelty in the field.
4. Strengths: Identify the paper's strongest aspects.
5. Weaknesses: Point out areas for improvement.
6. Rating: Score 1-10, justify your rating.
7. Decision: your recommendation (accept or reject).

Maintain objectivity and provide specific examples from the paper to support your evaluation.`;

export function reviewPrompt(task: string, submission: string): string {
  return `Task the submission answers:\n${task}\n\nSubmission:\n${submission}\n\nReview the submission. Write its strengths and weaknesses first, then score soundness, presentation and contribution from 1 (poor) to 4 (excellent), give an overall rating from 1 (strong reject) to 10 (strong accept), and your decision.`;
}

/** The meta-review: the mean of the readable ratings (null when none was readable) and the decision by threshold. */
export function metaDecision(ratings: ReadonlyArray<number | null>, acceptRating: number): { mean: number | null; accept: boolean } {
  const readable = ratings.filter((r): r is number => r !== null);
  if (!readable.length) return { mean: null, accept: false };
  const mean = readable.reduce((a, b) => a + b, 0) / readable.length;
  return { mean, accept: mean >= acceptRating };
}

export function metaReviewText(reviews: ReadonlyArray<Review | null>, mean: number | null, accept: boolean, acceptRating: number): string {
  const lines = [
    `Meta-review: mean rating ${mean === null ? "none (no review was readable)" : mean.toFixed(2)} of ${reviews.length} reviews; ${accept ? "accept" : "reject"} (accept at a mean of ${acceptRating} or more).`,
  ];
  reviews.forEach((review, i) => {
    if (!review) {
      lines.push(`Reviewer ${i + 1}: unreadable review.`);
      return;
    }
    lines.push(
      `Reviewer ${i + 1} (rating ${review.rating}, ${review.decision}; soundness ${review.soundness}/4, presentation ${review.presentation}/4, contribution ${review.contribution}/4):`,
      `  Strengths: ${review.strengths}`,
      `  Weaknesses: ${review.weaknesses}`,
    );
  });
  return lines.join("\n");
}

export const reviseFromMetaReview = (metaReview: string) =>
  `Reviewers assessed your answer.\n\n${metaReview}\n\nRevise your answer: address the weaknesses the reviewers raised and keep its strengths. Write the complete revised answer.`;

/** The meta-review's size in tokens: its fixed words and every reviewer's texts (capped, and within its answer budget). */
const metaReviewTokens = (reviewers: number, reviewAnswer: number) =>
  WRAPPER_TOKENS + reviewers * (Math.min(textTokens("x".repeat(REVIEW_CHARS.strengths + REVIEW_CHARS.weaknesses)), reviewAnswer) + 40);

interface Reviewed {
  node: RunNode;
  mean: number | null;
}

export const reviewRevise = defineStrategy({
  name: "review-revise",
  title: "Review → revise (CycleResearcher)",
  paper: "Weng et al. 2024, CycleResearcher: Improving Automated Research via Automated Review (arXiv:2411.00816); code: zhu-minjun/Researcher (CycleReviewer)",
  summary:
    "Several reviewers fill in a structured review; a meta-review averages their ratings; the answer is revised until the mean rating reaches the threshold.",
  params: [
    { name: "reviewers", type: "integer", default: 4, min: 1, max: 8, description: "reviews per round (CycleReviewer writes 4)" },
    {
      name: "reviewerModel",
      type: "string",
      default: "critic",
      choices: ["critic", "actor"],
      description: "who reviews: the critic model or the actor itself",
    },
    {
      name: "reviewTemperature",
      type: "number",
      default: 0.4,
      min: 0,
      max: 2,
      description: "reviewers' sampling temperature (CycleReviewer samples at 0.4); each review has its own seed",
    },
    {
      name: "acceptRating",
      type: "number",
      default: 6,
      min: 1,
      max: 10,
      description: "the meta-review accepts when the mean rating reaches this (6: ICLR's 'marginally above the acceptance threshold')",
    },
    { name: "maxRounds", type: "integer", default: 3, min: 0, max: 10, description: "revisions at most" },
  ],
  actorLanes: (params) => (params.reviewerModel === "actor" ? params.reviewers : 1),
  callsCritic: (params) => params.reviewerModel === "critic",
  // A reviewer reads the task and one answer; a revision reads the task, the current answer and the meta-review with
  // every reviewer's capped strengths and weaknesses.
  contextNeeded: (params, budgets) =>
    Math.max(
      judging(budgets, 1, textTokens(reviewerSystem)),
      budgets.prompt +
        budgets.actor.answer +
        metaReviewTokens(params.reviewers, budgets[params.reviewerModel as ModelRole].answer) +
        WRAPPER_TOKENS +
        output(budgets.actor),
    ),
  contextKnobs: ["reviewers", "maxRounds"],
  async run(ctx, params) {
    const model = params.reviewerModel as ModelRole;
    let current = await ctx.draft({ lane: "actor" });
    const reviewed: Reviewed[] = [];
    for (let round = 0; ; round++) {
      const { mean, accept, metaNode } = await reviewRound(ctx, current, round, model, params);
      reviewed.push({ node: current, mean });
      if (accept) return { nodeId: current.id, stop: "accepted" };
      if (round >= params.maxRounds || !ctx.withinBudget()) break;
      const conversation = [...solverMessages(ctx.task.question), { role: "assistant" as const, content: current.text }];
      current = await ctx.refine({
        candidateId: current.id,
        critiqueId: metaNode.id,
        conversation,
        instruction: reviseFromMetaReview(metaNode.text),
        iteration: round + 1,
        lane: "actor",
        step: "revise",
      });
    }
    return { nodeId: bestRated(ctx, reviewed, params.maxRounds + 1), stop: "max-iterations" };
  },
});

async function reviewRound(
  ctx: RunContext,
  candidate: RunNode,
  round: number,
  model: ModelRole,
  params: { reviewers: number; reviewTemperature: number; acceptRating: number },
): Promise<{ mean: number | null; accept: boolean; metaNode: RunNode }> {
  const reviews = await ctx.map([...Array(params.reviewers).keys()], (r) =>
    sampledJudge<Review>(ctx, null, {
      step: `reviewer-${r + 1}`,
      iteration: round,
      parents: [candidate.id],
      model,
      system: reviewerSystem,
      user: reviewPrompt(ctx.task.question, candidate.text),
      schema: reviewSchema,
      lane: model === "actor" ? `reviewer-${r}` : "reviewer",
      temperature: params.reviewTemperature,
      toScore: () => ({ value: null, verdict: "unknown", source: "critic" }),
    }),
  );
  const values = reviews.map((r) => (typeof r.value?.rating === "number" ? r.value : null));
  const { mean, accept } = metaDecision(
    values.map((v) => v?.rating ?? null),
    params.acceptRating,
  );
  const metaNode = ctx.addComputedNode({
    role: "critique",
    step: "meta-review",
    iteration: round,
    parents: reviews.map((r) => r.node.id),
    text: metaReviewText(values, mean, accept, params.acceptRating),
    answer: null,
  });
  ctx.setScore(candidate.id, {
    value: mean,
    verdict: mean === null ? "unparseable" : accept ? "correct" : "incorrect",
    source: "critic",
    byNodeId: metaNode.id,
  });
  return { mean, accept, metaNode };
}

/** Nothing accepted: the version with the best mean rating (an unreadable meta-review ranks last), ties drawn with the seed. */
function bestRated(ctx: RunContext, reviewed: readonly Reviewed[], iteration: number): string {
  const rank = (r: Reviewed) => r.mean ?? -1;
  const best = Math.max(...reviewed.map(rank));
  const tied = reviewed.filter((r) => rank(r) === best).map((r) => r.node.id);
  const winner = breakTie(tied, ctx.options.seed, `review-revise:${tied.join(",")}`);
  const note = tieNote(tied, winner, ctx.options.seed);
  ctx.addComputedNode({
    role: "select",
    step: "best-rated",
    iteration,
    parents: reviewed.map((r) => r.node.id),
    text: [
      "no version was accepted; the best mean rating wins",
      ...reviewed.map((r) => `${r.node.id}: mean rating ${r.mean === null ? "none" : r.mean.toFixed(2)}`),
      ...(note ? [note] : []),
    ].join("\n"),
    answer: ctx.node(winner).answer,
  });
  return winner;
}
