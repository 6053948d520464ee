// judge-eval on small human-labelled files written here, in the shapes the authors ship (LLMBar, PandaLM, FED):
// accuracy and κ against people, the flip rate and the length bias, worked out by hand in each comment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GenerateRequest } from "../../llm/backend.ts";
import { ScriptedBackend } from "../../llm/scripted-backend.ts";
import { describeJudgeAgreement, evaluateJudge, runJudgeEval } from "./judge-eval.ts";
import { readLabelled } from "./human-labels.ts";

const scratch = mkdtempSync(join(tmpdir(), "refinery-judge-eval-"));
const user = (r: GenerateRequest) => r.messages.at(-1)!.content;
const write = (name: string, records: unknown[]) => {
  const path = join(scratch, name);
  writeFileSync(path, JSON.stringify(records, null, 2));
  return path;
};
/** Prefers the answer that says "good"; with neither, always the second position (so it flips). */
const goodJudge = () =>
  new ScriptedBackend((r) => {
    const a = /Assistant A's Answer\]\n([\s\S]*?)\n\[The End of Assistant A/.exec(user(r))![1]!;
    return JSON.stringify({ reasoning: "looked for good", verdict: a.includes("good") ? "A" : "B" });
  });

test("pairwise against people (LLMBar's shape): accuracy without human ties, κ, flips and the length bias", async () => {
  const path = write("llmbar.json", [
    { input: "q1", output_1: "good long answer here", output_2: "bad", label: 1 },
    { input: "q2", output_1: "bad", output_2: "good and long", label: 2 },
    { input: "q4", output_1: "short", output_2: "good and much longer", label: 1 },
  ]);
  const set = await readLabelled(path);
  assert.equal(set.format, "LLMBar");
  const tied = write("plain.json", [
    { question: "q1", answer_a: "good long answer here", answer_b: "bad", human: "A" },
    { question: "q2", answer_a: "bad", answer_b: "good and long", human: "B" },
    { question: "q3", answer_a: "meh", answer_b: "meh too", human: "tie" },
    { question: "q4", answer_a: "short", answer_b: "good and much longer", human: "A" },
  ]);
  const judge = goodJudge();
  const result = await runJudgeEval({ dataset: tied }, async () => ({ label: "good-judge", backend: judge }));
  assert.equal(result.mode, "pairwise");
  if (result.mode !== "pairwise") return;
  assert.deepEqual(
    result.rows.map((r) => r.judge),
    ["A", "B", "tie", "B"],
  );
  // Decisive human labels: q1, q2, q4; the judge matches two.
  assert.equal(result.accuracy, 2 / 3);
  // Observed 3/4; chance ½·¼ + ¼·½ + ¼·¼ = 0.3125; κ = 0.4375 / 0.6875 = 7/11.
  assert.ok(Math.abs(result.kappa - 7 / 11) < 1e-12);
  assert.equal(result.positionFlipRate, 1 / 4);
  // The judge picked the longer answer in all three decisive pairs; people in two of three.
  assert.equal(result.judgePrefersLonger, 1);
  assert.equal(result.humansPreferLonger, 2 / 3);
  assert.equal(judge.requests.length, 8, "every pair judged in both orders");
  assert.match(
    describeJudgeAgreement("good-judge", result),
    /accuracy 66\.7% on the 3 pairs people did not tie \(ties and unreadable verdicts count as misses\) · Cohen's κ 0\.64/,
  );
});

test("PandaLM's three annotators: the label is their majority, a split is a tie", async () => {
  const base = { instruction: "Rewrite", input: "text", response1: "r1", response2: "r2" };
  const set = await readLabelled(
    write("pandalm.json", [
      { ...base, idx: 0, annotator1: 2, annotator2: 2, annotator3: 1 },
      { ...base, idx: 1, annotator1: 1, annotator2: 2, annotator3: 0 },
      { ...base, idx: 2, annotator1: 0, annotator2: 0, annotator3: 1 },
    ]),
  );
  assert.equal(set.format, "PandaLM");
  assert.deepEqual(
    set.items.map((i) => ("human" in i ? i.human : null)),
    ["B", "tie", "tie"],
  );
  assert.equal(set.mode === "pairwise" && set.items[0]!.question, "Rewrite\n\ntext");
});

