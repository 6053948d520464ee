// CYCLE (Ding et al. 2024): generate code, execute it, feed the failures back, repeat until it passes or the
// limit. The code runs in the sandbox (own process, time and memory limits, no network, a temporary directory).
// Feedback comes from the examples the prompt shows (HumanEval docstrings hold ">>>" examples); the hidden tests
// only grade the run. Feedback from the hidden tests themselves is an option, and such a run is an oracle (an
// upper bound, marked in the manifest): the tests that decide correctness also steered the repairs.
import type { ChatMessage } from "../protocol/events.ts";
import { latestScore, type RunNode } from "../protocol/state.ts";
import { extractCode } from "../grading/sandbox.ts";
import type { RunContext } from "./context.ts";
import { codeSystem, requireTests, runTaskTests, verifyWithProgram } from "./verify.ts";
import { examplesProgram, visibleExamples } from "./visible-examples.ts";
import { defineStrategy } from "./types.ts";
import { growingConversation } from "./context-need.ts";

/** The last 15 lines of a failed run as the coder reads them: about 25 tokens a line. */
const SANDBOX_REPORT_TOKENS = 400;

type Feedback = "examples" | "tests";

async function execute(ctx: RunContext, candidate: RunNode, iteration: number, timeoutMs: number, feedback: Feedback) {
  if (feedback === "tests") return runTaskTests(ctx, candidate, iteration, timeoutMs);
  const examples = visibleExamples(ctx.task.question);
  return verifyWithProgram(ctx, candidate, examplesProgram(extractCode(candidate.text), examples), {
    iteration,
    step: "examples",
    timeoutMs,
    note: `the ${examples.length} example${examples.length === 1 ? "" : "s"} shown in the prompt (the hidden tests only grade the run)`,
  });
}

export const cycle = defineStrategy({
  name: "cycle",
  title: "CYCLE (execution feedback)",
  paper: "Ding et al. 2024, CYCLE: Learning to Self-Refine the Code Generation (arXiv:2403.18746)",
  summary: "Write code, run it on the prompt's examples, feed failures back, repeat until they pass; the hidden tests grade.",
  params: [
    { name: "maxIterations", type: "integer", default: 3, min: 0, max: 10, description: "repairs at most" },
    { name: "timeoutMs", type: "integer", default: 10000, min: 100, max: 120000, description: "wall-clock limit per run of the code" },
    {
      name: "feedback",
      type: "string",
      default: "examples",
      choices: ["examples", "tests"],
      description: "what the code is run against for feedback: the prompt's examples, or the hidden grading tests (an oracle upper bound)",
    },
  ],
  // The coder's conversation keeps every version and every failure report (the last 15 lines of output).
  contextNeeded: (params, budgets) => growingConversation(budgets, params.maxIterations, SANDBOX_REPORT_TOKENS),
  contextKnobs: ["maxIterations"],
  actorLanes: () => 1,
  usesOracle: (params) => params.feedback === "tests",
  async run(ctx, params) {
    requireTests(ctx, "cycle");
    const feedback = params.feedback as Feedback;
    const conversation: ChatMessage[] = [
      { role: "system", content: codeSystem },
      { role: "user", content: ctx.task.question },
    ];
    let candidate =
      ctx.takeSeededDraft() ??
      (await ctx.generate({ role: "draft", step: "code", iteration: 0, parents: [], model: "actor", messages: conversation, lane: "coder", extract: false }));
    if (feedback === "examples" && visibleExamples(ctx.task.question).length === 0) {
      ctx.addComputedNode({
        role: "verify",
        step: "examples",
        iteration: 0,
        parents: [candidate.id],
        text: "the prompt shows no >>> examples: no feedback to repair with (the hidden tests only grade the run)",
        answer: null,
      });
      return { nodeId: candidate.id };
    }
    const pool = [candidate.id];
    let stop: "accepted" | "max-iterations" | undefined;
    for (let iteration = 0; ; iteration++) {
      const { node, result } = await execute(ctx, candidate, iteration, params.timeoutMs, feedback);
      if (result.passed) stop = "accepted";
      else if (iteration >= params.maxIterations) stop = "max-iterations";
      if (stop || !ctx.withinBudget()) break;
      conversation.push({ role: "assistant", content: candidate.text });
      const what = feedback === "tests" ? "Running the tests failed" : "Running the examples from the task failed";
      const instruction = `${what}:\n${result.output.trim().split("\n").slice(-15).join("\n")}\n\nFix the function. Reply with the complete corrected function in one \`\`\`python code block.`;
      candidate = await ctx.refine({
        candidateId: candidate.id,
        critiqueId: node.id,
        conversation: [...conversation],
        instruction,
        iteration: iteration + 1,
        lane: "coder",
        step: "repair",
        extract: false,
      });
      conversation.push({ role: "user", content: instruction });
      pool.push(candidate.id);
    }
    // The first candidate that passed what it was run against; otherwise the last repair (CYCLE's output).
    const passing = pool.find((id) => latestScore(ctx.node(id), "verifier")?.verdict === "correct");
    return { nodeId: passing ?? pool.at(-1)!, ...(stop ? { stop } : {}) };
  },
});
