// Self-Refine (Madaan et al. 2023): one model drafts, gives itself feedback, and refines with the whole history
// of (answer, feedback) pairs, until the feedback says the answer is fine or the iterations run out. The
// paper's feedback (feedbackFormat=paper) is the repo's few-shot prompt of the chosen task: GSM8K's (stopping on
// "it is correct", returning the last answer) or an open-ended task's (self-refine-open-ended.ts), written with the
// feedback model's own sampling. feedbackFormat=json is Refinery's scored critique instead (critic prompt and
// settings), returning the best-scored answer.
import type { ChatMessage } from "../protocol/events.ts";
import type { RunNode } from "../protocol/state.ts";
import type { RunContext } from "./context.ts";
import { fill, prompts, solverMessages } from "./prompts.ts";
import { saysCorrect, selfRefineFeedbackPrompt } from "./self-refine-prompts.ts";
import { selectByScoreSeeded } from "./seeded-select.ts";
import { growingConversation, judging, output, textTokens, WRAPPER_TOKENS } from "./context-need.ts";
import { runOpenEndedSelfRefine } from "./self-refine-open-ended.ts";
import { type OpenEndedSelfRefineTask, openEndedTaskPrompts, resolveSelfRefineTask, SELF_REFINE_TASKS } from "./self-refine-tasks.ts";
import { type ContextBudgets, defineStrategy, StrategyParamError } from "./types.ts";
import type { ModelRole } from "../protocol/events.ts";

interface Feedback {
  node: RunNode;
  text: string;
  fine: boolean;
}

/** The repo's feedback call: few-shot prompt, the writer's own sampling, cut at the example separator. */
async function paperFeedback(ctx: RunContext, candidate: RunNode, model: ModelRole, iteration: number): Promise<Feedback> {
  const node = await ctx.ask({
    role: "critique",
    step: "feedback",
    iteration,
    parents: [candidate.id],
    model,
    user: selfRefineFeedbackPrompt(ctx.task.question, candidate.text),
    lane: "feedback",
    extract: false,
  });
  const text = node.text.split("### END")[0]!.trim();
  return { node, text, fine: saysCorrect(text) };
}

async function jsonFeedback(ctx: RunContext, candidate: RunNode, model: ModelRole, iteration: number, stopScore: number): Promise<Feedback> {
  const critique = await ctx.critique(candidate.id, { mode: "holistic", model, iteration, lane: "feedback", step: "feedback" });
  const { verdict } = critique;
  return { node: critique.node, text: ctx.feedback(critique), fine: verdict.correct === true && (verdict.score ?? 0) >= stopScore };
}

