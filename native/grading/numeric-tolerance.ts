// How close a number must be to the reference's to be the same answer. Relative 1e-4 (math_equal's isclose), but
// never looser than the reference's own last stated digit: "1.4903 \times 10^4" is 14903 to the unit, so 14904 is
// another answer although it lies within 1e-4 of it. When the question asks for k decimals, the reference rounded
// to k decimals is right as well ("3.14" for 3.14159 when two decimals are asked).

/** Relative tolerance of numeric equality, as the standard math graders use. */
export const RELATIVE_TOLERANCE = 1e-4;

export interface Tolerance {
  /** Place value of the reference's last stated digit: 0.01 for "14.29", 1 for "1.4903e4". */
  lastDigit?: number;
  /** Decimals the question asks the answer to be given to. */
  decimalsAsked?: number;
}

const SCIENTIFIC = /^([-+]?)(\d+)(?:\.(\d+))?(?:(?:\\times|\\cdot|×|\*)10\^\{?([-+]?\d+)\}?|e([-+]?\d+))?$/i;
/** A unit or percent sign after the number says nothing about its precision. */
const TRAILING_UNIT = /(?:\\%|%|\\(?:text|mathrm|mbox)\{[^{}]*\}|[a-zA-Z][a-zA-Z ]*)$/;

/**
 * The place value of the last digit a numeric reference states, or undefined when it is not one number. Decimals
 * state their precision ("2.50" to the hundredth); an integer's trailing zeros may be rounding ("15000"), so an
 * integer counts to its last non-zero digit.
 */
export function statedLastDigit(reference: string): number | undefined {
  const plain = reference
    .replace(/\\[,!;: ]|\{,\}|\\?\$|\s+/g, "")
    .replace(/(?<=\d),(?=\d{3}(?!\d))/g, "")
    .replace(TRAILING_UNIT, "");
  const number = plain.match(SCIENTIFIC);
  if (!number) return undefined;
  const [, , whole, decimals, timesTen, exponent] = number;
  const power = Number(timesTen ?? exponent ?? 0);
  if (decimals) return 10 ** (power - decimals.length);
  const trailingZeros = /0*$/.exec(whole!)![0].length;
  return 10 ** (power + (trailingZeros === whole!.length ? 0 : trailingZeros));
}

const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6 };
const NEAREST: Record<string, number> = {
  "whole number": 0,
  integer: 0,
  tenth: 1,
  hundredth: 2,
  cent: 2,
  thousandth: 3,
  "ten-thousandth": 4,
  "ten thousandth": 4,
};

/** Decimals a question asks for: "to 4 decimal places", "two decimals", "to the nearest hundredth". */
export function decimalsAsked(question: string): number | undefined {
  const places = question.match(/\b(\d|one|two|three|four|five|six)\s+decimal(?:\s+places?|\s+digits?|s)\b/i);
  if (places) return NUMBER_WORDS[places[1]!.toLowerCase()] ?? Number(places[1]);
  const nearest = question.match(/\bnearest\s+(whole number|integer|ten[- ]thousandth|tenth|hundredth|thousandth|cent)\b/i);
  return nearest ? NEAREST[nearest[1]!.toLowerCase()] : undefined;
}

/** The tolerance for answers to a reference: its own stated precision, and the decimals the question asks for. */
export function toleranceFor(reference: string, decimals?: number): Tolerance {
  const lastDigit = statedLastDigit(reference);
  return { ...(lastDigit !== undefined ? { lastDigit } : {}), ...(decimals !== undefined ? { decimalsAsked: decimals } : {}) };
}

const roundTo = (value: number, decimals: number) => (Math.sign(value) * Math.round(Math.abs(value) * 10 ** decimals)) / 10 ** decimals;

/** Whether `value` is the same number as `reference` under `tolerance` (relative 1e-4 without one). */
export function closeTo(value: number, reference: number, tolerance: Tolerance = {}): boolean {
  if (value === reference) return true;
  if (!Number.isFinite(value) || !Number.isFinite(reference)) return false;
  const difference = Math.abs(value - reference);
  const relative = RELATIVE_TOLERANCE * Math.max(Math.abs(value), Math.abs(reference));
  // A hair over half a unit, so that a value exactly half a unit away is not lost to binary rounding.
  const allowed = tolerance.lastDigit === undefined ? relative : Math.min(relative, (tolerance.lastDigit / 2) * (1 + 1e-9));
  if (difference <= allowed) return true;
  if (tolerance.decimalsAsked === undefined) return false;
  const rounded = roundTo(reference, tolerance.decimalsAsked);
  return Math.abs(value - rounded) <= 1e-9 * Math.max(1, Math.abs(rounded));
}
