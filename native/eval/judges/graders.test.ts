// The graders' decisions on scripted judges: pairwise verdicts judged in both orders (a judge that always names
// the first position makes no winner and flips every time), checklist fractions, rubric ratings with and without a
// reference, jury majorities, and the column summary a report shows.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { GenerateRequest } from "../../llm/backend.ts";
import { ScriptedBackend } from "../../llm/scripted-backend.ts";
import type { JudgedCell } from "../../protocol/experiment-results.ts";
import { combineOrders, judgeChecklist, judgeRubric, type Judge } from "./graders.ts";
import { judgeAnswer } from "./judge-answer.ts";
import { summarizeJudged } from "./judged-summary.ts";
import { checklistMajority, pairwiseMajority } from "./jury.ts";

const settings = { maxTokens: 256, temperature: 0, seed: 7 };
const user = (r: GenerateRequest) => r.messages.at(-1)!.content;
const judge = (label: string, script: (r: GenerateRequest) => string): Judge & { backend: ScriptedBackend } => ({
  label,
  backend: new ScriptedBackend(script),
});
const verdict = (v: string) => JSON.stringify({ reasoning: "because", verdict: v });
/** Which letter holds the answer that contains `marker` in a pairwise prompt. */
const letterOf = (r: GenerateRequest, marker: string) => {
  const a = /Assistant A's Answer\]\n([\s\S]*?)\n\[The End of Assistant A/.exec(user(r))![1]!;
  return a.includes(marker) ? "A" : "B";
};

