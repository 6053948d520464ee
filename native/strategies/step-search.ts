// What step-level searches (beam search, DVTS) share, as search-and-learn builds them: the study's system prompt,
// a step that ends at a blank line ("\n\n", kept in the solution as vLLM's include_stop_str_in_output keeps it),
// the last round generating to the end, and a step verifier scoring the whole prefix so far.
import type { RunNode } from "../protocol/state.ts";
import type { RunContext } from "./context.ts";
import { type StepAggregate, verifierScore } from "./step-scores.ts";
import { verifySteps } from "./step-verifier.ts";

/** search-and-learn's Config.system_prompt: steps separated by blank lines, a boxed final answer. */
export const STEP_SEARCH_SYSTEM =
  "Solve the following math problem efficiently and clearly:\n\n- For simple problems (2 steps or fewer):\nProvide a concise solution with minimal explanation.\n\n- For complex problems (3 steps or more):\nUse this step-by-step format:\n\n## Step 1: [Concise description]\n[Brief explanation and calculations]\n\n## Step 2: [Concise description]\n[Brief explanation and calculations]\n\n...\n\nRegardless of the approach, always conclude with:\n\nTherefore, the final answer is: $\\boxed{answer}$. I hope it is correct.\n\nWhere [answer] is just the final number or expression that solves the problem.";

export const STEP_STOP = "\n\n";

export interface Step {
  node: RunNode;
  /** The step as it joins the solution: the stop string put back when generation stopped at it. */
  text: string;
  /** "stop": the step ended at the blank line; "eos": the model ended its answer; "maxTokens": the budget did. */
  stopReason: "stop" | "eos" | "maxTokens";
}

/** The next step after `prefix` (a node continuing the assistant's unfinished answer); the last round runs to the end. */
export async function nextStep(
  ctx: RunContext,
  options: { prefix: string; parent: string | null; iteration: number; lane: string; temperature: number; toTheEnd: boolean },
): Promise<Step> {
  const node = await ctx.generate({
    role: "draft",
    step: "step",
    iteration: options.iteration,
    parents: options.parent ? [options.parent] : [],
    model: "actor",
    messages: [
      { role: "system", content: STEP_SEARCH_SYSTEM },
      { role: "user", content: ctx.task.question },
      ...(options.prefix ? [{ role: "assistant" as const, content: options.prefix }] : []),
    ],
    continueAnswer: options.prefix !== "",
    ...(options.toTheEnd ? {} : { stop: [STEP_STOP] }),
    answerPrefix: options.prefix,
    lane: options.lane,
    temperature: options.temperature,
  });
  const reason = ctx.stopReasonOf(node.id);
  const stopReason = reason === "maxTokens" ? "maxTokens" : reason === "stop" && !options.toTheEnd ? "stop" : "eos";
  return { node, text: stopReason === "stop" ? node.text + STEP_STOP : node.text, stopReason };
}

/** The step verifier on a prefix: the critic's stepwise verdict(s) on the whole solution so far, aggregated. */
export async function scorePrefix(ctx: RunContext, node: RunNode, solution: string, options: { how: StepAggregate; k: number; lane: string }): Promise<number> {
  await verifySteps(ctx, node.id, { k: options.k, iteration: node.iteration, lane: options.lane, solutionText: solution.trim() });
  return verifierScore(ctx.node(node.id), options.how);
}
