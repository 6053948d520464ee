// Checklist-guided refinement (RefineBench, Lee et al. 2025): up to `turns` rounds of evaluate → feedback → refine.
// Each answer is evaluated against the item's checklist (yes/no per criterion, by the critic as the evaluator); the
// score per turn is the fraction passed. feedback=none is self-refinement (the model gets no feedback; with
// selfStop it decides itself whether to revise again); partial gives a seeded share of the failed criteria; full
// gives all of them. Feedback from the gold checklist tells the model what the grader checks: an oracle, so
// partial and full runs are marked as upper bounds, and only they stop early when every criterion passes. Like
// RefineBench, the last answer is the result; each answer's score is its turn of the dynamics curve.
import { checklistMessages, checklistSchema, MAX_CRITERIA_PER_CALL } from "./judge-prompts.ts";
import type { ChatMessage } from "../protocol/events.ts";
import { mulberry32 } from "../util/random.ts";
import { growingConversation, judging, WRAPPER_TOKENS } from "./context-need.ts";
import type { RunContext } from "./context.ts";
import { openEndedPrompts, selfCheckSchema } from "./open-ended-prompts.ts";
import { fill, solverMessages } from "./prompts.ts";
import { defineStrategy } from "./types.ts";

type CriterionVerdict = { reasoning?: unknown; satisfied?: unknown };

/** Evaluates one answer against the checklist; sets its score (fraction passed, on 0–10) and returns the failed criteria. */
async function evaluate(ctx: RunContext, candidateId: string, checklist: readonly string[], turn: number): Promise<{ failed: string[]; passed: number }> {
  const failed: string[] = [];
  let passed = 0;
  const parents = [candidateId];
  let lastNode = "";
  for (let from = 0; from < checklist.length; from += MAX_CRITERIA_PER_CALL) {
    const part = checklist.slice(from, from + MAX_CRITERIA_PER_CALL);
    const { node, value } = await ctx.judge<{ criteria?: CriterionVerdict[] }>(null, {
      step: "checklist",
      iteration: turn,
      user: checklistMessages(ctx.task.question, ctx.node(candidateId).text, part)[1]!.content,
      schema: checklistSchema(part.length),
      lane: "evaluator",
      parents,
      toScore: () => ({ value: null, verdict: "unknown", source: "critic" }),
    });
    lastNode = node.id;
    part.forEach((criterion, i) => {
      const verdict = Array.isArray(value?.criteria) ? value.criteria[i]?.satisfied : undefined;
      if (verdict === "yes") passed++;
      else failed.push(criterion);
    });
  }
  ctx.setScore(candidateId, {
    value: Math.round((passed / checklist.length) * 100) / 10,
    verdict: failed.length === 0 ? "correct" : "incorrect",
    source: "critic",
    byNodeId: lastNode,
  });
  return { failed, passed };
}

/** A seeded share of the failed criteria (at least one), in checklist order. */
export function partialFeedback(failed: readonly string[], share: number, seed: number): string[] {
  const count = Math.max(1, Math.ceil(failed.length * share));
  const random = mulberry32(seed);
  const order = failed.map((criterion, index) => ({ criterion, index, key: random() }));
  return order
    .sort((a, b) => a.key - b.key)
    .slice(0, count)
    .sort((a, b) => a.index - b.index)
    .map((c) => c.criterion);
}

export const checklistRefine = defineStrategy({
  name: "checklist-refine",
  title: "Checklist-guided refinement (RefineBench)",
  paper: "Lee et al. 2025, RefineBench (checklist-evaluated refinement; samples from passing2961/refinebench-page)",
  summary: "Refine → evaluate against the item's checklist → feedback, for a few turns; feedback none (self), partial or full (guided, an oracle).",
  params: [
    { name: "turns", type: "integer", default: 5, min: 1, max: 10, description: "turns of evaluate → refine after the draft (RefineBench: up to 5)" },
    {
      name: "feedback",
      type: "string",
      default: "none",
      choices: ["none", "partial", "full"],
      description: "none: self-refinement; partial: a seeded share of the failed criteria; full: all failed criteria (partial and full are oracles)",
    },
    {
      name: "partialShare",
      type: "number",
      default: 0.5,
      min: 0,
      max: 1,
      description: "feedback=partial: the share of the failed criteria given (at least one)",
    },
    { name: "selfStop", type: "boolean", default: true, description: "feedback=none: the model decides after each answer whether to revise again" },
  ],
  contextNeeded: (params, budgets) => Math.max(growingConversation(budgets, params.turns, 256 + WRAPPER_TOKENS), judging(budgets, 1, 600)),
  contextKnobs: ["turns"],
  actorLanes: () => 1,
  usesOracle: (params) => params.feedback !== "none",
  async run(ctx, params) {
    const checklist = ctx.task.checklist;
    if (!checklist?.length) throw new Error("checklist-refine needs items with a checklist (a list of criteria, as RefineBench's)");
    const turns = params.turns;
    const feedback = params.feedback;
    let answer = await ctx.draft({ lane: "actor" });
    const conversation: ChatMessage[] = [...solverMessages(ctx.task.question), { role: "assistant", content: answer.text }];
    let stop: "accepted" | "max-iterations" | undefined;
    for (let turn = 1; ; turn++) {
      const { failed } = await evaluate(ctx, answer.id, checklist, turn - 1);
      // Guided runs already see the checklist: they stop once nothing fails. A self-refining run must not learn from
      // the grader that it is done; it stops on its own word (selfStop) or after its turns.
      if (failed.length === 0 && feedback !== "none") stop = "accepted";
      else if (turn > turns) stop = "max-iterations";
      if (stop || !ctx.withinBudget()) break;
      let instruction: string;
      if (feedback === "none") {
        if (params.selfStop) {
          const { value } = await ctx.judge<{ revise?: unknown }>(null, {
            step: "self-check",
            iteration: turn,
            model: "actor",
            user: fill(openEndedPrompts.selfCheck, { question: ctx.task.question, answer: answer.text }),
            schema: selfCheckSchema,
            lane: "actor-check",
            parents: [answer.id],
            toScore: () => ({ value: null, verdict: "unknown", source: "critic" }),
          });
          if (value?.revise === "no") {
            stop = "accepted";
            break;
          }
        }
        instruction = openEndedPrompts.selfRefine;
      } else {
        const given = feedback === "full" ? failed : partialFeedback(failed, params.partialShare, ctx.options.seed + turn);
        instruction = fill(openEndedPrompts.guidedRefine, { feedback: given.map((c) => `- ${c}`).join("\n") });
      }
      answer = await ctx.generate({
        role: "refine",
        step: feedback === "none" ? "self-refine" : `guided-refine (${feedback})`,
        iteration: turn,
        parents: [answer.id],
        model: "actor",
        messages: [...conversation, { role: "user", content: instruction }],
        lane: "actor",
      });
      conversation.push({ role: "user", content: instruction }, { role: "assistant", content: answer.text });
    }
    return { nodeId: answer.id, ...(stop ? { stop } : {}) };
  },
});
