// Step 1 of the demo pipeline: the world's splits, the bundled dataset, the training conversations, the
// tokenizer (as an untrained GGUF) and the token ids the trainer reads. Every id comes from node-llama-cpp's own
// tokenizer and chat wrapper on that GGUF, so the model trains on the exact tokens a Refinery run feeds it.
//   node --import tsx scripts/train-demo/prepare.ts
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getLlama } from "node-llama-cpp";
import { toChatHistory } from "../../native/llm/llama-backend.ts";
import { chooseChatWrapper } from "../../native/llm/runtime.ts";
import { examplesFor, lineLabels, type Example } from "./corpus.ts";
import { writeUntrainedModel } from "./model-file.ts";
import { DATASET_PATH, PROCESSBENCH_PATH, DEMO_SHAPE, MERGES, SEED, TEST_COUNT, TRAIN_COUNT, UNTRAINED_IDENTITY, workDir } from "./settings.ts";
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

const llama = await getLlama({ build: "never", gpu: false });
const model = await llama.loadModel({ modelPath: untrained });
const { chatWrapper, chatFormat } = chooseChatWrapper(model, undefined);
if (chatFormat.wrapper !== "ChatML") throw new Error(`the demo template resolved to ${chatFormat.wrapper}, not ChatML`);
const end = model.tokens.eos;
if (end === null) throw new Error("the demo vocabulary has no end-of-turn token");

// One flat uint16 array of every example (prompt then reply then <|im_end|>); the index says where each starts
// and where its reply starts, the only part the loss counts.
const ids: number[] = [];
const index: Array<{ kind: string; start: number; reply: number; end: number }> = [];
const counts: Record<string, { examples: number; tokens: number; longest: number }> = {};
for (const example of examples) {
  const { contextText } = chatWrapper.generateContextState({ chatHistory: toChatHistory(example.messages) });
  const prompt = contextText.tokenize(model.tokenizer);
  const reply = model.tokenize(example.target);
  const start = ids.length;
  ids.push(...prompt, ...reply, end);
  index.push({ kind: example.kind, start, reply: start + prompt.length, end: ids.length });
  const count = counts[example.kind] ?? { examples: 0, tokens: 0, longest: 0 };
  counts[example.kind] = count;
  count.examples++;
  count.tokens += ids.length - start;
  count.longest = Math.max(count.longest, ids.length - start);
}
writeFileSync(join(workDir, "tokens.u16"), Buffer.from(new Uint16Array(ids).buffer));
writeFileSync(join(workDir, "index.json"), JSON.stringify({ shape: DEMO_SHAPE, vocab: bpe.tokens.length + 3, examples: index }));
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(JSON.stringify({ train: train.length, test: test.length, vocab: bpe.tokens.length + 3, examples: examples.length, counts, seconds }, null, 1));
await model.dispose();
await llama.dispose();
