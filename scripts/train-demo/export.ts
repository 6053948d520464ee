// Writes a trained snapshot as a bundled demo GGUF: a step of .cache/train-demo, or, given `<work>:<step>`, a step of
// .cache/train-demo/<work> (as `train.py --work <work>` wrote it). It is written as the actor (the demo file's name
// and identity) unless it comes from a work folder, which is the critic's by default; --role says which.
//   node --import tsx scripts/train-demo/export.ts [step|final|<work>:<step>] [out.gguf] [--role actor|critic]
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeTrainedModel, type WeightIndex } from "./model-file.ts";
import { DEMO_CRITIC_FILE, DEMO_CRITIC_IDENTITY, DEMO_IDENTITY, DEMO_MODEL_FILE, MODEL_DIR, workDir } from "./settings.ts";
import type { Bpe } from "./tokenizer.ts";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { role: { type: "string" } } });
const snapshot = positionals[0] ?? "final";
const [work, step] = snapshot.includes(":") ? snapshot.split(":") : [null, snapshot];
if (values.role !== undefined && values.role !== "actor" && values.role !== "critic") throw new Error(`--role is actor or critic, not ${values.role}`);
const critic = (values.role ?? (work !== null ? "critic" : "actor")) === "critic";
const out = positionals[1] ?? join(MODEL_DIR, critic ? DEMO_CRITIC_FILE : DEMO_MODEL_FILE);
const stem = work !== null ? join(workDir, work, `weights-${step}`) : join(workDir, `weights-${step}`);
// A model trained with --whole-words has its own vocabulary beside its snapshots.
const ownTokenizer = work !== null ? join(workDir, work, "tokenizer.json") : null;
const bpe = JSON.parse(readFileSync(ownTokenizer && existsSync(ownTokenizer) ? ownTokenizer : join(workDir, "tokenizer.json"), "utf8")) as Bpe;
const index = JSON.parse(readFileSync(`${stem}.json`, "utf8")) as WeightIndex;
mkdirSync(join(out, ".."), { recursive: true });
await writeTrainedModel(out, bpe, index, `${stem}.f32`, critic ? DEMO_CRITIC_IDENTITY : DEMO_IDENTITY);
console.log(`${out}: ${(statSync(out).size / 1e6).toFixed(2)} MB from snapshot ${snapshot}`);
