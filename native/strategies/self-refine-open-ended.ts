// Self-Refine on the repo's open-ended tasks (dialogue, acronym, sentiment, commongen, readability): the task's
// draft (or the item itself, for readability), feedback and refine prompts, each call cut at the repo's example
// separator where the prompts have one; the refine prompt shows what task_iterate.py shows (every earlier answer and
// feedback; readability only the latest). Stops by the task's rule (commongen: both feedbacks "none"; the others run
// out their iterations, as their run.py loops do) and returns what the task returns: the last answer, or the best
// total score the feedback gave (dialogue, acronym; every answer is scored, the last included).
import type { ModelRole } from "../protocol/events.ts";
import type { RunNode } from "../protocol/state.ts";
import type { RunContext } from "./context.ts";
import { type Attempt, EXAMPLE_SEPARATOR, type OpenEndedSelfRefineTask, openEndedTaskPrompts, totalScore } from "./self-refine-tasks.ts";
import { breakTie, tieNote } from "./tie-break.ts";

const STOP = [EXAMPLE_SEPARATOR.trim()];

interface Scored {
  node: RunNode;
  score: number | null;
}

export async function runOpenEndedSelfRefine(
  ctx: RunContext,
  name: OpenEndedSelfRefineTask,
  params: { maxIterations: number; feedbackModel: ModelRole; draftTemperature: number },
): Promise<{ nodeId: string; stop?: "accepted" | "max-iterations" }> {
  const task = openEndedTaskPrompts[name];
  const scoreEvery = task.output === "best-score";
  const stop = task.stop ? [...task.stop] : STOP;
  const given = task.given?.(ctx.task);
  let candidate =
    ctx.takeSeededDraft() ??
    (given !== undefined
      ? ctx.addComputedNode({ role: "draft", step: "given", iteration: 0, parents: [], text: given, answer: null })
      : await ctx.ask({
          role: "draft",
          step: "draft",
          iteration: 0,
          parents: [],
          model: "actor",
          user: task.draft!(ctx.task),
          lane: "solver",
          temperature: params.draftTemperature,
          stop,
          extract: false,
        }));
  const history: Attempt[] = [];
  const scored: Scored[] = [];
  let ended: "accepted" | "max-iterations" | undefined;
  for (let iteration = 0; ; iteration++) {
    const answer = task.cutAnswer(candidate.text, ctx.task);
    // The last answer needs feedback only when the output is picked by score.
    if (iteration >= params.maxIterations && !scoreEvery) {
      ended = "max-iterations";
      break;
    }
    const feedbackNode = await ctx.ask({
      role: "critique",
      step: "feedback",
      iteration,
      parents: [candidate.id],
      model: params.feedbackModel,
      user: task.feedback(ctx.task, answer),
      lane: "feedback",
      stop,
      extract: false,
    });
    const feedback = task.cutFeedback(feedbackNode.text);
    if (scoreEvery) {
      const score = totalScore(feedback);
      scored.push({ node: candidate, score });
      ctx.setScore(candidate.id, {
        value: score === null ? null : score * 10,
        verdict: score === null ? "unparseable" : "unknown",
        source: "critic",
        byNodeId: feedbackNode.id,
      });
    }
    history.push({ answer, feedback });
    if (task.stops(feedback)) ended = "accepted";
    else if (iteration >= params.maxIterations) ended = "max-iterations";
    if (ended || !ctx.withinBudget()) break;
    candidate = await ctx.ask({
      role: "refine",
      step: "refine",
      iteration: iteration + 1,
      parents: [candidate.id, feedbackNode.id],
      model: "actor",
      user: task.refine(ctx.task, history),
      lane: "solver",
      stop,
      extract: false,
    });
  }
  const result = ended ? { stop: ended } : {};
  if (!scoreEvery) return { nodeId: candidate.id, ...result };
  return { nodeId: bestScored(ctx, scored, params.maxIterations + 1), ...result };
}

/** The best total score (an unreadable total ranks last), ties drawn with the run's seed. */
function bestScored(ctx: RunContext, scored: readonly Scored[], iteration: number): string {
  const rank = (s: Scored) => s.score ?? -1;
  const best = Math.max(...scored.map(rank));
  const tied = scored.filter((s) => rank(s) === best).map((s) => s.node.id);
  const winner = breakTie(tied, ctx.options.seed, `self-refine:${tied.join(",")}`);
  const note = tieNote(tied, winner, ctx.options.seed);
  ctx.addComputedNode({
    role: "select",
    step: "best-total-score",
    iteration,
    parents: scored.map((s) => s.node.id),
    text: [
      "the best total score the feedback gave",
      ...scored.map((s) => `${s.node.id}: ${s.score === null ? "no total score" : `${Math.round(s.score * 1000) / 10}%`}`),
      ...(note ? [note] : []),
    ].join("\n"),
    answer: ctx.node(winner).answer,
  });
  return winner;
}
