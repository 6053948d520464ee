// Why a critic's verdict could not be read, in the user's words: a critique cut at its token budget reads as
// broken JSON, but the fix is a larger budget, not another critic.
import type { GenerateResult } from "../llm/backend.ts";

/**
 * The reason a verdict was unreadable, or undefined when it was read. `problem` is what reading it found: a
 * JSON parse error, or the schema field it lacks ("schema: …").
 */
export function unreadableReason(result: Pick<GenerateResult, "text" | "stopReason">, maxTokens: number, problem: string | null): string | undefined {
  if (problem === null) return undefined;
  if (result.stopReason === "maxTokens") return `cut at the budget: the critique reached its ${maxTokens} max tokens before the JSON closed`;
  if (!result.text.trim()) return "the critic wrote nothing";
  if (problem.startsWith("schema: ")) return `the JSON does not follow the schema: ${problem.slice("schema: ".length)}`;
  return `not JSON: ${problem}`;
}
