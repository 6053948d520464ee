// The demo world's labels are what the model learns and what the bench grades against: they must agree with
// Refinery's own readers (the dataset adapter, the answer checker, the verdict parser, ProcessBench's layout).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { loadDataset } from "../../native/eval/dataset.ts";
import { gradeResponse } from "../../native/grading/checkers.ts";
import { readProcessBench } from "../../native/eval/critic-eval.ts";
import { parseVerdict, splitSteps, stepwiseSchema } from "../../native/strategies/verdicts.ts";
import { examplesFor, holisticTarget, lineLabels, scrambledText, stepwiseTarget } from "./corpus.ts";
import { DATASET_PATH, PROCESSBENCH_PATH, SEED, TEST_COUNT } from "./settings.ts";
import { corruptSolution, goldSolution, makeProblem, makeSplits, mulberry32, renderSolution, stepIsCorrect } from "./world.ts";

const { train, test: testSplit } = makeSplits(SEED, 500, 100);

test("the splits share no question and the same seed makes the same problems", () => {
  const trainQuestions = new Set(train.map((p) => p.question));
  assert.equal(testSplit.filter((p) => trainQuestions.has(p.question)).length, 0);
  assert.deepEqual(makeSplits(SEED, 500, 100).test, testSplit);
});

test("every problem has 2 to 4 operations on small whole numbers, and its answer is the last step's value", () => {
  for (const problem of [...train, ...testSplit]) {
    assert.ok(problem.operations.length >= 2 && problem.operations.length <= 4, problem.question);
    assert.ok(
      problem.values.every((v) => Number.isInteger(v) && v >= 0 && v <= 30),
      problem.question,
    );
    assert.equal(goldSolution(problem).final, problem.answer);
  }
});

test("the bundled dataset is the test split in GSM8K's layout, and Refinery's checker grades its gold solutions right", async () => {
  const { tasks } = await loadDataset(DATASET_PATH);
  const full = makeSplits(SEED, 1, TEST_COUNT).test;
  assert.equal(tasks.length, TEST_COUNT);
  for (const [i, task] of tasks.slice(0, 50).entries()) {
    assert.equal(task.question, full[i]!.question);
    assert.ok(task.reference?.endsWith(`\n#### ${full[i]!.answer}`), task.reference);
    const gold = renderSolution(goldSolution(full[i]!));
    assert.equal(gradeResponse(task, { text: gold }).correct, true, gold);
    const wrong = renderSolution({ ...goldSolution(full[i]!), final: full[i]!.answer + 1 });
    assert.equal(gradeResponse(task, { text: wrong }).correct, false, wrong);
  }
});

test("a corrupted solution has its first wrong line where the critic's target and the ProcessBench label put it", () => {
  const random = mulberry32(7);
  for (const problem of train.slice(0, 200)) {
    const { solution, kind, at } = corruptSolution(random, problem);
    const labels = lineLabels(problem, solution);
    const first = labels.indexOf(false);
    // A slip that happens to give the right number (a nudge undone by a later step) is not an error to find.
    if (first === -1) continue;
    assert.equal(first, kind === "final" ? solution.steps.length : at, `${kind} at ${at}: ${renderSolution(solution)}`);
    const verdict = parseVerdict(stepwiseTarget(problem, solution), true);
    assert.equal(verdict.firstErrorStep, first);
    assert.equal(verdict.steps?.length, splitSteps(renderSolution(solution)).length);
    assert.equal(verdict.correct, false);
    assert.equal(parseVerdict(holisticTarget(problem, solution), false).correct, false);
  }
});

test("the critic's targets for a right solution say every step is right, and fit the stepwise schema's step count", () => {
  for (const problem of train.slice(0, 50)) {
    const solution = goldSolution(problem);
    const verdict = parseVerdict(stepwiseTarget(problem, solution), true);
    assert.equal(verdict.firstErrorStep, null);
    assert.equal(verdict.correct, true);
    const schema = stepwiseSchema(splitSteps(renderSolution(solution)).length) as { properties: { steps: { minItems: number } } };
    assert.equal(verdict.steps?.length, schema.properties.steps.minItems);
    assert.equal(parseVerdict(holisticTarget(problem, solution), false).correct, true);
  }
});

