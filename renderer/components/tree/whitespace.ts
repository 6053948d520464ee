// A node that wrote only spaces and newlines would show as an empty card, as if nothing had come: say what came.
import type { RunNode } from "../../../native/protocol/state.ts";

/** "(48 tokens, whitespace only)" for a finished node whose answer is blank but not empty; null otherwise. */
export function whitespaceOnlyNote(node: Pick<RunNode, "status" | "text" | "tokensOut" | "thoughtTokens">): string | null {
  if (node.status === "running" || node.text.trim() !== "") return null;
  const tokens = node.tokensOut - node.thoughtTokens;
  if (node.text === "" && tokens <= 0) return null;
  return `(${tokens} token${tokens === 1 ? "" : "s"}, whitespace only)`;
}
