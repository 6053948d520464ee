// Writes a trained snapshot as the bundled demo GGUF.
//   node --import tsx scripts/train-demo/export.ts [step|final] [out.gguf]
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeTrainedModel, type WeightIndex } from "./model-file.ts";
import { DEMO_IDENTITY, DEMO_MODEL_FILE, MODEL_DIR, workDir } from "./settings.ts";
import type { Bpe } from "./tokenizer.ts";

const snapshot = process.argv[2] ?? "final";
const out = process.argv[3] ?? join(MODEL_DIR, DEMO_MODEL_FILE);
const stem = join(workDir, `weights-${snapshot}`);
const bpe = JSON.parse(readFileSync(join(workDir, "tokenizer.json"), "utf8")) as Bpe;
const index = JSON.parse(readFileSync(`${stem}.json`, "utf8")) as WeightIndex;
mkdirSync(join(out, ".."), { recursive: true });
await writeTrainedModel(out, bpe, index, `${stem}.f32`, DEMO_IDENTITY);
console.log(`${out}: ${(statSync(out).size / 1e6).toFixed(2)} MB from snapshot ${snapshot}`);
