// A trained GGUF back into the trainer's snapshot layout (weights-<name>.f32 and .json under .cache/train-demo, or
// under its folder <work> for a critic with a vocabulary of its own), so `train.py --init <name>` (or
// `--init <work>/weights-<name>`) can start from a shipped file when the run that made it is gone. Matrices come
// back from f16, as the GGUF holds them. Refuses a file whose vocabulary is not the one its folder's ids use.
// With no file it reads the digit-vocabulary actor kept in checkpoints/ (prepare.ts's tokenizer) as weights-digits-9600.
//   node --import tsx scripts/train-demo/snapshot.ts [model.gguf] [name] [work]
import { openSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GgmlType } from "../../native/llm/gguf/format.ts";
import { float16BitsToFloat32 } from "../../native/llm/gguf/random-model.ts";
import { metadataValue, readGgufHeader } from "../../native/llm/gguf/reader.ts";
import { DEMO_SHAPE, DIGIT_ACTOR_CHECKPOINT, workDir } from "./settings.ts";
import { type Bpe, tokenizerMetadata } from "./tokenizer.ts";
import type { WeightIndex } from "./model-file.ts";

const path = process.argv[2] ?? DIGIT_ACTOR_CHECKPOINT;
const name = process.argv[3] ?? "digits-9600";
const out = process.argv[4] ? join(workDir, process.argv[4]) : workDir;
const header = await readGgufHeader(path);
const bpe = JSON.parse(readFileSync(join(out, "tokenizer.json"), "utf8")) as Bpe;
const expected = tokenizerMetadata(bpe).get("tokenizer.ggml.tokens")?.value;
const actual = metadataValue(header, "tokenizer.ggml.tokens");
if (JSON.stringify(expected) !== JSON.stringify(actual)) {
  const how = out === workDir ? "prepare.ts first, with the same seed" : `prepare-critic.ts --whole-words --vocabulary ${path} --work ${process.argv[4]} first`;
  throw new Error(`${path} does not use the tokenizer in ${out}: run ${how}`);
}
const shape = {
  ...DEMO_SHAPE,
  embedding: Number(metadataValue(header, "llama.embedding_length")),
  layers: Number(metadataValue(header, "llama.block_count")),
  heads: Number(metadataValue(header, "llama.attention.head_count")),
  feedForward: Number(metadataValue(header, "llama.feed_forward_length")),
};
const file = openSync(path, "r");
const index: WeightIndex = { shape, tensors: [] };
const parts: Float32Array[] = [];
let offset = 0;
for (const tensor of header.tensors) {
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  const width = tensor.type === GgmlType.F16 ? 2 : tensor.type === GgmlType.F32 ? 4 : 0;
  if (!width) throw new Error(`${tensor.name} is of ggml type ${tensor.type}; only f16 and f32 tensors can be read back`);
  const bytes = Buffer.alloc(count * width);
  readSync(file, bytes, 0, bytes.length, header.dataOffset + tensor.offset);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = width === 2 ? float16BitsToFloat32(bytes.readUInt16LE(i * 2)) : bytes.readFloatLE(i * 4);
  index.tensors.push({ name: tensor.name, dims: tensor.dims, offset });
  parts.push(values);
  offset += count;
}
const flat = new Float32Array(offset);
let at = 0;
for (const part of parts) {
  flat.set(part, at);
  at += part.length;
}
writeFileSync(join(out, `weights-${name}.f32`), Buffer.from(flat.buffer));
writeFileSync(join(out, `weights-${name}.json`), JSON.stringify(index));
console.log(`${path} → ${join(out, `weights-${name}`)} (${index.tensors.length} tensors, ${offset} floats)`);
