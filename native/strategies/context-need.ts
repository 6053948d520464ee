// The longest conversation of a strategy, in tokens, from the run's budgets: what each strategy declares so a run
// that cannot fit is refused before anything loads. Answers kept in a history are counted without their thought
// (a history never carries thoughts); the call that generates adds the role's thinking budget.
import type { ContextBudgets } from "./types.ts";

/** Everything one call of a role may generate: its answer and its thought. */
export const output = (role: ContextBudgets["actor"]) => role.answer + role.thought;

/** Room for an instruction or feedback wrapper written around a critique or an output (its fixed words). */
export const WRAPPER_TOKENS = 64;

/** Tokens of a fixed prompt text (few-shot examples, a strategy's instructions), at about 3 characters a token. */
export const textTokens = (text: string) => Math.ceil(text.length / 3);

/** One call that reads only the task: the larger role's output on top of the prompt. */
export function oneCall(b: ContextBudgets): number {
  return b.prompt + Math.max(output(b.actor), output(b.critic));
}

/** A critic reading `answers` candidate answers (plus `extra` fixed prompt tokens) and writing its verdict. */
export function judging(b: ContextBudgets, answers = 1, extra = 0): number {
  return b.prompt + extra + answers * Math.max(b.actor.answer, b.critic.answer) + output(b.critic);
}

/**
 * A conversation that keeps every turn: the first answer, then per round a feedback of `feedback` tokens and the
 * next answer; the last answer may think.
 */
export function growingConversation(b: ContextBudgets, rounds: number, feedback: number): number {
  return b.prompt + (rounds + 1) * b.actor.answer + rounds * (feedback + WRAPPER_TOKENS) + b.actor.thought;
}
