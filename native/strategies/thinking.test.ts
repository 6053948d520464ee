// Thinking nodes in a strategy's control flow (scripted "<think>…</think>" outputs): the answer is extracted
// from the answer alone, critiques judge the answer, and later turns carry the answer, never the thought.
import { test } from "node:test";
import assert from "node:assert/strict";
import { holistic, isCritique, scriptedRun } from "../../test/support/scripted-run.ts";

test("extraction ignores a trial answer inside the thought", async () => {
  const { nodes, state } = await scriptedRun({
    strategy: "single-pass",
    actor: () => "<think>Maybe 6 * 7 is 41. Final answer: 41. No, recheck.</think>6 * 7 = 42. Final answer: 42",
  });
  assert.equal(nodes[0]!.answer, "42");
  assert.match(nodes[0]!.thought, /Final answer: 41/);
  assert.ok(!nodes[0]!.text.includes("41"), "the answer text holds no thought");
  assert.equal(nodes[0]!.thoughtTokens, 11);
  assert.equal(state.answer, "42");
  assert.equal(state.correct, true);
});

test("Self-Refine: the critic sees the answer, the refinement's history carries answers, not thoughts", async () => {
  const { nodes, critic } = await scriptedRun({
    strategy: "self-refine",
    params: { maxIterations: 1, feedbackModel: "critic" },
    actor: (_request, call) =>
      call === 0 ? "<think>secret scratch work</think>It is 41. Final answer: 41" : "<think>fixing it</think>It is 42. Final answer: 42",
    critic: (request) => (isCritique(request) ? holistic(false, 3) : ""),
  });
  const critiquePrompt = critic.requests[0]!.messages.map((m) => m.content).join("\n");
  assert.match(critiquePrompt, /It is 41/);
  assert.doesNotMatch(critiquePrompt, /secret scratch work/);
  const refine = nodes.find((node) => node.role === "refine")!;
  assert.ok(refine.prompt!.some((m) => m.role === "assistant" && m.content === "It is 41. Final answer: 41"));
  assert.ok(!refine.prompt!.some((m) => m.content.includes("secret scratch work")));
  assert.equal(refine.answer, "42");
});