test("the ProcessBench export reads as ProcessBench, its labels are the first false step label, and about half are wrong", async () => {
  const items = await readProcessBench(PROCESSBENCH_PATH);
  const raw = JSON.parse(readFileSync(PROCESSBENCH_PATH, "utf8")) as Array<{ step_labels: boolean[] }>;
  assert.equal(items.length, TEST_COUNT);
  items.forEach((item, i) => {
    assert.equal(item.label, raw[i]!.step_labels.indexOf(false));
    assert.equal(item.steps.length, raw[i]!.step_labels.length);
  });
  const wrong = items.filter((i) => i.label !== -1).length;
  assert.ok(wrong > TEST_COUNT * 0.35 && wrong < TEST_COUNT * 0.65, `${wrong} of ${TEST_COUNT} wrong`);
});

test("the critic's labels on the actor's own text: a wrong operation, a missing or extra step and a garbled line are each the first error", () => {
  const problem = makeProblem(() => 0, "fixed");
  const gold = renderSolution(goldSolution(problem));
  const lines = gold.split("\n");
  const why = (text: string) => (JSON.parse(stepwiseTarget(problem, text)) as { steps: Array<{ why: string; verdict: string }> }).steps;
  const firstWrong = (text: string) => lineLabels(problem, text).indexOf(false);
  assert.equal(firstWrong(gold), -1);
  assert.equal(parseVerdict(stepwiseTarget(problem, gold), true).correct, true);

  // The first step adds where the question subtracts (or the reverse): wrong, and the reason names the operation.
  const [left, op, right] = [problem.start, problem.operations[0]!.op, problem.operations[0]!.operand];
  const flipped = op === "+" ? "-" : "+";
  const result = flipped === "+" ? left + right : left - right;
  const wrongOp = [`1. Step: ${left} ${flipped} ${right} = ${result}.`, ...lines.slice(1)].join("\n");
  assert.equal(firstWrong(wrongOp), 0);
  assert.match(why(wrongOp)[0]!.why, /so it should (add|subtract|double|halve)\./);

  // A step left out: every written step holds, but the final line comes too early.
  const short = [...lines.slice(0, problem.operations.length - 1), `The answer is ${problem.values.at(-2)}.`].join("\n");
  assert.equal(firstWrong(short), problem.operations.length - 1);
  assert.equal(parseVerdict(stepwiseTarget(problem, short), true).correct, false);

  // A step the question does not have, and a line that is no step at all.
  const extra = [
    ...lines.slice(0, -1),
    `${problem.operations.length + 1}. Buys 1: ${problem.answer} + 1 = ${problem.answer + 1}.`,
    `The answer is ${problem.answer + 1}.`,
  ].join("\n");
  assert.equal(firstWrong(extra), problem.operations.length);
  assert.equal(why(extra)[problem.operations.length]!.why, `The question has only ${problem.operations.length} steps.`);
  const garbled = [lines[0], "So many apples", ...lines.slice(1)].join("\n");
  assert.equal(firstWrong(garbled), 1);

  // After the first error, later steps are checked against what the solution wrote, not the gold values.
  const slip = [lines[0]!.replace(/= (\d+)\.$/, (_, n: string) => `= ${Number(n) + 10}.`), ...lines.slice(1)].join("\n");
  assert.deepEqual(lineLabels(problem, slip).slice(0, 2), [false, false]);
});

test("read back from its text, every corruption is labelled as the world's own step check labels its structure", () => {
  const random = mulberry32(11);
  for (const problem of train.slice(0, 300)) {
    const { solution } = corruptSolution(random, problem);
    const structural = [...solution.steps.map((_, i) => stepIsCorrect(problem, solution, i)), solution.steps.at(-1)!.result === solution.final];
    assert.deepEqual(lineLabels(problem, renderSolution(solution)), structural, renderSolution(solution));
  }
});