test("a judge biased to position A gives only ties, and its flip rate is 1", async () => {
  const biased = judge("biased", () => verdict("A"));
  const cells: JudgedCell[] = [];
  for (const [item, [candidate, baseline]] of [
    ["good answer", "bad"],
    ["bad", "good answer"],
    ["short", "a much much longer answer here"],
  ].entries()) {
    const { judged, calls } = await judgeAnswer(
      "pairwise",
      [biased],
      { question: "q", answer: candidate!, baseline: { name: "single-pass", answer: baseline! } },
      settings,
    );
    assert.equal(judged.outcome, "tie");
    assert.equal(calls.length, 2);
    cells.push({ ...judged, item, column: "c", nodeIds: [] });
  }
  // Both orders were asked: the candidate first, then the baseline first.
  assert.match(user(biased.backend.requests[0]!), /Assistant A's Answer\]\ngood answer/);
  assert.match(user(biased.backend.requests[1]!), /Assistant A's Answer\]\nbad/);
  const summary = summarizeJudged(cells)!;
  assert.deepEqual([summary.win, summary.tie, summary.loss], [0, 3, 0]);
  assert.equal(summary.positionFlipRate, 1);
  assert.equal(summary.followedFirst, 3);
  assert.equal(summary.score, 0.5);
});

test("a judge that reads the answers names the better one in both orders: wins and losses, no flips", async () => {
  const fair = judge("fair", (r) => verdict(letterOf(r, "good")));
  const cells: JudgedCell[] = [];
  const pairs: Array<[string, string]> = [
    ["good answer", "bad"],
    ["good one", "bad"],
    ["bad", "good answer"],
  ];
  for (const [item, [answer, other]] of pairs.entries()) {
    const { judged } = await judgeAnswer("pairwise", [fair], { question: "q", answer, baseline: { name: "reference", answer: other } }, settings);
    cells.push({ ...judged, item, column: "c", nodeIds: [] });
  }
  assert.deepEqual(
    cells.map((c) => c.outcome),
    ["win", "win", "loss"],
  );
  const summary = summarizeJudged(cells)!;
  assert.equal(summary.positionFlipRate, 0);
  assert.equal(summary.score, 2 / 3);
  assert.equal(summary.baseline, "reference");
  assert.ok(summary.interval[0] <= 2 / 3 && summary.interval[1] >= 2 / 3);
  // Lengths: "good answer" (2 words) against "bad" (1) is longer; "bad" against "good answer" is shorter.
  assert.deepEqual(
    summary.byLength!.map((b) => [b.bucket, b.comparisons, b.winRate]),
    [
      ["shorter", 1, 0],
      ["longer", 2, 1],
    ],
  );
});

test("the two orders combine by agreement: agreeing verdicts decide, a flip or a half tie is a tie", () => {
  assert.deepEqual(combineOrders("A", "B"), { outcome: "win", flipped: false, followedPosition: null });
  assert.deepEqual(combineOrders("B", "A"), { outcome: "loss", flipped: false, followedPosition: null });
  assert.deepEqual(combineOrders("B", "B"), { outcome: "tie", flipped: true, followedPosition: "second" });
  assert.deepEqual(combineOrders("tie", "tie"), { outcome: "tie", flipped: false, followedPosition: null });
  assert.deepEqual(combineOrders("A", "tie"), { outcome: "tie", flipped: true, followedPosition: null });
  assert.deepEqual(combineOrders(null, "A"), { outcome: null, flipped: false, followedPosition: null });
});

test("checklist: one structured call, the score is the fraction passed, correct only when all pass", async () => {
  const pattern = ["yes", "no", "yes", "yes"];
  const checker = judge("checker", () => JSON.stringify({ criteria: pattern.map((satisfied) => ({ reasoning: "r", satisfied })) }));
  const criteria = ["states the answer", "cites a source", "is polite", "is short"];
  const result = await judgeChecklist(checker, "q", "an answer", criteria, settings);
  assert.deepEqual(result.passed, [true, false, true, true]);
  assert.equal(checker.backend.requests.length, 1);
  assert.match(user(checker.backend.requests[0]!), /1\. states the answer\n2\. cites a source/);
  const schema = checker.backend.requests[0]!.jsonSchema as { properties: { criteria: { minItems: number; maxItems: number } } };
  assert.deepEqual([schema.properties.criteria.minItems, schema.properties.criteria.maxItems], [4, 4]);
  const { judged } = await judgeAnswer("checklist", [checker], { question: "q", answer: "a", checklist: criteria }, settings);
  assert.equal(judged.score, 0.75);
  assert.equal(judged.correct, false);

  const unreadable = judge("broken", () => "I think it is fine");
  const broken = await judgeAnswer("checklist", [unreadable], { question: "q", answer: "a", checklist: criteria }, settings);
  assert.equal(broken.judged.score, null);
  assert.equal(broken.calls[0]!.parsed, false);
  await assert.rejects(judgeAnswer("checklist", [checker], { question: "q", answer: "a" }, settings), /needs items with a 'checklist'/);
});

test("checklist per criterion: one call for each criterion, showing only that criterion, its verdict in its place", async () => {
  const criteria = ["states the answer", "cites a source", "is polite", "is short"];
  // The judge passes whatever criterion it is shown when that criterion speaks of the answer or of length.
  const checker = judge("checker", (r) => {
    const shown = /\[Criterion\]\n(.*)\n/.exec(user(r))![1]!;
    return JSON.stringify({ reasoning: `read ${shown}`, satisfied: /answer|short/.test(shown) ? "yes" : "no" });
  });
  const result = await judgeChecklist(checker, "q", "an answer", criteria, settings, "per-criterion");
  assert.deepEqual(result.passed, [true, false, false, true]);
  assert.deepEqual(
    result.reasons,
    criteria.map((c) => `read ${c}`),
  );
  const requests = checker.backend.requests;
  assert.equal(requests.length, 4);
  requests.forEach((r, i) => {
    assert.match(user(r), new RegExp(`\\[Criterion\\]\n${criteria[i]}\n`));
    for (const other of criteria.filter((_, j) => j !== i)) assert.ok(!user(r).includes(other), "no other criterion in the prompt");
    assert.deepEqual(Object.keys((r.jsonSchema as { properties: object }).properties), ["reasoning", "satisfied"]);
  });
  assert.deepEqual(
    requests.map((r) => r.seed),
    [7, 8, 9, 10],
  );
  assert.deepEqual(
    result.calls.map((c) => c.step),
    ["checklist criterion 1", "checklist criterion 2", "checklist criterion 3", "checklist criterion 4"],
  );
  const { judged, calls } = await judgeAnswer("checklist", [checker], { question: "q", answer: "a", checklist: criteria }, settings, {
    checklistCalls: "per-criterion",
  });
  assert.equal(judged.score, 0.5);
  assert.equal(calls.length, 4);
  const unreadable = await judgeChecklist(
    judge("broken", () => "fine"),
    "q",
    "a",
    criteria,
    settings,
    "per-criterion",
  );
  assert.deepEqual(unreadable.passed, [null, null, null, null]);
});

test("a checklist longer than one call's limit is judged in parts, in order", async () => {
  const criteria = Array.from({ length: 23 }, (_, i) => `criterion ${i + 1}`);
  const checker = judge("checker", (r) => {
    const n = (user(r).match(/^\d+\. criterion/gm) ?? []).length;
    return JSON.stringify({ criteria: Array.from({ length: n }, () => ({ reasoning: "", satisfied: n === 3 ? "no" : "yes" })) });
  });
  const result = await judgeChecklist(checker, "q", "a", criteria, settings);
  assert.equal(checker.backend.requests.length, 2);
  assert.deepEqual(result.passed, [...Array(20).fill(true), false, false, false]);
});

test("rubric: MT-Bench's rating, reference-guided when the item has a reference; an out-of-range rating is unreadable", async () => {
  const rater = judge("rater", (r) => JSON.stringify({ reasoning: "ok", rating: /Reference Answer/.test(user(r)) ? 3 : 8 }));
  const plain = await judgeRubric(rater, "q", "a", undefined, settings);
  const guided = await judgeRubric(rater, "q", "a", "the reference", settings);
  assert.equal(plain.rating, 8);
  assert.equal(guided.rating, 3);
  assert.match(user(rater.backend.requests[1]!), /\[The Start of Reference Answer\]\nthe reference/);
  const wild = await judgeRubric(
    judge("wild", () => JSON.stringify({ reasoning: "", rating: 11 })),
    "q",
    "a",
    undefined,
    settings,
  );
  assert.equal(wild.rating, null);
  const jury = await judgeAnswer("rubric", [rater, judge("low", () => JSON.stringify({ reasoning: "", rating: 2 }))], { question: "q", answer: "a" }, settings);
  assert.equal(jury.judged.score, 5);
});

test("juries: the majority outcome decides, a split is a tie; criteria pass on a strict majority", () => {
  const o = (...outcomes: Array<"win" | "tie" | "loss" | null>) => outcomes.map((outcome) => ({ outcome }));
  assert.equal(pairwiseMajority(o("win", "win", "loss")), "win");
  assert.equal(pairwiseMajority(o("win", "loss", "tie")), "tie");
  assert.equal(pairwiseMajority(o("win", "tie")), "tie");
  assert.equal(pairwiseMajority(o("loss", null)), "loss");
  assert.equal(pairwiseMajority(o(null, null)), null);
  const majority = checklistMajority([{ passed: [true, true, false] }, { passed: [true, false, false] }, { passed: [false, true, null] }]);
  assert.deepEqual(majority.passed, [true, true, false]);
  assert.equal(majority.score, 2 / 3);
  // Two judges split on the second criterion: not a pass.
  assert.deepEqual(checklistMajority([{ passed: [true, true] }, { passed: [true, false] }]).passed, [true, false]);
});

test("a jury of two judges reports Cohen's κ beside the pairwise score; each judge gets its own seeds", async () => {
  const fair = judge("fair", (r) => verdict(letterOf(r, "good")));
  const biased = judge("biased", () => verdict("A"));
  const cells: JudgedCell[] = [];
  for (const [item, answer] of ["good answer", "bad"].entries()) {
    const { judged } = await judgeAnswer(
      "pairwise",
      [fair, biased],
      { question: "q", answer, baseline: { name: "b", answer: answer === "bad" ? "good" : "bad" } },
      settings,
    );
    cells.push({ ...judged, item, column: "c", nodeIds: [] });
  }
  // fair: win, loss; biased: tie, tie. Jury: split both times → ties.
  assert.deepEqual(
    cells.map((c) => c.outcome),
    ["tie", "tie"],
  );
  const summary = summarizeJudged(cells)!;
  assert.equal(summary.agreement?.measure, "cohen-kappa");
  // Observed agreement 0; chance agreement 0 (fair never says tie, biased always does): κ = 0.
  assert.equal(summary.agreement?.value, 0);
  assert.notEqual(fair.backend.requests[0]!.seed, biased.backend.requests[0]!.seed);
  assert.deepEqual(summary.judges, ["fair", "biased"]);
});
