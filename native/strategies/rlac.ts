// RLAC as a test-time loop (Wu et al. 2025 train this adversarially; here the roles run at inference): the
// critic names the single most likely failure of the answer as one checkable claim, sampled with a seed of its
// own each pass (for code, a call and the value a correct function returns); a verifier checks only that claim
// (the sandbox runs the call; for other tasks a separate verifier call judges just that claim); a confirmed
// failure goes back to the actor with the evidence. Stops after m consecutive claims that do not hold up, or at
// the limit. A code claim on a call the task's examples show is checked against the task's expectation.
import type { ChatMessage } from "../protocol/events.ts";
import { latestScore, type RunNode } from "../protocol/state.ts";
import { extractCode } from "../grading/sandbox.ts";
import type { RunContext } from "./context.ts";
import { prompts, solverMessages } from "./prompts.ts";
import { codeSystem, verifyWithProgram } from "./verify.ts";
import { sampledJudge } from "./sampled-judge.ts";
import { exampleFor, examplesProgram, visibleExamples } from "./visible-examples.ts";
import { defineStrategy } from "./types.ts";
import { CRITIQUE_CHARS, strictObject } from "./verdicts.ts";
import { growingConversation, judging } from "./context-need.ts";

interface Claim {
  failure: string;
  /** Math: a checkable claim. */
  check?: string;
  /** Code: a call that shows the failure, and what a correct function returns (a Python expression). */
  call?: string;
  expected?: string;
}

const UNCHECKABLE = "CLAIM-UNCHECKABLE";

const prose = { type: "string", maxLength: CRITIQUE_CHARS.holistic };
/** A Python call or literal: room for a list or a string argument, still a fraction of a critique. */
const pythonExpression = { type: "string", maxLength: 600 };
export const claimSchemas = {
  math: strictObject({ failure: prose, check: prose }),
  code: strictObject({ failure: prose, call: pythonExpression, expected: pythonExpression }),
  verdict: strictObject({ evidence: prose, holds: { type: "boolean" } }),
};

/**
 * The program that checks a code claim. A call the task's own examples show is checked against the task's
 * expectation; otherwise against the critic's, which may itself be wrong — the verify node says which.
 */
export function claimProgram(code: string, claim: Claim, question: string): { program: string; note: string } {
  const example = exampleFor(claim.call ?? "", visibleExamples(question));
  if (example) return { program: examplesProgram(code, [example]), note: `expectation from the task's own example (>>> ${example.source} → ${example.want})` };
  const program = `${code}

try:
    __expected = eval(${JSON.stringify(claim.expected ?? "")})
    __checkable = True
except Exception as __error:
    print(f"${UNCHECKABLE}: the critic's expected value does not evaluate ({type(__error).__name__}: {__error})")
    __checkable = False
if __checkable:
    __call = ${JSON.stringify(claim.call ?? "")}
    __got = eval(__call)
    assert __got == __expected, f"{__call} returned {__got!r}; the critic expected {__expected!r}"
`;
  return { program, note: "expectation written by the critic, not taken from the task: a failed check may be the critic's mistake rather than a bug" };
}

async function checkClaim(
  ctx: RunContext,
  candidate: RunNode,
  claim: Claim | null,
  claimNodeId: string,
  iteration: number,
  timeoutMs: number,
): Promise<{ confirmed: boolean; evidence: string; nodeId: string }> {
  const code = ctx.task.tests !== undefined;
  if (!claim || (code && !claim.call?.trim())) {
    const node = ctx.addComputedNode({
      role: "verify",
      step: "claim-unreadable",
      iteration,
      parents: [candidate.id, claimNodeId],
      text: "the critic's claim could not be parsed; nothing to check",
      answer: null,
    });
    return { confirmed: false, evidence: "", nodeId: node.id };
  }
  if (code) {
    const { program, note } = claimProgram(extractCode(candidate.text), claim, ctx.task.question);
    const { node, result } = await verifyWithProgram(ctx, candidate, program, {
      iteration,
      step: "check-claim",
      timeoutMs,
      parents: [candidate.id, claimNodeId],
      note,
    });
    return { confirmed: !result.passed, evidence: result.output.trim().split("\n").slice(-8).join("\n"), nodeId: node.id };
  }
  const verdict = await ctx.judge<{ holds: boolean; evidence: string }>(candidate.id, {
    step: "check-claim",
    iteration,
    parents: [candidate.id, claimNodeId],
    user: `Problem:\n${ctx.task.question}\n\nSolution:\n${candidate.text}\n\nA critic claims this failure: ${claim.failure}\nCheck: ${claim.check}\n\nCheck only this claim. Does the failure really occur in the solution?`,
    schema: claimSchemas.verdict,
    lane: "verifier",
    toScore: (value, by) => ({
      value: value === null ? null : value.holds ? 0 : 1,
      verdict: value === null ? "unparseable" : value.holds ? "incorrect" : "unknown",
      source: "verifier",
      byNodeId: by,
    }),
  });
  return { confirmed: verdict.value?.holds === true, evidence: verdict.value?.evidence ?? "", nodeId: verdict.node.id };
}

