// Step 4 of the demo pipeline: the critic's token ids, from its curriculum (corpus.ts criticExamplesFor) on the
// actor's own samples (sample-actor.ts), into .cache/train-demo/<work>/ for `train.py --work <work>`; with
// --restate, each stepwise `why` first copies the line it judges (stepwiseTarget); with --whole-words, in a
// vocabulary of its own (tokenizer.ts, GPT-2's pre-tokenizer) where every number and word is one token, written
// with an untrained GGUF beside the ids: the critic then trains from scratch (train.py without --init), or, with
// --vocabulary <critic.gguf>, in that file's vocabulary, so its training can go on (snapshot.ts, train.py --init).
// With --with-actor the world's own conversations join it (corpus.ts examplesFor: drafts, refinements, verdicts on
// the world's corruptions), so one model in that vocabulary learns both roles, the drafts' arithmetic included.
//   node --import tsx scripts/train-demo/prepare-critic.ts [--restate] [--scramble N] [--whole-words [--vocabulary f.gguf]] [--with-actor] [--work critic]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readGgufHeader } from "../../native/llm/gguf/reader.ts";
import { criticExamplesFor, examplesFor, lineLabels } from "./corpus.ts";
import { writeUntrainedModel } from "./model-file.ts";
import { CRITIC_MERGES, DEMO_SHAPE, SEED, TEST_COUNT, TRAIN_COUNT, UNTRAINED_IDENTITY, workDir } from "./settings.ts";
import { writeTokenFile } from "./token-file.ts";
import { bpeOfModel, trainBpe, vocabSize } from "./tokenizer.ts";
import { makeSplits, mulberry32 } from "./world.ts";

const { values } = parseArgs({
  options: {
    restate: { type: "boolean", default: false },
    scramble: { type: "string", default: "0" },
    "whole-words": { type: "boolean", default: false },
    vocabulary: { type: "string" },
    "with-actor": { type: "boolean", default: false },
    work: { type: "string", default: "critic" },
  },
});
const started = performance.now();
const { train } = makeSplits(SEED, TRAIN_COUNT, TEST_COUNT);
const byId = new Map(train.map((p) => [p.id, p]));
const texts = new Map<string, string[]>();
for (const line of readFileSync(join(workDir, "actor-samples.jsonl"), "utf8").split("\n").filter(Boolean)) {
  const sample = JSON.parse(line) as { id: string; text: string };
  texts.set(sample.id, [...(texts.get(sample.id) ?? []), sample.text]);
}
const random = mulberry32(SEED + 3);
const examples = [...texts].flatMap(([id, sampled]) =>
  criticExamplesFor(random, byId.get(id)!, sampled, { restate: values.restate, scramble: Number(values.scramble) }),
);
if (values["with-actor"]) {
  const worldRandom = mulberry32(SEED + 4);
  examples.push(...train.flatMap((problem) => examplesFor(worldRandom, problem, { restate: values.restate })));
}
// How often the actor's own samples go wrong, and where: what the critic has to find.
const distinct = [...texts].flatMap(([id, sampled]) => [...new Set(sampled)].map((text) => lineLabels(byId.get(id)!, text)));
const wrong = distinct.filter((labels) => labels.includes(false)).length;
const out = join(workDir, values.work);
let tokenizerModel = join(workDir, "untrained.gguf");
let vocab = (JSON.parse(readFileSync(join(workDir, "index.json"), "utf8")) as { vocab: number }).vocab;
if (values.vocabulary && !values["whole-words"]) throw new Error("--vocabulary goes with --whole-words");
if (values["whole-words"]) {
  const texts = () => examples.flatMap((e) => [...e.messages.map((m) => m.content), e.target, "system\n", "user\n", "assistant\n"]);
  const bpe = values.vocabulary ? bpeOfModel(await readGgufHeader(values.vocabulary)) : trainBpe(texts(), CRITIC_MERGES, "gpt-2");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "tokenizer.json"), JSON.stringify(bpe));
  tokenizerModel = join(out, "untrained.gguf");
  await writeUntrainedModel(tokenizerModel, bpe, DEMO_SHAPE, UNTRAINED_IDENTITY);
  vocab = vocabSize(bpe);
}
const counts = await writeTokenFile(out, examples, tokenizerModel, DEMO_SHAPE, vocab);
console.log(
  JSON.stringify(
    {
      problems: texts.size,
      distinctSamples: distinct.length,
      wrongShare: +(wrong / distinct.length).toFixed(3),
      examples: examples.length,
      vocab,
      counts,
      seconds: +((performance.now() - started) / 1000).toFixed(1),
    },
    null,
    1,
  ),
);
