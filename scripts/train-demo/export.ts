// Writes a trained snapshot as a bundled demo GGUF: the actor's (a step of .cache/train-demo) or, given
// `<work>:<step>`, a critic's (a step of .cache/train-demo/<work>, as `train.py --work <work>` wrote it).
//   node --import tsx scripts/train-demo/export.ts [step|final|<work>:<step>] [out.gguf]
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeTrainedModel, type WeightIndex } from "./model-file.ts";
import { DEMO_CRITIC_FILE, DEMO_CRITIC_IDENTITY, DEMO_IDENTITY, DEMO_MODEL_FILE, MODEL_DIR, workDir } from "./settings.ts";
import type { Bpe } from "./tokenizer.ts";

const snapshot = process.argv[2] ?? "final";
const [work, step] = snapshot.includes(":") ? snapshot.split(":") : [null, snapshot];
const critic = work !== null;
const out = process.argv[3] ?? join(MODEL_DIR, critic ? DEMO_CRITIC_FILE : DEMO_MODEL_FILE);
const stem = critic ? join(workDir, work, `weights-${step}`) : join(workDir, `weights-${step}`);
// A critic trained with --whole-words has its own vocabulary beside its snapshots.
const ownTokenizer = critic ? join(workDir, work, "tokenizer.json") : null;
const bpe = JSON.parse(readFileSync(ownTokenizer && existsSync(ownTokenizer) ? ownTokenizer : join(workDir, "tokenizer.json"), "utf8")) as Bpe;
const index = JSON.parse(readFileSync(`${stem}.json`, "utf8")) as WeightIndex;
mkdirSync(join(out, ".."), { recursive: true });
await writeTrainedModel(out, bpe, index, `${stem}.f32`, critic ? DEMO_CRITIC_IDENTITY : DEMO_IDENTITY);
console.log(`${out}: ${(statSync(out).size / 1e6).toFixed(2)} MB from snapshot ${snapshot}`);
