// The text view of a run: the DAG as an indented tree along primary parents, extra parents named, scores
// and answers on each line, the selected path marked with '*'.
import { stopWords } from "../protocol/stop-reason.ts";
import { ancestorsOf, candidateCount, latestScore, scoreAuthor, type RunNode, type RunState } from "../protocol/state.ts";

/** The verdict first, then the score: "✗ 10/10 incorrect" is a wrong answer the critic rated highly. */
function verdictMark(verdict: string): string {
  return verdict === "incorrect" ? "✗ " : verdict === "correct" ? "✓ " : "";
}

function scoreLabel(state: RunState, node: RunNode): string {
  const parts: string[] = [];
  const critic = latestScore(node, "critic");
  if (critic) {
    const by = scoreAuthor(state, critic);
    // A search's reward is in its own units (MCTSr: −100…100), not a score out of 10 with no verdict.
    if (critic.reward !== undefined) parts.push(`${by} reward ${critic.reward} of −100…100`);
    else parts.push(critic.value === null ? `${by}: ${critic.verdict}` : `${by} ${verdictMark(critic.verdict)}${critic.value}/10 ${critic.verdict}`);
    if (critic.steps?.length) {
      parts.push(`steps ${critic.steps.map((s) => (s.verdict === "wrong" ? "✗" : "✓")).join("")}`);
      if (critic.firstErrorStep !== null && critic.firstErrorStep !== undefined) parts.push(`first error: step ${critic.firstErrorStep + 1}`);
    }
  }
  const vote = latestScore(node, "vote");
  if (vote?.value !== null && vote?.value !== undefined) parts.push(`votes ${Math.round(vote.value * 100)}%`);
  return parts.length ? ` [${parts.join("; ")}]` : "";
}

const oneLine = (text: string, width: number) => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
};

export function renderTree(state: RunState, options: { width?: number } = {}): string {
  const width = options.width ?? 72;
  const selected = state.selectedNodeId ? ancestorsOf(state, state.selectedNodeId) : new Set<string>();
  const lines: string[] = [];
  lines.push(`run ${state.runId} · ${state.strategy} · seed ${state.seed}`);
  lines.push(`task: ${oneLine(state.task?.question ?? "", width)}`);
  const visit = (id: string, depth: number) => {
    const node = state.nodes[id]!;
    const mark = selected.has(id) ? "*" : " ";
    const who = node.model ? ` (${node.model})` : "";
    const extra = node.parents.length > 1 ? ` ← also ${node.parents.slice(1).join(", ")}` : "";
    const status = node.status === "done" ? "" : ` {${node.status}}`;
    const answer = node.answer !== null ? ` → ${node.answer}${node.answerFallback ? ` (guessed: ${node.answerFallback})` : ""}` : "";
    lines.push(`${mark} ${"  ".repeat(depth)}${id} ${node.role}/${node.step} #${node.iteration}${who}${status}${scoreLabel(state, node)}${answer}${extra}`);
    if (node.thought || node.thoughtTokens > 0) {
      lines.push(
        `  ${"  ".repeat(depth)}   ▸ thought (${node.thoughtTokens} tokens${node.thoughtCut ? ", cut at the thinking budget" : ""}): ${oneLine(node.thought, width - 24)}`,
      );
    }
    lines.push(`  ${"  ".repeat(depth)}   ${oneLine(node.text, width)}${node.answerCut ? " ⟨answer cut at its budget⟩" : ""}`);
    if (node.model)
      lines.push(
        `  ${"  ".repeat(depth)}   tokens: prompt ${node.tokensEvaluated ?? node.tokensIn} evaluated + ${node.tokensReused} reused · thought ${node.thoughtTokens} · answer ${node.tokensOut - node.thoughtTokens}`,
      );
    for (const child of state.children[id] ?? []) {
      if (state.nodes[child]!.parents[0] === id) visit(child, depth + 1);
    }
  };
  for (const id of state.order) if (state.nodes[id]!.parents.length === 0) visit(id, 0);
  if (state.status === "finished") {
    const budgets = state.budgets!;
    const verdict = state.correct === null ? "" : state.correct ? " (correct)" : " (incorrect)";
    lines.push(`selected ${state.selectedNodeId}: ${state.answer ?? "(no answer extracted)"}${verdict}`);
    if (state.stopReason) lines.push(`stopped: ${stopWords(state.stopReason, candidateCount(state))}`);
    lines.push(`tokens: ${budgets.selectedPathTokens} along the critical path to the selected node, ${budgets.totalTokens} in all`);
    if (budgets.promptTokensEvaluated !== undefined) {
      lines.push(
        `  prompt ${budgets.promptTokensEvaluated} evaluated · ${budgets.promptTokensReused} reused (not charged) · thought ${budgets.thoughtTokens} · answer ${budgets.answerTokens}`,
      );
    }
  } else if (state.status === "cancelled") {
    lines.push(`run cancelled: ${state.failure?.reason ?? "by the user"}`);
  } else if (state.status === "failed") {
    lines.push(`run failed (${state.failure!.code}): ${state.failure!.reason}`);
  } else {
    lines.push("run incomplete: no run-finished event (still running, or the process stopped)");
  }
  return lines.join("\n");
}
