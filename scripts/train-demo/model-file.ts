// The demo model's GGUF: llama hyperparameters, the demo tokenizer, and weights either random (to prove the
// pipeline before training) or trained (read from the trainer's raw float32 dump).
import { readFileSync } from "node:fs";
import { GgmlType, GgufValueType } from "../../native/llm/gguf/format.ts";
import { llamaMetadata, llamaTensors, float32ToFloat16Bits } from "../../native/llm/gguf/random-model.ts";
import { writeGguf, type TensorToWrite } from "../../native/llm/gguf/writer.ts";
import { type Bpe, tokenizerMetadata, vocabSize } from "./tokenizer.ts";

export interface DemoShape {
  embedding: number;
  layers: number;
  heads: number;
  feedForward: number;
  contextLength: number;
}

export interface DemoIdentity {
  name: string;
  description: string;
}

/** What the trainer writes next to its weights: each tensor's ggml name, dims (ggml order) and float offset. */
export interface WeightIndex {
  shape: DemoShape;
  tensors: Array<{ name: string; dims: number[]; offset: number }>;
}

function metadataFor(bpe: Bpe, shape: DemoShape, identity: DemoIdentity, type: GgmlType) {
  const metadata = llamaMetadata({ ...shape, kvHeads: shape.heads, type }, identity.name);
  metadata.set("general.description", { type: GgufValueType.STRING, value: identity.description });
  metadata.set("general.license", { type: GgufValueType.STRING, value: "MIT" });
  metadata.set("llama.vocab_size", { type: GgufValueType.UINT32, value: vocabSize(bpe) });
  for (const [key, kv] of tokenizerMetadata(bpe)) metadata.set(key, kv);
  return metadata;
}

export async function writeUntrainedModel(path: string, bpe: Bpe, shape: DemoShape, identity: DemoIdentity): Promise<void> {
  const type = GgmlType.F16;
  const tensors = llamaTensors({ ...shape, kvDim: shape.embedding, vocab: vocabSize(bpe), type, seed: 1 });
  await writeGguf(path, metadataFor(bpe, shape, identity, type), tensors);
}

/** Matrices in f16 (half the bytes, no measurable change for a model this size); norms stay f32 as llama.cpp wants. */
export async function writeTrainedModel(path: string, bpe: Bpe, index: WeightIndex, weightsPath: string, identity: DemoIdentity): Promise<void> {
  const raw = readFileSync(weightsPath);
  const floats = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const tensors: TensorToWrite[] = index.tensors.map(({ name, dims, offset }) => {
    const count = dims.reduce((a, b) => a * b, 1);
    const values = floats.subarray(offset, offset + count);
    const matrix = dims.length === 2;
    return {
      name,
      dims,
      type: matrix ? GgmlType.F16 : GgmlType.F32,
      fill: (target: Buffer) => {
        for (let i = 0; i < count; i++) {
          if (matrix) target.writeUInt16LE(float32ToFloat16Bits(values[i]!), i * 2);
          else target.writeFloatLE(values[i]!, i * 4);
        }
      },
    };
  });
  await writeGguf(path, metadataFor(bpe, index.shape, identity, GgmlType.F16), tensors);
}