function claimRequest(ctx: RunContext, candidate: RunNode, code: boolean) {
  if (!code) {
    return {
      user: `Problem:\n${ctx.task.question}\n\nSolution:\n${candidate.text}\n\nName the single most likely error in this solution in 'failure', and in 'check' state one specific, checkable claim (a step, a number, a condition) that shows it.`,
      schema: claimSchemas.math,
    };
  }
  return {
    user:
      `Task:\n${ctx.task.question}\n\nCandidate code:\n${candidate.text}\n\nName the single most likely failure of this code in 'failure'. ` +
      "In 'call' write one call of the function that shows it, and in 'expected' the value a correct function returns for that call, as a Python literal. " +
      "If one of the task's own examples shows the failure, use exactly its call.",
    schema: claimSchemas.code,
  };
}

export const rlac = defineStrategy({
  name: "rlac",
  title: "RLAC failure-mode critic + verifier",
  paper: "Wu et al. 2025, RLAC: Reinforcement Learning with Adversarial Critic (arXiv:2511.01758) — used here at test time",
  summary: "The critic names one checkable failure; a verifier checks only that; confirmed failures are fixed, until the critic's claims stop holding up.",
  params: [
    { name: "maxIterations", type: "integer", default: 4, min: 1, max: 16, description: "critic → verify rounds at most" },
    { name: "passesToStop", type: "integer", default: 2, min: 1, max: 8, description: "stop after this many consecutive unconfirmed claims (m)" },
    { name: "timeoutMs", type: "integer", default: 10000, min: 100, max: 120000, description: "sandbox limit per check (code tasks)" },
    {
      name: "claimTemperature",
      type: "number",
      default: 0.8,
      min: 0,
      max: 2,
      description: "sampling temperature of the critic's claims (each pass has its own seed)",
    },
  ],
  // The actor's conversation keeps every fix and every confirmed failure: the critic's claim and the verifier's
  // evidence, each within a critic answer. A check reads the answer and the claim.
  contextNeeded: (params, budgets) =>
    Math.max(growingConversation(budgets, params.maxIterations, 2 * budgets.critic.answer), judging(budgets, 1, budgets.critic.answer)),
  contextKnobs: ["maxIterations"],
  actorLanes: () => 1,
  async run(ctx, params) {
    const code = ctx.task.tests !== undefined;
    const conversation: ChatMessage[] = code
      ? [
          { role: "system", content: codeSystem },
          { role: "user", content: ctx.task.question },
        ]
      : solverMessages(ctx.task.question);
    let candidate =
      ctx.takeSeededDraft() ??
      (await ctx.generate({ role: "draft", step: "draft", iteration: 0, parents: [], model: "actor", messages: conversation, lane: "actor", extract: !code }));
    const pool = [candidate.id];
    let passes = 0;
    for (let iteration = 1; iteration <= params.maxIterations && passes < params.passesToStop && ctx.withinBudget(); iteration++) {
      // Sampled, each pass with its own seed: at temperature 0 an unchanged candidate would get the same claim again.
      const claim = await sampledJudge<Claim>(ctx, null, {
        step: "failure-mode",
        iteration,
        parents: [candidate.id],
        system: prompts.criticSystem,
        ...claimRequest(ctx, candidate, code),
        lane: "critic",
        temperature: params.claimTemperature,
        toScore: (_value, by) => ({ value: null, verdict: "unknown", source: "critic", byNodeId: by }),
      });
      const checked = await checkClaim(ctx, candidate, claim.value, claim.node.id, iteration, params.timeoutMs);
      if (!checked.confirmed) {
        passes++;
        continue;
      }
      passes = 0;
      conversation.push({ role: "assistant", content: candidate.text });
      const instruction = `A reviewer found this failure: ${claim.value?.failure}\nEvidence: ${checked.evidence || claim.value?.check || claim.value?.call}\n\n${code ? "Fix the function. Reply with the complete corrected function in one ```python code block." : prompts.refineWithFeedback.replace("Feedback on your previous answer:\n{feedback}\n\n", "")}`;
      candidate = await ctx.refine({
        candidateId: candidate.id,
        critiqueId: checked.nodeId,
        conversation: [...conversation],
        instruction,
        iteration,
        lane: "actor",
        step: "fix",
        extract: !code,
      });
      conversation.push({ role: "user", content: instruction });
      pool.push(candidate.id);
    }
    // The last candidate whose latest checked claim did not hold up; the draft stays a candidate.
    const survivor = [...pool].reverse().find((id) => latestScore(ctx.node(id), "verifier")?.verdict !== "incorrect");
    // Enough consecutive claims that did not hold up ends the loop (accepted); otherwise the iterations ran out.
    return { nodeId: survivor ?? pool.at(-1)!, stop: passes >= params.passesToStop ? "accepted" : "max-iterations" };
  },
});
