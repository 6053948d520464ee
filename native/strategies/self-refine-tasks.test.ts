// Self-Refine's task-specific prompts (madaan/self-refine src/<task>/): which prompt each task shows, the history
// its refine prompt carries, the stop rule of each task's run.py, and what each returns.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { GenerateRequest } from "../llm/backend.ts";
import type { Task } from "../protocol/events.ts";
import { lastUser, scriptedRun } from "../../test/support/scripted-run.ts";
import { totalScore } from "./self-refine-tasks.ts";

const stepOf = (r: GenerateRequest) => {
  const user = lastUser(r);
  if (/Now fix the code\.\n$/.test(user)) return "refine";
  if (/^I have some code\./.test(user)) return "feedback";
  if (/Scores:\n\n$|missing from the sentence\?\n\n$|\n\nFeedback:$/.test(user)) return "feedback";
  if (/Okay, let's use this feedback|Okay, impove the sentence|Okay, let's try again/.test(user)) return "refine";
  return "draft";
};

/** An actor that drafts and refines "answer 0", "answer 1", … and gives the k-th feedback `feedbacks[k]`. */
function actor(feedbacks: string[]) {
  let answers = 0;
  let k = 0;
  const requests: Array<{ step: string; user: string }> = [];
  const script = (r: GenerateRequest) => {
    const step = stepOf(r);
    requests.push({ step, user: lastUser(r) });
    return step === "feedback" ? feedbacks[k++]! : `answer ${answers++}`;
  };
  return { script, requests };
}

const acronymScores = (total: number) =>
  `* Ease of pronunciation: ok 3/5\n* Ease of spelling: ok 3/5\n* Relation to title: ok 3/5\n* Positive connotation: ok 3/5\n* Well-known: ok 3/5\n\n* Total score: ${total}/25`;

test("acronym: the repo's scored-acronym prompts, every answer scored, no early stop, the best total score returned", async () => {
  const { script, requests } = actor([acronymScores(10), acronymScores(25), acronymScores(12)]);
  const run = await scriptedRun({
    strategy: "self-refine",
    params: { task: "acronym", maxIterations: 2 },
    task: { question: "Learning to Refine with Self-Feedback" },
    actor: script,
  });
  assert.deepEqual(
    requests.map((r) => r.step),
    ["draft", "feedback", "refine", "feedback", "refine", "feedback"],
    "a perfect 25/25 does not stop the loop (run.py always runs out its attempts), and the last answer is scored too",
  );
  assert.match(
    requests[0]!.user,
    /Title: Bidirectional Encoder Representations from Transformers\n\nAcronym: BERT\n\n###\n\nTitle: Learning to Refine with Self-Feedback\n\nAcronym:$/,
  );
  const feedback = requests[1]!.user;
  assert.match(feedback, /^Title: Sequence to Sequence Learning with Neural Networks\n\nAcronym: STSLWN\n\nScores:/);
  assert.match(feedback, /Title: Learning to Refine with Self-Feedback\n\nAcronym: answer 0\n\nScores:\n\n$/);
  assert.doesNotMatch(feedback, /Kelly is grocery shopping/, "not the GSM8K prompt");
  // The second refinement shows both earlier acronyms with their scores, as task_iterate.py's history.
  const refine = requests[4]!.user;
  assert.match(refine, /^We want to iteratively improve acronyms\./);
  assert.match(
    refine,
    /Acronym: answer 0\n\nScores:\n\n[\s\S]*Total score: 10\/25\n\nOkay, let's use this feedback to improve the acronym\.\n\nTitle: Learning to Refine with Self-Feedback\n\nAcronym: answer 1\n\nScores:[\s\S]*Total score: 25\/25/,
  );
  assert.ok(
    run.actor.requests.every((r) => r.stop?.includes("###")),
    "every call stops at the repo's example separator",
  );
  assert.equal(run.nodes.find((n) => n.id === run.state.selectedNodeId)!.text, "answer 1", "25/25 beats 10 and 12");
  assert.equal(run.state.stopReason, "max-iterations");
});

