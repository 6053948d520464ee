// SPARK's meta-critique as a critic switch: the critic's second turn holds its own verdict and the request to
// review it; a readable revision becomes the verdict the strategy acts on (here: critic-guided stops instead of
// revising), an unreadable one leaves the first verdict in force. critic-eval's ProcessBench and RealCritic use
// the same turn.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ScriptedBackend } from "../llm/scripted-backend.ts";
import { evaluateProcessBench, evaluateRealCritic } from "../eval/critic-eval.ts";
import { holistic, scriptedRun, stepwise } from "../../test/support/scripted-run.ts";
import { metaCritiquePrompt } from "./meta-critique.ts";

const solution = "6 * 7 = 40.\nThe answer is 40";
const firstVerdict = holistic(false, 3, "Step 1 is wrong.");

const run = (metaCritique: boolean, revision: string) =>
  scriptedRun({
    strategy: "critic-guided",
    params: { revisions: 1 },
    actor: () => solution,
    critic: (_request, call) => (call % 2 === 0 ? firstVerdict : revision),
    criticSettings: { metaCritique },
  });

test("meta-critique: the critic reviews its verdict in a second turn and the strategy acts on the revision", async () => {
  const result = await run(true, holistic(true, 9, "On a second reading the solution holds."));
  const [first, review] = result.critic.requests;
  assert.equal(review!.messages.length, 4, "system, the critique's request, the critic's verdict, the review request");
  assert.deepEqual(review!.messages.slice(0, 2), first!.messages);
  assert.deepEqual(review!.messages[2], { role: "assistant", content: firstVerdict });
  assert.deepEqual(review!.messages[3], { role: "user", content: metaCritiquePrompt });
  assert.deepEqual(review!.jsonSchema, first!.jsonSchema, "the revision answers in the same schema");
  const meta = result.nodes.find((n) => n.step === "meta-critique")!;
  assert.deepEqual(meta.parents, [result.nodes.find((n) => n.step === "critique")!.id], "the review hangs under the verdict it reviews");
  const draft = result.nodes.find((n) => n.role === "draft")!;
  const score = draft.scores.at(-1)!;
  assert.deepEqual([score.value, score.verdict, score.byNodeId], [9, "correct", meta.id]);
  assert.equal(result.actor.requests.length, 1, "the revised verdict accepts the draft: no revision");
});

test("meta-critique: without it, or with an unreadable revision, the first verdict stands and the actor revises", async () => {
  const without = await run(false, holistic(true, 9));
  assert.equal(without.critic.requests[0]!.messages.length, 2);
  assert.ok(!without.nodes.some((n) => n.step === "meta-critique"));
  assert.equal(without.actor.requests.length, 2);

  const unreadable = await run(true, "{not json");
  const draft = unreadable.nodes.find((n) => n.role === "draft")!;
  const critique = unreadable.nodes.find((n) => n.step === "critique")!;
  assert.equal(draft.scores.find((s) => s.source === "critic")!.byNodeId, critique.id, "the first verdict scores the draft");
  assert.equal(unreadable.actor.requests.length, 2, "the first verdict (wrong) sends the draft back for a revision");
});

test("critic-eval with meta-critique: ProcessBench reads the revised first error and counts both turns' tokens; RealCritic keeps a revised 'correct'", async () => {
  const items = [{ id: "a", problem: "p", steps: ["s1", "s2"], label: -1 }];
  const critic = new ScriptedBackend((request) =>
    request.messages.length === 2 ? stepwise(["wrong", "correct"], false, 2) : stepwise(["correct", "correct"], true, 9),
  );
  const plain = await evaluateProcessBench(items, new ScriptedBackend(() => stepwise(["wrong", "correct"], false, 2)), { temperature: 0, maxTokens: 400 });
  const revised = await evaluateProcessBench(items, critic, { temperature: 0, maxTokens: 400 }, 0, { metaCritique: true });
  assert.deepEqual([plain.rows[0]!.predicted, revised.rows[0]!.predicted], [0, -1]);
  assert.equal(critic.requests.length, 2);
  assert.equal(critic.requests[1]!.messages[3]!.content, metaCritiquePrompt);

  const realCritic = new ScriptedBackend((request) =>
    request.messages.length === 2
      ? JSON.stringify({ critique: "wrong", correct: false, correctedAnswer: "41", score: 2 })
      : JSON.stringify({ critique: "it holds", correct: true, correctedAnswer: "42", score: 9 }),
  );
  const item = { question: "What is 6 * 7?", solution: "The answer is 42", solutionAnswer: "42", reference: "42" };
  const result = await evaluateRealCritic([item], realCritic, { temperature: 0, maxTokens: 400 }, { metaCritique: true });
  const { before, after, verdictCorrect, finalAnswer, critique } = result.rows[0]!;
  assert.deepEqual({ before, after, verdictCorrect, finalAnswer }, { before: true, after: true, verdictCorrect: true, finalAnswer: "42" });
  // The row keeps the review that decided, not the first verdict it overturned.
  assert.equal(JSON.parse(critique!.text).correct, true);
});
