// verify: checks a candidate with something other than a model — the task's tests in the sandbox — and
// records the result as a verify node and a verifier score on the candidate.
import { codeOfReply } from "../grading/checkers.ts";
import { runPython, testProgram, type SandboxResult } from "../grading/sandbox.ts";
import type { RunNode } from "../protocol/state.ts";
import type { RunContext } from "./context.ts";

export function requireTests(ctx: RunContext, strategy: string) {
  const tests = ctx.task.tests;
  if (!tests) throw new Error(`${strategy} needs a code task with tests (e.g. a HumanEval item: --dataset humaneval.jsonl)`);
  return tests;
}

export async function verifyWithProgram(
  ctx: RunContext,
  candidate: RunNode,
  program: string,
  options: { iteration: number; step: string; timeoutMs: number; parents?: string[]; note?: string },
): Promise<{ node: RunNode; result: SandboxResult }> {
  const result = await runPython(program, { timeoutMs: options.timeoutMs });
  const text = `${result.passed ? "passed" : `failed (${result.outcome})`} in ${result.wallMs} ms · isolation: ${result.isolation}\n${options.note ? `${options.note}\n` : ""}${result.output.trim().split("\n").slice(-12).join("\n")}`;
  const node = ctx.addComputedNode({
    role: "verify",
    step: options.step,
    iteration: options.iteration,
    parents: options.parents ?? [candidate.id],
    text,
    answer: null,
  });
  ctx.setScore(candidate.id, { value: result.passed ? 1 : 0, verdict: result.passed ? "correct" : "incorrect", source: "verifier", byNodeId: node.id });
  return { node, result };
}

export function runTaskTests(ctx: RunContext, candidate: RunNode, iteration: number, timeoutMs: number) {
  const tests = ctx.task.tests!;
  return verifyWithProgram(ctx, candidate, testProgram(codeOfReply(ctx.task, candidate.text), tests), { iteration, step: "tests", timeoutMs });
}

export const codeSystem =
  "You are an expert Python programmer. Complete the function so that it is correct. Reply with the complete function (and any imports it needs) in one ```python code block.";
