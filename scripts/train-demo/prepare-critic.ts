// Step 4 of the demo pipeline: the critic's token ids, from its curriculum (corpus.ts criticExamplesFor) on the
// actor's own samples (sample-actor.ts), into .cache/train-demo/<work>/ for `train.py --work <work>`; with
// --restate, each stepwise `why` first copies the line it judges (stepwiseTarget).
//   node --import tsx scripts/train-demo/prepare-critic.ts [--restate] [--work critic]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { criticExamplesFor, lineLabels } from "./corpus.ts";
import { DEMO_SHAPE, SEED, TEST_COUNT, TRAIN_COUNT, workDir } from "./settings.ts";
import { writeTokenFile } from "./token-file.ts";
import { makeSplits, mulberry32 } from "./world.ts";

const { values } = parseArgs({
  options: { restate: { type: "boolean", default: false }, scramble: { type: "string", default: "0" }, work: { type: "string", default: "critic" } },
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
// How often the actor's own samples go wrong, and where: what the critic has to find.
const distinct = [...texts].flatMap(([id, sampled]) => [...new Set(sampled)].map((text) => lineLabels(byId.get(id)!, text)));
const wrong = distinct.filter((labels) => labels.includes(false)).length;
const vocab = (JSON.parse(readFileSync(join(workDir, "index.json"), "utf8")) as { vocab: number }).vocab;
const counts = await writeTokenFile(join(workDir, values.work), examples, join(workDir, "untrained.gguf"), DEMO_SHAPE, vocab);
console.log(
  JSON.stringify(
    {
      problems: texts.size,
      distinctSamples: distinct.length,
      wrongShare: +(wrong / distinct.length).toFixed(3),
      examples: examples.length,
      counts,
      seconds: +((performance.now() - started) / 1000).toFixed(1),
    },
    null,
    1,
  ),
);
