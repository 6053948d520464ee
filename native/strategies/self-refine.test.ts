// Self-Refine's own feedback (madaan/self-refine: data/prompt/gsm/feedback.txt, src/gsm/run.py): the feedback
// model answers the repo's few-shot feedback prompt with its own sampling, "it is correct" stops the loop, and
// the last answer is the output.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { GenerateRequest } from "../llm/backend.ts";
import { lastUser, scriptedRun } from "../../test/support/scripted-run.ts";

const answer = (n: number) => `Step 1: read.\nStep 2: compute 6 * 7.\nThe answer is ${n}`;
const isFeedback = (r: GenerateRequest) => /# Let us go through the error and check step-by-step$/.test(lastUser(r));

test("Self-Refine (actor feedback): the paper's few-shot prompt, the actor's own sampling, stop on 'it is correct', the last answer", async () => {
  let feedbacks = 0;
  const run = await scriptedRun({
    strategy: "self-refine",
    actor: (r) => {
      if (!isFeedback(r)) return answer(r.messages.length > 2 ? 42 : 41);
      return feedbacks++ === 0
        ? "Step 2: compute 6 * 7.\n# wrong! 6 * 7 is 42, not 41.\n\n### END ###\n\nQuestion: an invented next example"
        : "Step 2: compute 6 * 7.\n# looks good\n\nThere is no error in the solution! It is correct!";
    },
    critic: () => {
      throw new Error("the critic is not involved when the actor writes the feedback");
    },
  });
  const feedback = run.actor.requests.filter(isFeedback);
  assert.equal(feedback.length, 2, "draft → feedback → refine → feedback (it is correct) → stop");
  assert.equal(run.actor.requests.length, 4);
  for (const request of feedback) {
    assert.equal(request.jsonSchema, undefined, "free-text feedback, as in the paper");
    assert.equal(request.temperature, 0.7, "the actor's own temperature, not the critic's 0");
    assert.equal(request.maxTokens, 512, "the actor's own token limit");
    assert.equal(request.messages.length, 1, "no critic system prompt");
    assert.match(
      lastUser(request),
      /^Question: Kelly is grocery shopping[\s\S]*### END ###[\s\S]*Twenty dozen cups cost \$1200 less[\s\S]*### END ###[\s\S]*It is correct![\s\S]*### END ###[\s\S]*Milo is making a mosaic[\s\S]*### END ###/,
      "the repo's four examples, in its order",
    );
  }
  assert.equal(run.actor.requests[0]!.temperature, 0, "a greedy draft, as the repo's task_init at run.py's default temperature");
  assert.match(
    lastUser(feedback[0]!),
    /Question: What is 6 \* 7\?\nSolution:\nStep 1: read\.\nStep 2: compute 6 \* 7\.\nThe answer is 41\n\n# There is an error in the solution above/,
  );
  const refine = run.actor.requests[2]!;
  assert.match(lastUser(refine), /Feedback on your previous answer:\nStep 2: compute 6 \* 7\.\n# wrong! 6 \* 7 is 42, not 41\.\n\nUsing this feedback/);
  assert.doesNotMatch(lastUser(refine), /invented next example/, "feedback is cut at the example separator, like the repo's stop token");
  const feedbackNodes = run.nodes.filter((n) => n.step === "feedback");
  assert.ok(
    feedbackNodes.every((n) => n.model === "actor"),
    "the node names the model that wrote it",
  );
  assert.equal(run.state.answer, "42");
  assert.equal(run.nodes.at(-1)!.step, "last-answer");
});

test("Self-Refine (paper format) returns the last refinement when the iterations run out, not a best-scored one", async () => {
  let drafts = 0;
  const run = await scriptedRun({
    strategy: "self-refine",
    params: { maxIterations: 2 },
    actor: (r) => (isFeedback(r) ? "# wrong! recheck." : answer(++drafts)),
  });
  assert.equal(run.actor.requests.length, 3 + 2, "3 answers, 2 feedbacks: the last refinement gets none, as in run.py");
  assert.deepEqual(
    run.nodes.filter((n) => n.model === "actor").map((n) => n.step),
    ["draft", "feedback", "refine", "feedback", "refine"],
  );
  assert.equal(run.state.answer, "3");
});

test("Self-Refine with the critic writing the paper's feedback uses the critic's own sampling and names it", async () => {
  const run = await scriptedRun({
    strategy: "self-refine",
    params: { feedbackModel: "critic" },
    actor: () => answer(42),
    critic: () => "# looks good\nIt is correct!",
  });
  const [request] = run.critic.requests;
  assert.ok(isFeedback(request!));
  assert.equal(request!.temperature, 0);
  assert.equal(run.nodes.find((n) => n.step === "feedback")!.model, "critic");
  assert.equal(run.actor.requests.length, 1);
});