test("a restating critic's why copies the line it judges, as the prompt shows it, before the same judgement", () => {
  const problem = train[3]!;
  const { solution } = corruptSolution(mulberry32(5), problem);
  const text = renderSolution(solution);
  const plain = JSON.parse(stepwiseTarget(problem, text)) as { steps: Array<{ why: string; verdict: string }> };
  const restated = JSON.parse(stepwiseTarget(problem, text, { restate: true })) as typeof plain;
  const lines = splitSteps(text);
  assert.equal(restated.steps.length, lines.length);
  restated.steps.forEach((step, i) => {
    assert.equal(step.why, `Step ${i + 1}: ${lines[i]} ${plain.steps[i]!.why}`);
    assert.equal(step.verdict, plain.steps[i]!.verdict);
  });
  assert.equal(parseVerdict(stepwiseTarget(problem, text, { restate: true }), true).firstErrorStep, lineLabels(problem, text).indexOf(false));
});

test("a scrambled solution's labels name random actions, which no verdict reads; its numbers are judged like any text", () => {
  const random = mulberry32(13);
  let wrongLines = 0;
  let lines = 0;
  for (const problem of train.slice(0, 200)) {
    const text = scrambledText(random, problem);
    const written = splitSteps(text);
    assert.equal(written.length, problem.operations.length + 1, text);
    // The same lines with the question's own labels get the same verdicts: the label is there to be copied.
    const relabelled = written
      .map((line, i) => (i < problem.operations.length ? line.replace(/^(\d+)\. [^:]*:/, `$1. ${problem.operations[i]!.label}:`) : line))
      .join("\n");
    assert.deepEqual(lineLabels(problem, text), lineLabels(problem, relabelled), text);
    const labels = lineLabels(problem, text);
    wrongLines += labels.filter((ok) => !ok).length;
    lines += labels.length;
    // The holistic verdict restates up to the first wrong line, each copied as the prompt shows it.
    const critique = (JSON.parse(holisticTarget(problem, text, { restate: true })) as { critique: string }).critique;
    const first = labels.indexOf(false);
    for (const [i, line] of written.entries()) assert.equal(critique.includes(`Step ${i + 1}: ${line} `), first === -1 || i <= first, `${i}: ${critique}`);
  }
  // Some lines go wrong (a random start, operand, result or final line), most do not.
  assert.ok(wrongLines > lines * 0.2 && wrongLines < lines * 0.6, `${wrongLines} of ${lines} lines wrong`);
});

test("the world's conversations for a restating model restate in every verdict and in the feedback its refinements read, and nothing else changes", () => {
  const kinds = new Set<string>();
  for (const [n, problem] of train.slice(0, 60).entries()) {
    const plain = examplesFor(mulberry32(n), problem);
    const restated = examplesFor(mulberry32(n), problem, { restate: true });
    // The same draws: the same conversations, in the same order, about the same solutions.
    assert.deepEqual(
      restated.map((e) => e.kind),
      plain.map((e) => e.kind),
    );
    restated.forEach((example, i) => {
      const before = plain[i]!;
      kinds.add(example.kind);
      if (example.kind === "draft") assert.deepEqual(example, before);
      else if (example.kind === "stepwise" || example.kind === "holistic") {
        assert.deepEqual(example.messages, before.messages);
        assert.match(example.target, /Step 1: 1\. /);
        assert.doesNotMatch(before.target, /Step 1: 1\. /);
      } else {
        // A refinement learns the gold solution from the critic's words as a restating critic writes them.
        assert.equal(example.target, before.target);
        assert.match(example.messages.at(-1)!.content, /Step 1: 1\. /);
        assert.doesNotMatch(before.messages.at(-1)!.content, /Step 1: 1\. /);
      }
    });
  }
  assert.deepEqual([...kinds].sort(), ["draft", "holistic", "refine-reflection", "refine-steps", "stepwise"]);
});
