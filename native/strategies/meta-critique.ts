// SPARK's meta-critique (Rahman et al. 2025; no public code): the critic re-reads its own verdict with the
// solution and revises it. One second turn on the critic's conversation (its verdict as the assistant's reply,
// then this request), under the same JSON schema, so the revision reads like any verdict. Runs (RunContext's
// critique) and critic-eval share it.
import type { ChatMessage } from "../protocol/events.ts";

export const metaCritiquePrompt =
  "Re-read the solution and your verdict above. Check each of your judgments against the solution: a step you called wrong may be right, " +
  "and an error you passed over may be there. Then give your final verdict as the same JSON object, revising what you got wrong and keeping what you got right.";

/** The critic's conversation continued: its verdict as its reply, then the request to review it. */
export function metaCritiqueMessages(critique: readonly ChatMessage[], verdictText: string): ChatMessage[] {
  return [...critique.map((message) => ({ ...message })), { role: "assistant", content: verdictText }, { role: "user", content: metaCritiquePrompt }];
}

/** The revision stands when it can be read; an unreadable one leaves the first verdict (it states nothing to replace it with). */
export function revisedVerdict<T>(first: T, revision: T, readable: (verdict: T) => boolean): { verdict: T; revised: boolean } {
  return readable(revision) ? { verdict: revision, revised: true } : { verdict: first, revised: false };
}
