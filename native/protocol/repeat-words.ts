// How the CLI, the report and the compare view say what repeats found: whether a comparison's sign holds seed by
// seed, and which items are flaky. One wording, so the three places agree.
const signed = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}`;

/** "sign holds in every seed (+10.0, +5.0 pts)", "sign differs between seeds (+0.0, +66.7 pts)", or none at all. */
export function signWords({ differences, signHolds }: { differences: readonly number[]; signHolds: boolean }): string {
  if (differences.every((d) => Math.abs(d) < 1e-12)) return "no difference in any seed";
  return `${signHolds ? "sign holds in every seed" : "sign differs between seeds"} (${differences.map(signed).join(", ")} pts)`;
}

/** Ids shown before "…" where a list of flaky items is inline. */
const SHOWN = 20;

/** "2 of 30 items flaky (right in some seeds, wrong in others): a, b". */
export function flakyWords(flaky: readonly string[], items: number): string {
  const shown = flaky.slice(0, SHOWN).join(", ");
  return `${flaky.length} of ${items} items flaky (right in some seeds, wrong in others)${flaky.length ? `: ${shown}${flaky.length > SHOWN ? ", …" : ""}` : ""}`;
}
