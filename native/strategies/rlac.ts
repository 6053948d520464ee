// RLAC as a test-time loop (Wu et al. 2025 train this adversarially; here the roles run at inference): the
// critic names the single most likely failure of the answer as one checkable claim (for code, one assert
// statement); a verifier checks only that claim (the sandbox runs the assert; for other tasks a separate
// verifier call judges just that claim); a confirmed failure goes back to the actor with the evidence. Stops
// after m consecutive claims that do not hold up, or at the limit.
import type { ChatMessage } from "../protocol/events.ts";
import { latestScore, type RunNode } from "../protocol/state.ts";
import { extractCode } from "../eval/sandbox.ts";
import type { RunContext } from "./context.ts";
import { prompts, solverMessages } from "./prompts.ts";
import { codeSystem, verifyWithProgram } from "./verify.ts";
import { int, type StrategyDefinition } from "./types.ts";

interface Claim {
  failure: string;
  check: string;
}

async function checkClaim(ctx: RunContext, candidate: RunNode, claim: Claim | null, claimNodeId: string, iteration: number, timeoutMs: number): Promise<{ confirmed: boolean; evidence: string; nodeId: string }> {
  if (!claim) {
    const node = ctx.addComputedNode({ role: "verify", step: "claim-unreadable", iteration, parents: [candidate.id, claimNodeId], text: "the critic's claim could not be parsed; nothing to check", answer: null });
    return { confirmed: false, evidence: "", nodeId: node.id };
  }
  if (ctx.task.tests) {
    // The claim's check is an assert that should hold for a correct function; it failing confirms the failure.
    const program = `${extractCode(candidate.text)}\n\n${claim.check}\n`;
    const { node, result } = await verifyWithProgram(ctx, candidate, program, { iteration, step: "check-claim", timeoutMs });
    return { confirmed: !result.passed, evidence: result.output.trim().split("\n").slice(-8).join("\n"), nodeId: node.id };
  }
  const verdict = await ctx.judge<{ holds: boolean; evidence: string }>(candidate.id, {
    step: "check-claim",
    iteration,
    parents: [candidate.id, claimNodeId],
    user: `Problem:\n${ctx.task.question}\n\nSolution:\n${candidate.text}\n\nA critic claims this failure: ${claim.failure}\nCheck: ${claim.check}\n\nCheck only this claim. Does the failure really occur in the solution?`,
    schema: { type: "object", properties: { evidence: { type: "string", maxLength: 300 }, holds: { type: "boolean" } } },
    lane: "verifier",
    toScore: (value, by) => ({ value: value === null ? null : value.holds ? 0 : 1, verdict: value === null ? "unparseable" : value.holds ? "incorrect" : "unknown", source: "verifier", byNodeId: by }),
  });
  return { confirmed: verdict.value?.holds === true, evidence: verdict.value?.evidence ?? "", nodeId: verdict.node.id };
}

export const rlac: StrategyDefinition = {
  name: "rlac",
  title: "RLAC failure-mode critic + verifier",
  paper: "Wu et al. 2025, RLAC: Reinforcement Learning with Adversarial Critic (arXiv:2511.01758) — used here at test time",
  summary: "The critic names one checkable failure; a verifier checks only that; confirmed failures are fixed, until the critic's claims stop holding up.",
  params: [
    { name: "maxIterations", type: "integer", default: 4, min: 1, max: 16, description: "critic → verify rounds at most" },
    { name: "passesToStop", type: "integer", default: 2, min: 1, max: 8, description: "stop after this many consecutive unconfirmed claims (m)" },
    { name: "timeoutMs", type: "integer", default: 10000, min: 100, max: 120000, description: "sandbox limit per check (code tasks)" },
  ],
  actorLanes: () => 1,
  async run(ctx, params) {
    const code = ctx.task.tests !== undefined;
    const conversation: ChatMessage[] = code ? [{ role: "system", content: codeSystem }, { role: "user", content: ctx.task.question }] : solverMessages(ctx.task.question);
    let candidate = await ctx.generate({ role: "draft", step: "draft", iteration: 0, parents: [], model: "actor", messages: conversation, lane: "actor", extract: !code });
    const pool = [candidate.id];
    let passes = 0;
    for (let iteration = 1; iteration <= int(params, "maxIterations") && passes < int(params, "passesToStop") && ctx.withinBudget(); iteration++) {
      const claim = await ctx.judge<Claim>(null, {
        step: "failure-mode",
        iteration,
        parents: [candidate.id],
        user: code
          ? `Task:\n${ctx.task.question}\n\nCandidate code:\n${candidate.text}\n\nName the single most likely failure of this code in 'failure', and in 'check' write one Python assert statement that passes only if the code does NOT have that failure.`
          : `Problem:\n${ctx.task.question}\n\nSolution:\n${candidate.text}\n\nName the single most likely error in this solution in 'failure', and in 'check' state one specific, checkable claim (a step, a number, a condition) that shows it.`,
        schema: { type: "object", properties: { failure: { type: "string", maxLength: 300 }, check: { type: "string", maxLength: 300 } } },
        lane: "critic",
        toScore: (_value, by) => ({ value: null, verdict: "unknown", source: "critic", byNodeId: by }),
      });
      const checked = await checkClaim(ctx, candidate, claim.value, claim.node.id, iteration, int(params, "timeoutMs"));
      if (!checked.confirmed) {
        passes++;
        continue;
      }
      passes = 0;
      conversation.push({ role: "assistant", content: candidate.text });
      const instruction = `A reviewer found this failure: ${claim.value?.failure}\nEvidence: ${checked.evidence || claim.value?.check}\n\n${code ? "Fix the function. Reply with the complete corrected function in one ```python code block." : prompts.refineWithFeedback.replace("Feedback on your previous answer:\n{feedback}\n\n", "")}`;
      candidate = await ctx.refine({ candidateId: candidate.id, critiqueId: checked.nodeId, conversation: [...conversation], instruction, iteration, lane: "actor", step: "fix", extract: !code });
      conversation.push({ role: "user", content: instruction });
      pool.push(candidate.id);
    }
    // The last candidate whose latest checked claim did not hold up; the draft stays a candidate.
    const survivor = [...pool].reverse().find((id) => latestScore(ctx.node(id), "verifier")?.verdict !== "incorrect");
    return { nodeId: survivor ?? pool.at(-1)! };
  },
};
