// A critique node read as what it is: the verdict the engine took from it (the score it set on its candidate) and
// the critic's own words (its reasoning, each step's verdict and why), instead of the raw JSON it wrote.
import type { Score } from "../../native/protocol/events.ts";
import type { RunNode, RunState } from "../../native/protocol/state.ts";

export interface CritiqueReading {
  /** The score this critique set on its candidate; null when it set none (cut off, unreadable). */
  score: Score | null;
  candidateId: string | null;
  /** The critic's reasoning in words (critique, or a reward's analysis). */
  text: string | null;
  steps: Array<{ index: number; verdict: string; score: number | null; why: string }>;
}

function parsedObject(text: string): Record<string, unknown> | null {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) return null;
  try {
    const value = JSON.parse(text.slice(start, end + 1)) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** null for a node that is not a critique, or one with neither a score nor readable JSON (the raw text says more). */
export function readCritique(node: RunNode, run: RunState): CritiqueReading | null {
  if (node.role !== "critique") return null;
  let score: Score | null = null;
  let candidateId: string | null = null;
  for (const parent of node.parents) {
    const found = run.nodes[parent]?.scores.find((s) => s.byNodeId === node.id);
    if (found) {
      score = found;
      candidateId = parent;
    }
  }
  const parsed = parsedObject(node.text);
  if (!parsed && !score) return null;
  const words = [parsed?.critique, parsed?.analysis].find((value): value is string => typeof value === "string" && value.trim() !== "");
  const rawSteps = Array.isArray(parsed?.steps) ? (parsed.steps as Array<Record<string, unknown>>) : [];
  const steps = rawSteps.map((step, index) => ({
    index,
    verdict: typeof step?.verdict === "string" ? step.verdict : "?",
    score: typeof step?.score === "number" ? step.score : null,
    why: typeof step?.why === "string" ? step.why : "",
  }));
  return { score, candidateId, text: words ?? null, steps };
}