test("dialogue: the FED-scored response prompts over the item's conversation; an unreadable total ranks last", async () => {
  const { script, requests } = actor(["* Relevant: 2/3\n* Total score: 20/30", "no scores at all"]);
  const run = await scriptedRun({
    strategy: "self-refine",
    params: { task: "dialogue", maxIterations: 1 },
    task: { question: "Hi!\nHello there.\nWhat should I cook tonight?" },
    actor: script,
  });
  assert.match(requests[1]!.user, /^Conversation history: \n\nHi!\nHi there\.\nWhat are you listening to\?/);
  assert.match(requests[1]!.user, /\* Total score: 17\/30[\s\S]*\* Total score: 24\/30/, "the repo's example chain, scored upward");
  assert.match(requests[1]!.user, /Conversation history: \n\nHi!\nHello there\.\nWhat should I cook tonight\?\n\nResponse: answer 0\n\nScores:\n\n$/);
  assert.match(requests[2]!.user, /^We want to iteratively improve the provided responses\./);
  assert.match(
    requests[2]!.user,
    /Response: answer 0\n\nScores:\n\n\* Relevant: 2\/3\n\* Total score: 20\/30\n\nOkay, let's use this feedback to improve the response\.\n\nConversation history: [\s\S]*\n\nResponse:$/,
  );
  assert.equal(run.nodes.find((n) => n.id === run.state.selectedNodeId)!.text, "answer 0");
});

test("commongen: stops when both the concept and the commonsense feedback say none, and returns the last sentence", async () => {
  const { script, requests } = actor(["Concept Feedback: sit\nCommonsense Feedback: None", "Concept Feedback: None\nCommonsense Feedback: NONE"]);
  const task: Task = { question: "dog, frisbee, catch, throw", selfRefine: { task: "commongen", concepts: ["dog", "frisbee", "catch", "throw"] } };
  const run = await scriptedRun({ strategy: "self-refine", params: { task: "commongen" }, task, actor: script });
  assert.deepEqual(
    requests.map((r) => r.step),
    ["draft", "feedback", "refine", "feedback"],
  );
  assert.match(
    requests[1]!.user,
    /Concepts: \['dog', 'frisbee', 'catch', 'throw'\]\nSentence: answer 0\nwhat concepts from the concept list are missing from the sentence\?\n\n$/,
  );
  assert.match(requests[2]!.user, /^Concepts: \['beat', 'drum', 'pen', 'sit', 'use'\]/);
  assert.match(
    requests[2]!.user,
    /Sentence: answer 0\n\nwhat concepts[\s\S]*Concept Feedback: sit\n\nAny feedback on commonsense\?\n\nCommonsense Feedback: None\n\nOkay, impove the sentence using the feedback:\n\nSentence:$/,
  );
  assert.equal(run.state.stopReason, "accepted");
  assert.equal(run.nodes.find((n) => n.id === run.state.selectedNodeId)!.text, "answer 1");
});

test("commongen: one feedback still naming a concept does not stop", async () => {
  const { script, requests } = actor([
    "Concept Feedback: None\nCommonsense Feedback: The dog cannot throw.",
    "Concept Feedback: None\nCommonsense Feedback: None",
  ]);
  await scriptedRun({ strategy: "self-refine", params: { task: "commongen", maxIterations: 3 }, task: { question: "dog, frisbee" }, actor: script });
  assert.equal(requests.filter((r) => r.step === "feedback").length, 2);
});

