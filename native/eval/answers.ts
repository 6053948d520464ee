// Final-answer extraction and comparison: GSM8K's "#### n", LaTeX \boxed{...}, "The answer is ...", with numbers
// normalised (commas, currency, units, trailing zeros, simple fractions) before comparing.

/** Contents of the last \boxed{...} (or \fbox{...}), with nested braces. */
export function lastBoxed(text: string): string | null {
  const marker = /\\(?:boxed|fbox)\s*\{/g;
  let found: string | null = null;
  for (let match = marker.exec(text); match; match = marker.exec(text)) {
    let depth = 1;
    let i = match.index + match[0].length;
    const start = i;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === "{") depth++;
      else if (text[i] === "}") depth--;
    }
    if (depth === 0) found = text.slice(start, i - 1).trim();
  }
  return found;
}

const trimAnswer = (value: string) =>
  value
    .trim()
    .replace(/^[:\s]+/, "")
    .replace(/[.\s]+$/, "")
    .replace(/^\*\*(.*)\*\*$/, "$1")
    .replace(/^\$(.*)\$$/, "$1")
    .trim();

/** The final answer a solution states, or null when it states none. */
export function extractAnswer(text: string): string | null {
  const hashes = [...text.matchAll(/####\s*([^\n]+)/g)].at(-1);
  if (hashes) return trimAnswer(hashes[1]!);
  const boxed = lastBoxed(text);
  if (boxed !== null) return boxed;
  const phrase = [...text.matchAll(/(?:the\s+)?(?:final\s+)?answer\s*(?:is|:|=)\s*([^\n]+)/gi)].at(-1);
  if (phrase) return trimAnswer(phrase[1]!);
  return null;
}

const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$/i;

/** A number the answer denotes, or null if it is not (only) a number. */
export function answerNumber(answer: string): number | null {
  let value = answer
    .trim()
    .replace(/^\\text\{(.*)\}$/, "$1")
    .replace(/\\[,!;: ]/g, "")
    .replace(/\\%|%/g, "")
    .replace(/^\\?\$|\\?\$$/g, "")
    .replace(/(?<=\d),(?=\d{3}\b)/g, "")
    .replace(/\s+/g, " ")
    .trim();
  // Drop a trailing unit word ("18 dollars", "5 cm"), but keep the number.
  value = value.replace(/^([-+]?[\d.]+)\s*(?:\\text\{[^}]*\}|[a-zA-Z][a-zA-Z ]*)$/, "$1");
  const fraction = value.match(/^(?:\\d?frac\{([-+]?\d+)\}\{(\d+)\}|([-+]?\d+)\s*\/\s*(\d+))$/);
  if (fraction) {
    const numerator = Number(fraction[1] ?? fraction[3]);
    const denominator = Number(fraction[2] ?? fraction[4]);
    return denominator === 0 ? null : numerator / denominator;
  }
  return NUMBER.test(value) ? Number(value) : null;
}

/** Canonical form for voting and comparison: numbers as numbers, other answers as whitespace-free LaTeX. */
export function normalizeAnswer(answer: string): string {
  const number = answerNumber(answer);
  if (number !== null) return String(Number(number.toPrecision(12)));
  return answer
    .replace(/\\left|\\right|\\!|\\,|\\;|\\ /g, "")
    .replace(/\\[dt]frac/g, "\\frac")
    .replace(/\\text\{\s*([^}]*)\}/g, "$1")
    .replace(/\s+/g, "")
    .replace(/^\$|\$$/g, "")
    .toLowerCase();
}

/** The reference answer of a dataset item: GSM8K rationales end in "#### n". */
export function referenceAnswer(reference: string): string {
  return extractAnswer(reference) ?? reference.trim();
}

export function answersMatch(answer: string | null, reference: string): boolean {
  if (answer === null) return false;
  const a = answerNumber(answer);
  const b = answerNumber(reference);
  if (a !== null && b !== null) return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
  return normalizeAnswer(answer) === normalizeAnswer(reference);
}