test("scores against people (FED's shape): turn ratings mapped from 0–4 onto 1–10, Spearman and MAE, length correlation", async () => {
  const fed = (response: string, overall: number) => ({ context: "User: hi", response, annotations: { Overall: [overall, overall, overall] } });
  // A dialogue-level record (no response) rates a whole conversation: left out.
  const path = write("fed.json", [fed("one", 0), { context: "User: hi", annotations: { Overall: [5] } }, fed("a b c d e", 2), fed("a b c d e f g h i j", 4)]);
  // The judge rates by length: 1, 5 and 10 words → 1, 5, 10; people: 1, 5.5, 10.
  const judge = new ScriptedBackend((r) => {
    const answer = /Assistant's Answer\]\n([\s\S]*?)\n\[The End/.exec(user(r))![1]!;
    return JSON.stringify({ reasoning: "counted", rating: Math.min(10, answer.split(" ").length) });
  });
  const set = await readLabelled(path);
  assert.equal(set.skipped, 1);
  const result = await evaluateJudge(set, { label: "j", backend: judge });
  assert.equal(result.mode, "score");
  if (result.mode !== "score") return;
  assert.equal(result.format, "FED (Self-Refine dialogue)");
  assert.deepEqual(
    result.rows.map((r) => r.human),
    [1, 5.5, 10],
  );
  assert.equal(result.spearman, 1);
  assert.ok(Math.abs(result.meanAbsoluteError - 0.5 / 3) < 1e-12);
  assert.equal(result.judgeLengthCorrelation, 1);
});

test("claims against people (MetaCritique's annotations): accuracy, κ and each critique's Meta-Precision", async () => {
  const critique = (aius: string[], precision_labels: boolean[]) => ({ critique: aius.join(" "), aius, precision_labels });
  const path = write("metacritique.json", [
    {
      index: 0,
      question: "kitchen towel",
      response: "can be cut with vise grip",
      gpt4_answer: "A towel dries hands.",
      human_critique: critique(["The answer is not correct.", "Scissors are best."], [true, true]),
      llm1_critique: critique(["The answer is correct.", "The towel is blue.", "The answer is irrelevant."], [false, false, true]),
      llm2_critique: critique([], []),
    },
  ]);
  const set = await readLabelled(path);
  assert.equal(set.mode, "claims");
  assert.deepEqual(
    set.items.map((i) => i.id),
    ["0:human_critique", "0:llm1_critique"],
    "a critique without claims is left out",
  );
  // The judge calls a claim true when it says "not" or "irrelevant": right on 4 of 5 ("Scissors are best." is missed).
  const judge = new ScriptedBackend((r) => {
    const claims = [...user(r).matchAll(/^\d+\. (.*)$/gm)].map((m) => m[1]!);
    assert.match(user(r), /<reference answer>\nA towel dries hands\./);
    return JSON.stringify({ claims: claims.map((c) => ({ reasoning: "checked", verdict: /not|irrelevant/.test(c) ? "true" : "false" })) });
  });
  const result = await evaluateJudge(set, { label: "j", backend: judge });
  assert.equal(result.mode, "claims");
  if (result.mode !== "claims") return;
  assert.equal(result.claims, 5);
  assert.equal(result.accuracy, 4 / 5);
  // Observed 4/5; people true 3/5, judge 2/5: chance 3/5·2/5 + 2/5·3/5 = 12/25; κ = (20/25 − 12/25) / (13/25) = 8/13.
  assert.ok(Math.abs(result.kappa - 8 / 13) < 1e-12);
  // Precision per critique: people 1 and 1/3, the judge 1/2 and 1/3.
  assert.ok(Math.abs(result.precisionMeanAbsoluteError - 0.25) < 1e-12);
  assert.match(describeJudgeAgreement("j", result), /5 claims of 2 MetaCritique critiques/);
});

test("files that are not human-labelled, or mix kinds, are refused by line", async () => {
  await assert.rejects(readLabelled(write("other.json", [{ question: "q", answer: "a" }])), /other\.json:1: not a human-labelled record/);
  await assert.rejects(
    readLabelled(
      write("mixed.json", [
        { question: "q", answer_a: "a", answer_b: "b", human: "A" },
        { question: "q", answer: "a", human_score: 4 },
      ]),
    ),
    /mixes kinds of labels/,
  );
  await assert.rejects(
    readLabelled(write("bad-human.json", [{ question: "q", answer_a: "a", answer_b: "b", human: "left" }])),
    /human must be "A", "B" or "tie"/,
  );
});
