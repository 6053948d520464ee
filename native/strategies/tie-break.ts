// Ties broken by the run's seed, not by array order: the earliest sample winning every tie biases a
// comparison toward single-pass (its sample is always first). The same seed and candidates give the same pick.
import { mulberry32 } from "../util/random.ts";

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** One of the tied items, drawn with the run's seed; `salt` (e.g. the tied ids) keeps separate decisions independent. */
export function breakTie<T>(tied: readonly T[], seed: number, salt: string): T {
  if (tied.length === 0) throw new Error("breakTie needs at least one candidate");
  if (tied.length === 1) return tied[0]!;
  return tied[Math.floor(mulberry32((seed ^ hash(salt)) >>> 0)() * tied.length)]!;
}

/** The line a select or vote node shows for how its winner was chosen. */
export function tieNote(tiedIds: readonly string[], winnerId: string, seed: number): string {
  return tiedIds.length > 1 ? `tie between ${tiedIds.join(", ")}: ${winnerId} drawn at random with the run's seed ${seed}` : "";
}
