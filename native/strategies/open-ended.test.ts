// The open-ended strategies' decisions on scripted models: checklist-refine's feedback (none, a seeded share of
// the failed criteria, all of them), who stops it (the checklist only when guided; the model itself when not), and
// its oracle marking; progressive refinement's rounds without a critic; keep-if-better keeping a revision only when
// its score rises.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { GenerateRequest } from "../llm/backend.ts";
import type { Task } from "../protocol/events.ts";
import { holistic, isCritique, lastUser, scriptedRun } from "../../test/support/scripted-run.ts";
import { partialFeedback } from "./checklist-refine.ts";

const task: Task = { question: "Write a short note on tides.", checklist: ["mentions the moon", "mentions the sun", "mentions gravity", "is polite"] };
const criteriaOf = (r: GenerateRequest) => [...lastUser(r).matchAll(/^\d+\. (.*)$/gm)].map((m) => m[1]!);
const isSelfCheck = (r: GenerateRequest) => /still needs revising/.test(lastUser(r));
/** The evaluator passes a criterion when the answer names its last word ("moon", "sun", …). */
const evaluator = (r: GenerateRequest) => {
  const answer = /\[The Start of the Response\]\n([\s\S]*?)\n\[The End of the Response\]/.exec(lastUser(r))![1]!;
  return JSON.stringify({ criteria: criteriaOf(r).map((c) => ({ reasoning: "read", satisfied: answer.includes(c.split(" ").at(-1)!) ? "yes" : "no" })) });
};
/** The actor adds whatever the feedback asks for; without feedback it adds nothing new. */
const actor = (r: GenerateRequest) => {
  if (isSelfCheck(r)) return JSON.stringify({ reasoning: "looks done", revise: "no" });
  const asked = [...lastUser(r).matchAll(/^- .* (\w+)$/gm)].map((m) => m[1]!);
  const before = r.messages.filter((m) => m.role === "assistant").at(-1)?.content ?? "Tides: moon";
  return [before, ...asked].join(" ");
};

test("checklist-refine with full feedback passes the failed criteria and stops once all pass; it is an oracle", async () => {
  const run = await scriptedRun({ strategy: "checklist-refine", params: { feedback: "full" }, task, actor, critic: evaluator });
  const answers = run.nodes.filter((n) => n.role === "draft" || n.role === "refine");
  assert.deepEqual(
    answers.map((n) => n.text),
    ["Tides: moon", "Tides: moon sun gravity polite"],
  );
  // The draft scores 1 of 4 (2.5 on 0–10); the revision 4 of 4.
  assert.deepEqual(
    answers.map((n) => n.scores.at(-1)?.value),
    [2.5, 10],
  );
  const revise = run.actor.requests.find((r) => /does not yet meet/.test(lastUser(r)))!;
  assert.match(lastUser(revise), /- mentions the sun\n- mentions gravity\n- is polite/);
  assert.equal(run.state.stopReason, "accepted");
  assert.equal(JSON.parse(readFileSync(run.manifestPath, "utf8")).oracle, true);
});

test("checklist-refine with partial feedback gives a seeded share of the failed criteria, at least one", async () => {
  assert.deepEqual(partialFeedback(["a", "b", "c", "d"], 0.5, 3).length, 2);
  assert.deepEqual(partialFeedback(["a", "b", "c"], 0, 3).length, 1);
  assert.deepEqual(partialFeedback(["a", "b", "c", "d"], 0.5, 3), partialFeedback(["a", "b", "c", "d"], 0.5, 3), "same seed, same subset");
  const subsets = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => partialFeedback(["a", "b", "c", "d"], 0.5, seed).join()));
  assert.ok(subsets.size > 1, "seeds draw different subsets");
  const run = await scriptedRun({
    strategy: "checklist-refine",
    params: { feedback: "partial", partialShare: 0.3, turns: 2 },
    task,
    actor,
    critic: evaluator,
  });
  const first = run.actor.requests.find((r) => /does not yet meet/.test(lastUser(r)))!;
  // Three criteria failed; 30% of them, rounded up, is one.
  assert.equal((lastUser(first).match(/^- /gm) ?? []).length, 1);
});

test("checklist-refine without feedback: the model is told nothing, stops on its own word, and is not an oracle", async () => {
  const run = await scriptedRun({ strategy: "checklist-refine", params: { feedback: "none" }, task, actor, critic: evaluator });
  assert.equal(run.actor.requests.filter(isSelfCheck).length, 1);
  assert.equal(run.nodes.filter((n) => n.role === "refine").length, 0, "it said it was done");
  assert.notEqual(JSON.parse(readFileSync(run.manifestPath, "utf8")).oracle, true);

  // Without selfStop it refines every turn with the generic prompt, never with the criteria, even once all pass.
  const allPass = await scriptedRun({
    strategy: "checklist-refine",
    params: { feedback: "none", selfStop: false, turns: 2 },
    task,
    actor: () => "moon sun gravity polite",
    critic: evaluator,
  });
  const refines = allPass.nodes.filter((n) => n.role === "refine");
  assert.equal(refines.length, 2, "the grader's verdict does not stop a self-refining run");
  assert.ok(allPass.actor.requests.every((r) => !/mentions/.test(lastUser(r))));
  assert.equal(allPass.state.stopReason, "max-iterations");
  await assert.rejects(
    scriptedRun({ strategy: "checklist-refine", task: { question: "q" }, actor, critic: evaluator }).then((r) => {
      if (r.state.failure) throw new Error(r.state.failure.reason);
    }),
    /needs items with a checklist/,
  );
});

test("progressive-refine runs its rounds with the generic prompt and no critic; the last round is the answer", async () => {
  let n = 0;
  const run = await scriptedRun({
    strategy: "progressive-refine",
    params: { rounds: 3 },
    actor: () => `version ${n++}`,
    critic: () => assert.fail("no critic"),
  });
  assert.deepEqual(
    run.nodes.map((n) => [n.role, n.text]),
    [
      ["draft", "version 0"],
      ["refine", "version 1"],
      ["refine", "version 2"],
      ["refine", "version 3"],
    ],
  );
  assert.equal(run.state.selectedNodeId, run.nodes.at(-1)!.id);
  // Each round continues the conversation: the third improvement sees all three earlier answers.
  assert.equal(run.actor.requests[3]!.messages.filter((m) => m.role === "assistant").length, 3);
});

test("keep-if-better keeps a revision only when its score rises, prunes the others, and returns the last kept", async () => {
  // Draft scored 5; revisions score 4 (pruned), 7 (kept), 7 (not higher: pruned).
  const scores = [5, 4, 7, 7];
  let critiques = 0;
  let drafts = 0;
  const run = await scriptedRun({
    strategy: "keep-if-better",
    params: { rounds: 3 },
    actor: (r) => (isCritique(r) ? holistic(false, 1) : `answer ${drafts++}`),
    critic: () => holistic(false, scores[critiques++]!),
  });
  const candidates = run.nodes.filter((n) => n.role === "draft" || n.role === "refine");
  assert.deepEqual(
    candidates.map((n) => [n.text, n.pruned !== undefined]),
    [
      ["answer 0", false],
      ["answer 1", true],
      ["answer 2", false],
      ["answer 3", true],
    ],
  );
  assert.equal(run.state.selectedNodeId, candidates[2]!.id);
  // The third revision revises the kept answer 2, not the pruned one.
  assert.match(run.actor.requests[3]!.messages.find((m) => m.role === "assistant")!.content, /answer 2/);
  assert.match(candidates[3]!.pruned!, /did not rise above 7/);
});
