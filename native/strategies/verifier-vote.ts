// The final pick over verifier-scored solutions, with the three rules search-and-learn's score.py reports side
// by side: weighted (the answer whose solutions' scores sum highest, find_answer_with_largest_sum), majority
// (find_majority_answer) and naive (the single best-scored solution, best-of-N). One vote node shows every
// answer's weight and its count, so the weighted and the plain tally can be read together.
import { breakTie } from "./tie-break.ts";
import { confidenceTieNote, mostConfident, type TieBreak } from "./confidence-tie-break.ts";
import type { RunContext } from "./context.ts";
import { answerKey } from "../grading/checkers.ts";
import { type StepAggregate, verifierScore } from "./step-scores.ts";

export const FINAL_RULES = ["weighted", "majority", "naive"] as const;
export type FinalRule = (typeof FINAL_RULES)[number];

interface Group {
  key: string;
  /** Sum of the members' verifier scores. */
  weight: number;
  ids: string[];
}

export interface VerifierVote {
  winnerId: string;
  /** Groups by answer key in order of first appearance. */
  groups: Group[];
  scores: Map<string, number>;
}

/**
 * Picks among candidates already scored by the step verifier. Ties (equal weight, count or score) are drawn with
 * the run's seed, as the other votes are; within the winning answer its best-scored solution represents it.
 */
export function verifierVote(
  ctx: RunContext,
  candidateIds: string[],
  how: StepAggregate,
  rule: FinalRule,
  iteration: number,
  tieBreak: TieBreak = "seed",
): VerifierVote {
  // A search may hand in the same solution more than once (search-and-learn copies completed beams up to n): each
  // copy votes, but the tree joins each node once.
  const unique = [...new Set(candidateIds)];
  const scores = new Map(unique.map((id) => [id, verifierScore(ctx.node(id), how)]));
  const byKey = new Map<string, Group>();
  for (const id of candidateIds) {
    const key = answerKey(ctx.task, ctx.node(id).answer);
    if (key === null) continue;
    const group = byKey.get(key) ?? { key, weight: 0, ids: [] };
    group.weight += scores.get(id)!;
    group.ids.push(id);
    byKey.set(key, group);
  }
  const groups = [...byKey.values()];
  const tieNotes = new Set<string>();
  const best = <T>(
    items: T[],
    value: (item: T) => number,
    salt: (tied: T[]) => string,
    traces: (item: T) => string[],
    label: (item: T) => string,
  ): T | null => {
    if (!items.length) return null;
    const top = Math.max(...items.map(value));
    const tied = items.filter((item) => value(item) === top);
    const nodesOf = (item: T) => traces(item).map((id) => ctx.node(id));
    const kept = mostConfident(tieBreak, tied, nodesOf);
    const note = confidenceTieNote(tied, kept, label, nodesOf);
    if (note) tieNotes.add(note);
    return breakTie(kept, ctx.options.seed, salt(tied));
  };
  const groupLabel = (g: Group) => ctx.node(g.ids[0]!).answer ?? g.key;
  const naiveId = best(
    unique,
    (id) => scores.get(id)!,
    (tied) => `naive:${tied.join(",")}`,
    (id) => [id],
    (id) => id,
  )!;
  const representative = (group: Group) =>
    best(
      [...new Set(group.ids)],
      (id) => scores.get(id)!,
      (tied) => `representative:${tied.join(",")}`,
      (id) => [id],
      (id) => id,
    )!;
  const weighted = best(
    groups,
    (g) => g.weight,
    (tied) => `weighted:${tied.map((g) => g.key).join(",")}`,
    (g) => g.ids,
    groupLabel,
  );
  const majority = best(
    groups,
    (g) => g.ids.length,
    (tied) => `majority:${tied.map((g) => g.key).join(",")}`,
    (g) => g.ids,
    groupLabel,
  );
  const chosen = rule === "weighted" ? weighted : rule === "majority" ? majority : null;
  const winnerId = chosen ? representative(chosen) : naiveId;
  const answerOf = (group: Group) => ctx.node(group.ids[0]!).answer;
  const lines = [...groups]
    .sort((a, b) => b.weight - a.weight)
    .map((g) => `${answerOf(g)}: weight ${g.weight.toFixed(3)} · ${g.ids.length}/${candidateIds.length} votes`);
  lines.push(
    `weighted picks ${weighted ? answerOf(weighted) : "none"}; majority picks ${majority ? answerOf(majority) : "none"}; ` +
      `best single solution ${naiveId} (${scores.get(naiveId)!.toFixed(3)}, ${ctx.node(naiveId).answer ?? "no answer"})`,
    `chosen by the ${rule} rule (step scores aggregated by ${how})`,
    ...tieNotes,
  );
  const totalWeight = groups.reduce((sum, g) => sum + g.weight, 0);
  const voteNode = ctx.addComputedNode({
    role: "vote",
    step: `${rule}-vote`,
    iteration,
    parents: unique,
    text: lines.join("\n"),
    answer: ctx.node(winnerId).answer,
  });
  for (const id of unique) {
    const key = answerKey(ctx.task, ctx.node(id).answer);
    const weight = key === null ? 0 : byKey.get(key)!.weight;
    ctx.setScore(id, {
      value: totalWeight > 0 ? weight / totalWeight : 0,
      verdict: "unknown",
      source: "vote",
      byNodeId: voteNode.id,
      ...(key !== null ? { group: key } : {}),
    });
  }
  return { winnerId, groups, scores };
}