test("sentiment: the repo's 'Why is this review not …?' feedback toward the item's target, no early stop, the last rewrite", async () => {
  const { script, requests } = actor(["Still mild. Try again!", "Try again!"]);
  const task: Task = {
    question: "The soup was cold.",
    selfRefine: { task: "sentiment", input: "The soup was cold.", sourceSentiment: "Negative", targetSentiment: "Very positive" },
  };
  const run = await scriptedRun({ strategy: "self-refine", params: { task: "sentiment", maxIterations: 2 }, task, actor: script });
  assert.deepEqual(
    requests.map((r) => r.step),
    ["draft", "feedback", "refine", "feedback", "refine"],
    "the last rewrite gets no feedback: nothing would read it",
  );
  assert.match(
    requests[0]!.user,
    /^Negative: The soup was cold\.\n\nNLP Research Project\. Please rewrite this review to have a Very positive sentiment\.\n\nVery positive:$/,
  );
  assert.match(requests[1]!.user, /^Negative: If you ever stayed at the Trop/, "the to-positive example");
  assert.match(requests[1]!.user, /Why is this review not Very positive\? Don't worry about exaggerations/);
  assert.match(
    requests[4]!.user,
    /Feedback: Still mild\. Try again![\s\S]*###[\s\S]*Feedback: Try again!\n\nOkay, let's try again\. NLP Research Project\. Please rewrite this review to have a Very positive sentiment using the feedback above\.\n\nVery positive:$/,
  );
  assert.equal(run.nodes.find((n) => n.id === run.state.selectedNodeId)!.text, "answer 2");
  const toNegative = actor(["x"]);
  await scriptedRun({
    strategy: "self-refine",
    params: { task: "sentiment", maxIterations: 1 },
    task: { question: "Great place.", selfRefine: { task: "sentiment", targetSentiment: "Very negative" } },
    actor: toNegative.script,
  });
  assert.match(toNegative.requests[1]!.user, /^Very positive: If you're looking for a truly magical experience/, "the to-negative example");
});

test("readability: no draft (the item's code is the first version), the repo's zero-shot critique and fix of the latest code, every round run, the last code", async () => {
  const { script, requests } = actor(["Rename x to count.", "Add a docstring.", "Use a constant."]);
  const requestsSeen: GenerateRequest[] = [];
  const code = "x=int(input())\n\nprint(x*2)";
  const run = await scriptedRun({
    strategy: "self-refine",
    params: { task: "readability", maxIterations: 3 },
    task: { question: code },
    actor: (r) => {
      requestsSeen.push(r);
      return script(r);
    },
  });
  assert.deepEqual(
    requests.map((r) => r.step),
    ["feedback", "refine", "feedback", "refine", "feedback", "refine"],
    "no stop rule: readability.py runs all its rounds, and the last fix gets no critique",
  );
  assert.equal(
    requests[0]!.user,
    "I have some code. Can you give one suggestion to improve readability. Don't fix the code, just give a suggestion.\n\nx=int(input())\nprint(x*2)\n",
  );
  assert.equal(
    requests[3]!.user,
    "I have some code. Can you give one suggestion to improve readability. Don't fix the code, just give a suggestion.\n\nanswer 0\n\nAdd a docstring.\n\nNow fix the code.\n",
    "the fix prompt shows the latest code and its suggestion only",
  );
  assert.ok(
    requestsSeen.every((r) => !r.stop?.length),
    "no example separator to stop at",
  );
  const first = run.nodes[0]!;
  assert.deepEqual([first.step, first.model, first.text], ["given", null, "x=int(input())\nprint(x*2)"]);
  assert.equal(run.state.stopReason, "max-iterations");
  assert.equal(run.nodes.find((n) => n.id === run.state.selectedNodeId)!.text, "answer 2");
});

test("task=auto takes the item's own Self-Refine task, and GSM8K's prompt for an item without one", async () => {
  const withTask = actor([acronymScores(20)]);
  await scriptedRun({
    strategy: "self-refine",
    params: { task: "auto", maxIterations: 0 },
    task: { question: "Deep Residual Learning", selfRefine: { task: "acronym" } },
    actor: withTask.script,
  });
  assert.match(withTask.requests[1]!.user, /Acronym: answer 0\n\nScores:\n\n$/);
  const plain = await scriptedRun({
    strategy: "self-refine",
    params: { task: "auto", maxIterations: 1 },
    actor: (r) => (/check step-by-step$/.test(lastUser(r)) ? "It is correct!" : "The answer is 42"),
  });
  assert.match(lastUser(plain.actor.requests[1]!), /^Question: Kelly is grocery shopping/);
});

test("an open-ended task with the scored JSON critique is refused in words that say which to choose", async () => {
  await assert.rejects(
    scriptedRun({ strategy: "self-refine", params: { task: "dialogue", feedbackFormat: "json" }, actor: () => "x" }),
    /task=dialogue uses that task's own feedback prompt, and feedbackFormat=json replaces it/,
  );
});

test("a total score is read as the fraction the feedback wrote", () => {
  assert.equal(totalScore("* Total score: 22/25"), 0.88);
  assert.equal(totalScore("Total score: 24 / 30"), 0.8);
  assert.equal(totalScore("* Total: 22/25"), null);
});
