// Aggregation with seeded tie-breaks, the one argmax and the one majority vote of every strategy: computed nodes
// that say how a tie was broken. Answers are grouped by the checker's answerKey (multiple choice by option letter:
// "B", "(B)", "B) thymine" are one vote).
import { answerKey, keysByLetter } from "../grading/checkers.ts";
import type { Verdict } from "../protocol/events.ts";
import { type SelectRule, selectionRuleText } from "../protocol/select-rule.ts";
import { latestScore, type RunNode } from "../protocol/state.ts";
import type { RunContext } from "./context.ts";
import { confidenceTieNote, mostConfident, type TieBreak } from "./confidence-tie-break.ts";
import { breakTie, tieNote } from "./tie-break.ts";

const VERDICT_RANK: Record<Verdict, number> = { correct: 2, unknown: 1, unparseable: 1, incorrect: 0 };
const VERDICT_MARK: Record<Verdict, string> = { correct: " ✓", incorrect: " ✗", unknown: "", unparseable: " (unparseable)" };

/**
 * The best candidate by its latest critic score, under `rule` (select-rule.ts): the score alone (the papers'
 * argmax), or the verdict first and the score within a verdict. Ties are drawn with the run's seed. Unscored
 * candidates rank last. The node's text names the rule, each candidate's score and verdict, and any tie.
 */
export function selectByScoreSeeded(
  ctx: RunContext,
  candidateIds: string[],
  iteration: number,
  step = "argmax-score",
  rule: SelectRule = "score",
  tieBreak: TieBreak = "seed",
): RunNode {
  const scored = candidateIds.map((id) => {
    const score = latestScore(ctx.node(id), "critic");
    const value = score?.value ?? -1;
    const verdict = score?.verdict ?? "unknown";
    // Two keys in one number: the verdict's rank outweighs any score (scores are 0..10, unscored -1).
    const rank = rule === "verdict-then-score" ? VERDICT_RANK[verdict] * 100 + value : value;
    return { id, value, verdict, rank };
  });
  const best = Math.max(...scored.map((s) => s.rank));
  const tied = scored.filter((s) => s.rank === best).map((s) => s.id);
  const traces = (id: string) => [ctx.node(id)];
  const kept = mostConfident(tieBreak, tied, traces);
  const winnerId = breakTie(kept, ctx.options.seed, `${step}:${tied.join(",")}`);
  const note = [confidenceTieNote(tied, kept, (id) => id, traces), tieNote(kept, winnerId, ctx.options.seed)].filter(Boolean).join("\n");
  ctx.addComputedNode({
    role: "select",
    step,
    iteration,
    parents: candidateIds,
    text: [
      `rule: ${selectionRuleText(step) ?? step}`,
      ...scored.map((s) => `${s.id}: ${s.value < 0 ? "unscored" : `${s.value}${VERDICT_MARK[s.verdict]}`}`),
      ...(note ? [note] : []),
    ].join("\n"),
    answer: ctx.node(winnerId).answer,
  });
  return ctx.node(winnerId);
}

/**
 * Majority vote over the candidates' answers (by answerKey); a tie between answers goes to the most confident
 * answer when `tieBreak` says so, and is otherwise drawn with the run's seed.
 */
export function voteSeeded(
  ctx: RunContext,
  candidateIds: string[],
  iteration: number,
  tieBreak: TieBreak = "seed",
): { voteNode: RunNode; winnerId: string; answer: string | null } {
  const tally = new Map<string, { count: number; ids: string[] }>();
  for (const id of candidateIds) {
    const key = answerKey(ctx.task, ctx.node(id).answer);
    if (key === null) continue;
    const entry = tally.get(key) ?? { count: 0, ids: [] };
    entry.count++;
    entry.ids.push(id);
    tally.set(key, entry);
  }
  const ranked = [...tally.entries()].sort((a, b) => b[1].count - a[1].count);
  const top = ranked.filter(([, entry]) => entry.count === ranked[0]?.[1].count);
  const traces = ([, entry]: (typeof ranked)[number]) => entry.ids.map((id) => ctx.node(id));
  const kept = mostConfident(tieBreak, top, traces);
  const winnerKey = kept.length
    ? breakTie(
        kept.map(([key]) => key),
        ctx.options.seed,
        `vote:${candidateIds.join(",")}`,
      )
    : null;
  const winner = winnerKey === null ? null : tally.get(winnerKey)!;
  const winnerId = winner ? winner.ids[0]! : candidateIds[0]!;
  // Multiple choice: the vote's answer is the letter everyone agreed on, whatever wording each sample used.
  const shown = (key: string, firstId: string) => (keysByLetter(ctx.task) ? key : ctx.node(firstId).answer);
  const answer = winnerKey === null ? null : shown(winnerKey, winnerId);
  const lines = ranked.map(([key, entry]) => `${shown(key, entry.ids[0]!)}: ${entry.count}/${candidateIds.length}`);
  const confidenceNote = confidenceTieNote(top, kept, ([key]) => key, traces);
  if (confidenceNote) lines.push(confidenceNote);
  if (kept.length > 1) lines.push(`tie between ${kept.map(([key]) => key).join(", ")}: ${winnerKey} drawn at random with the run's seed ${ctx.options.seed}`);
  const voteNode = ctx.addVoteNode(candidateIds, iteration, lines, answer, (id) => {
    const group = answerKey(ctx.task, ctx.node(id).answer);
    return { group, votes: group === null ? 0 : (tally.get(group)?.count ?? 0) };
  });
  return { voteNode, winnerId, answer };
}