export const selfRefine = defineStrategy({
  name: "self-refine",
  title: "Self-Refine",
  paper: "Madaan et al. 2023, Self-Refine: Iterative Refinement with Self-Feedback (arXiv:2303.17651); code: madaan/self-refine",
  summary: "One model drafts, critiques itself, and refines using all earlier feedback.",
  params: [
    { name: "maxIterations", type: "integer", default: 4, min: 0, max: 16, description: "refinements at most" },
    {
      name: "task",
      type: "string",
      default: "gsm8k",
      choices: [...SELF_REFINE_TASKS, "auto"],
      description:
        "whose few-shot draft, feedback and refine prompts and stop rule the paper format uses: the repo's math (gsm8k), dialogue response, acronym, sentiment reversal, constrained generation (commongen) or code readability (the question is the code); auto: the item's own Self-Refine task, else gsm8k",
    },
    {
      name: "feedbackModel",
      type: "string",
      default: "actor",
      choices: ["actor", "critic"],
      description: "who writes the feedback: the same model (the paper) or the critic",
    },
    {
      name: "feedbackFormat",
      type: "string",
      default: "paper",
      choices: ["paper", "json"],
      description:
        'the repo\'s few-shot feedback, stop on "it is correct", return the last answer (paper) or a scored JSON critique, return the best-scored answer (json)',
    },
    {
      name: "draftTemperature",
      type: "number",
      default: 0,
      min: 0,
      max: 2,
      description: "sampling temperature of the first draft (the repo's task_init runs at run.py's default 0: greedy)",
    },
    {
      name: "stopScore",
      type: "integer",
      default: 9,
      min: 0,
      max: 10,
      description:
        "json feedback: stop once the feedback judges the answer correct and scores it at least this (0..10); a high score with correct: false does not stop",
    },
  ],
  actorLanes: () => 2,
  callsCritic: (params) => params.feedbackModel === "critic",
  validate(params) {
    if (params.feedbackFormat === "json" && params.task !== "gsm8k" && params.task !== "auto")
      throw new StrategyParamError(
        `self-refine: task=${params.task} uses that task's own feedback prompt, and feedbackFormat=json replaces it with a scored critique; set feedbackFormat=paper, or leave task at gsm8k`,
      );
  },
  // The solver's conversation carries every answer and every feedback (answers only: thoughts are not kept),
  // and its last turn may think again before answering. Feedback is written within the critic's answer budget
  // whoever writes it. The paper's feedback call reads the four few-shot examples and one answer.
  contextNeeded: (params, budgets) => {
    const history = growingConversation(budgets, params.maxIterations, budgets.critic.answer);
    const writer = budgets[params.feedbackModel as ModelRole];
    const feedbackCall =
      params.feedbackFormat === "paper"
        ? budgets.prompt + textTokens(selfRefineFeedbackPrompt("", "")) + budgets.actor.answer + writer.answer + writer.thought
        : judging(budgets);
    const gsm8k = Math.max(history, feedbackCall);
    if (params.feedbackFormat !== "paper" || params.task === "gsm8k") return gsm8k;
    const tasks = params.task === "auto" ? (Object.keys(openEndedTaskPrompts) as OpenEndedSelfRefineTask[]) : [params.task as OpenEndedSelfRefineTask];
    return Math.max(params.task === "auto" ? gsm8k : 0, ...tasks.map((t) => openEndedNeed(t, params.maxIterations, budgets, writer)));
  },
  contextKnobs: ["maxIterations"],
  async run(ctx, params) {
    const maxIterations = params.maxIterations;
    const feedbackModel = params.feedbackModel as ModelRole;
    const paper = params.feedbackFormat === "paper";
    const task = resolveSelfRefineTask(params.task, ctx.task);
    if (paper && task !== "gsm8k") return runOpenEndedSelfRefine(ctx, task, { maxIterations, feedbackModel, draftTemperature: params.draftTemperature });
    let candidate = await ctx.draft({ lane: "solver", temperature: params.draftTemperature });
    const pool = [candidate.id];
    const conversation: ChatMessage[] = [...solverMessages(ctx.task.question), { role: "assistant", content: candidate.text }];
    let stop: "accepted" | "max-iterations" | undefined;
    for (let iteration = 0; ; iteration++) {
      // The repo's last fix gets no feedback (run.py stops at max_attempts); the paper returns it whatever a
      // feedback would say, so that call would be pure cost. Scored mode needs the score to compare.
      if (paper && iteration >= maxIterations) {
        stop = "max-iterations";
        break;
      }
      const feedback = paper
        ? await paperFeedback(ctx, candidate, feedbackModel, iteration)
        : await jsonFeedback(ctx, candidate, feedbackModel, iteration, params.stopScore);
      if (feedback.fine) stop = "accepted";
      else if (iteration >= maxIterations) stop = "max-iterations";
      if (stop || !ctx.withinBudget()) break;
      const instruction = fill(prompts.refineWithFeedback, { feedback: feedback.text });
      candidate = await ctx.refine({
        candidateId: candidate.id,
        critiqueId: feedback.node.id,
        conversation,
        instruction,
        iteration: iteration + 1,
        lane: "solver",
      });
      pool.push(candidate.id);
      conversation.push({ role: "user", content: instruction }, { role: "assistant", content: candidate.text });
    }
    if (!paper) return { nodeId: selectByScoreSeeded(ctx, pool, maxIterations + 1).id, ...(stop ? { stop } : {}) };
    // The repo's output is the last refinement (run.py: run_logs[-1]); the pool stays visible as the node's parents.
    ctx.addComputedNode({
      role: "select",
      step: "last-answer",
      iteration: maxIterations + 1,
      parents: pool,
      text: `the last answer (${candidate.id}), as the paper returns`,
      answer: candidate.answer,
    });
    return { nodeId: candidate.id, ...(stop ? { stop } : {}) };
  },
});

/**
 * An open-ended task's longest call: its refine prompt's fixed words, the item (shown once per earlier round by
 * the dialogue prompt, which repeats the history), every earlier answer and feedback, and the refinement.
 */
function openEndedNeed(name: OpenEndedSelfRefineTask, rounds: number, budgets: ContextBudgets, writer: ContextBudgets["actor"]): number {
  const prompts = openEndedTaskPrompts[name];
  const empty = { question: "" };
  const fixed = Math.max(
    textTokens(prompts.refine(empty, [{ answer: "", feedback: "" }])),
    textTokens(prompts.feedback(empty, "")),
    prompts.draft ? textTokens(prompts.draft(empty)) : 0,
  );
  return (
    fixed +
    (rounds + 2) * budgets.prompt +
    (rounds + 1) * (budgets.actor.answer + writer.answer + WRAPPER_TOKENS) +
    Math.max(output(budgets.actor), output(writer))
  );
}
