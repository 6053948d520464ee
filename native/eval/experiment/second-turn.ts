// MT-Bench's second turn as a second run of the cell's strategy. FastChat's gen_model_answer.py keeps one
// conversation: the second question is asked after the model's own first answer. A strategy's run takes one
// question, so the second run's question carries the conversation so far — the first question and this cell's
// final answer to it — in the "### User:" / "### Assistant:" form of MT-Bench's multi-turn judge prompts, then the
// second question. Every call of the strategy (drafts, critiques, refinements) sees the whole conversation.
import type { Task } from "../../protocol/events.ts";
import { DEFAULT_SAMPLING } from "../../protocol/defaults.ts";
import type { CellResult } from "../../protocol/experiment-results.ts";
import type { ExperimentColumn } from "./config.ts";

export const SECOND_TURN_SUFFIX = "-turn2";

/** The question of a second-turn run: the conversation so far, then the user's next message. */
export function secondTurnQuestion(firstQuestion: string, firstAnswer: string, secondQuestion: string): string {
  return `Here is our conversation so far.\n\n### User:\n${firstQuestion}\n\n### Assistant:\n${firstAnswer}\n\nNow answer my next message, in the same conversation.\n\n### User:\n${secondQuestion}`;
}

/** The task of the second turn's run: the conversation as its question, the second turn's reference as its reference. */
export function secondTurnTask(task: Task, firstAnswer: string): Task | null {
  if (!task.secondTurn) return null;
  return {
    ...(task.id !== undefined ? { id: `${task.id}${SECOND_TURN_SUFFIX}` } : {}),
    question: secondTurnQuestion(task.question, firstAnswer, task.secondTurn.question),
    ...(task.secondTurn.reference !== undefined ? { reference: task.secondTurn.reference } : {}),
  };
}

/**
 * The longest second turn a column can be asked: the longest pair of questions with a first answer as long as the
 * actor may write (three characters a token, the runner's prompt estimate), for the check before any cell runs.
 */
export function longestSecondTurn(tasks: readonly Task[], column: ExperimentColumn): Task | null {
  const answerTokens = column.actor.sampling?.maxTokens ?? DEFAULT_SAMPLING.actor.maxTokens;
  let longest: Task | null = null;
  for (const task of tasks) {
    const second = secondTurnTask(task, "x".repeat(answerTokens * 3));
    if (second && (!longest || second.question.length > longest.question.length)) longest = second;
  }
  return longest;
}

/** How many of a column's second turns failed, with the first one's reason; null when none did. */
export function failedSecondTurns(cells: readonly CellResult[]): string | null {
  const ran = cells.filter((c) => c.secondTurn);
  const failed = ran.filter((c) => c.secondTurn!.status === "failed");
  if (!failed.length) return null;
  const first = failed[0]!;
  return `${failed.length} of ${ran.length} second turns failed (item ${first.itemId}: ${first.secondTurn!.failure ?? "no reason recorded"})`;
}
