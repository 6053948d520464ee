// Step 1 of the demo pipeline: the world's splits, the bundled dataset, the training conversations, the
// tokenizer (as an untrained GGUF) and the token ids the trainer reads (token-file.ts).
//   node --import tsx scripts/train-demo/prepare.ts
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { examplesFor, lineLabels, type Example } from "./corpus.ts";
import { writeUntrainedModel } from "./model-file.ts";
import { DATASET_PATH, PROCESSBENCH_PATH, DEMO_SHAPE, MERGES, SEED, TEST_COUNT, TRAIN_COUNT, UNTRAINED_IDENTITY, workDir } from "./settings.ts";
import { writeTokenFile } from "./token-file.ts";
import { trainBpe } from "./tokenizer.ts";
import { corruptSolution, goldSolution, makeSplits, mulberry32, renderSolution, type Problem } from "./world.ts";

const started = performance.now();
mkdirSync(workDir, { recursive: true });
const { train, test } = makeSplits(SEED, TRAIN_COUNT, TEST_COUNT);

/** GSM8K's layout (question, answer ending "#### n") plus each step's gold value, which the adapters ignore. */
function datasetRecord(problem: Problem) {
  const solution = renderSolution(goldSolution(problem)).replace(/\nThe answer is \d+\.$/, "");
  return { id: problem.id, question: problem.question, answer: `${solution}\n#### ${problem.answer}`, step_values: problem.values };
}
writeFileSync(DATASET_PATH, `${test.map((p) => JSON.stringify(datasetRecord(p))).join("\n")}\n`);
writeFileSync(join(workDir, "train-problems.jsonl"), `${train.map((p) => JSON.stringify(datasetRecord(p))).join("\n")}\n`);

// The critic's test: the test problems' solutions in ProcessBench's layout (label: the first wrong step, -1 when
// none), half of them with one step gone wrong, with every step's own label for step accuracy.
const pickWrong = mulberry32(SEED + 2);
const processBench = test.map((problem) => {
  const solution = pickWrong() < 0.5 ? corruptSolution(pickWrong, problem).solution : goldSolution(problem);
  const labels = lineLabels(problem, solution);
  const steps = renderSolution(solution).split("\n");
  return {
    id: problem.id,
    problem: problem.question,
    steps,
    label: labels.indexOf(false),
    step_labels: labels,
    final_answer_correct: solution.final === problem.answer,
  };
});
writeFileSync(PROCESSBENCH_PATH, `${JSON.stringify(processBench, null, 1)}\n`);

const random = mulberry32(SEED + 1);
const examples: Example[] = train.flatMap((problem) => examplesFor(random, problem));
const texts = examples.flatMap((e) => [...e.messages.map((m) => m.content), e.target, "system\n", "user\n", "assistant\n"]);
const bpe = trainBpe(texts, MERGES);
writeFileSync(join(workDir, "tokenizer.json"), JSON.stringify(bpe));
const untrained = join(workDir, "untrained.gguf");
await writeUntrainedModel(untrained, bpe, DEMO_SHAPE, UNTRAINED_IDENTITY);

const counts = await writeTokenFile(workDir, examples, untrained, DEMO_SHAPE, bpe.tokens.length + 3);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(JSON.stringify({ train: train.length, test: test.length, vocab: bpe.tokens.length + 3, examples: examples.length, counts, seconds }, null, 1));
