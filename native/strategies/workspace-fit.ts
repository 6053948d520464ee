// Fitting several drafts into a bounded space fairly: every draft keeps an equal share (its head, where the
// approach is set out, and its tail, where the answer is), instead of the first drafts filling the space and
// the rest being cut away. Used both for what a summariser reads (bounded by the context) and for a top-k
// workspace (bounded by κ).

export interface FittedDrafts {
  texts: string[];
  /** How many drafts had to be shortened (0: all shown whole). */
  shortened: number;
  /** Tokens each draft was allowed when any was shortened. */
  share: number;
}

/** Keeps about `tokens` of a text of `total` tokens: the first and last parts, with the cut marked where it is. */
export function shortenTo(text: string, total: number, tokens: number): string {
  if (total <= tokens) return text;
  const keepChars = Math.max(0, Math.floor((text.length * tokens) / total));
  const head = Math.ceil(keepChars / 2);
  const tail = keepChars - head;
  return `${text.slice(0, head)}\n[… ${total - tokens} tokens of this candidate cut to fit …]\n${tail > 0 ? text.slice(-tail) : ""}`;
}

/**
 * Each draft whole when all fit in `budget` tokens; otherwise drafts longer than an equal share are shortened
 * to it (the share grows by what shorter drafts leave unused).
 */
export async function fitFairly(texts: string[], budget: number, countTokens: (text: string) => Promise<number>): Promise<FittedDrafts> {
  const sizes = await Promise.all(texts.map(countTokens));
  if (sizes.reduce((a, b) => a + b, 0) <= budget) return { texts, shortened: 0, share: budget };
  // Water-filling: drafts under the share keep all their tokens; the rest split what remains equally.
  const order = sizes.map((size, index) => ({ size, index })).sort((a, b) => a.size - b.size);
  let remaining = Math.max(0, budget);
  let share = 0;
  for (let i = 0; i < order.length; i++) {
    share = Math.floor(remaining / (order.length - i));
    if (order[i]!.size > share) break;
    remaining -= order[i]!.size;
  }
  let shortened = 0;
  const fitted = texts.map((text, index) => {
    if (sizes[index]! <= share) return text;
    shortened++;
    return shortenTo(text, sizes[index]!, share);
  });
  return { texts: fitted, shortened, share };
}
