// CYCLE (Ding et al. 2024): generate code, run the task's tests, feed the failing assertions and errors back,
// repeat until the tests pass or the limit. The code runs in the sandbox (own process, time and memory limits,
// no network, a temporary directory). HumanEval ships one test suite, so the same tests give feedback and
// decide correctness here: a departure from papers that hold tests out.
import type { ChatMessage } from "../protocol/events.ts";
import { latestScore } from "../protocol/state.ts";
import { codeSystem, requireTests, runTaskTests } from "./verify.ts";
import { int, type StrategyDefinition } from "./types.ts";

export const cycle: StrategyDefinition = {
  name: "cycle",
  title: "CYCLE (execution feedback)",
  paper: "Ding et al. 2024, CYCLE: Learning to Self-Refine the Code Generation (arXiv:2403.18746)",
  summary: "Write code, run the tests, feed failures back, repeat until they pass.",
  params: [
    { name: "maxIterations", type: "integer", default: 3, min: 0, max: 10, description: "repairs at most" },
    { name: "timeoutMs", type: "integer", default: 10000, min: 100, max: 120000, description: "wall-clock limit per test run" },
  ],
  actorLanes: () => 1,
  async run(ctx, params) {
    requireTests(ctx, "cycle");
    const conversation: ChatMessage[] = [
      { role: "system", content: codeSystem },
      { role: "user", content: ctx.task.question },
    ];
    let candidate = await ctx.generate({ role: "draft", step: "code", iteration: 0, parents: [], model: "actor", messages: conversation, lane: "coder", extract: false });
    const pool = [candidate.id];
    for (let iteration = 0; ; iteration++) {
      const { node, result } = await runTaskTests(ctx, candidate, iteration, int(params, "timeoutMs"));
      if (result.passed || iteration >= int(params, "maxIterations") || !ctx.withinBudget()) break;
      conversation.push({ role: "assistant", content: candidate.text });
      const instruction = `Running the tests failed:\n${result.output.trim().split("\n").slice(-15).join("\n")}\n\nFix the function. Reply with the complete corrected function in one \`\`\`python code block.`;
      candidate = await ctx.refine({ candidateId: candidate.id, critiqueId: node.id, conversation: [...conversation], instruction, iteration: iteration + 1, lane: "coder", step: "repair", extract: false });
      conversation.push({ role: "user", content: instruction });
      pool.push(candidate.id);
    }
    const passing = pool.find((id) => latestScore(ctx.node(id), "verifier")?.verdict === "correct");
    return { nodeId: passing ?? pool.at(-1)! };
  },
};
