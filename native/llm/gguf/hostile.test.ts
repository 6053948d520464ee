// Crafted GGUF headers that would cost seconds and gigabytes to read, or reach llama.cpp with a raw error: each is
// refused from its header, quickly, with a message naming the problem.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkModelFile } from "../gguf-check.ts";
import { GgmlType, GgufValueType } from "./format.ts";
import { MAX_METADATA_ITEMS } from "./reader.ts";
import { writeGguf } from "./writer.ts";

const dir = mkdtempSync(join(tmpdir(), "refinery-hostile-gguf-"));

/** A GGUF header written by hand, field by field, so it can say what no honest writer would. */
class Header {
  private readonly parts: Buffer[] = [];
  u32(v: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.parts.push(b);
    return this;
  }
  u64(v: number) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.parts.push(b);
    return this;
  }
  zeros(n: number) {
    this.parts.push(Buffer.alloc(n));
    return this;
  }
  str(s: string) {
    this.u64(Buffer.byteLength(s));
    this.parts.push(Buffer.from(s));
    return this;
  }
  start(tensors: number, kvs: number) {
    this.parts.push(Buffer.from("GGUF"));
    return this.u32(3).u64(tensors).u64(kvs);
  }
  write(name: string, padding = 4096) {
    const path = join(dir, name);
    writeFileSync(path, Buffer.concat([...this.parts, Buffer.alloc(padding)]));
    return path;
  }
}

test("one huge metadata array is refused before it is read", async () => {
  const path = new Header().start(0, 1).str("tokenizer.ggml.scores").u32(GgufValueType.ARRAY).u32(GgufValueType.UINT8).u64(48_000_000).write("huge-array.gguf");
  await assert.rejects(checkModelFile(path), new RegExp(`'tokenizer.ggml.scores' claims 48000000 array items, past the ${MAX_METADATA_ITEMS}`));
});

test("arrays under the cap each, but over it together, are refused too", async () => {
  const header = new Header().start(0, 3);
  for (const key of ["a", "b"])
    header
      .str(key)
      .u32(GgufValueType.ARRAY)
      .u32(GgufValueType.UINT8)
      .u64(MAX_METADATA_ITEMS / 2)
      .zeros(MAX_METADATA_ITEMS / 2);
  header.str("c").u32(GgufValueType.ARRAY).u32(GgufValueType.UINT8).u64(1);
  await assert.rejects(checkModelFile(header.write("many-arrays.gguf")), /'c' claims 1 array items, past the \d+ a model's metadata may hold in total/);
});

test("nested arrays get a specific error", async () => {
  const path = new Header()
    .start(0, 1)
    .str("x.nested")
    .u32(GgufValueType.ARRAY)
    .u32(GgufValueType.ARRAY)
    .u64(1_000_000)
    .u32(GgufValueType.UINT8)
    .u64(0)
    .write("nested.gguf");
  await assert.rejects(checkModelFile(path), /'x.nested' is an array of arrays/);
});

test("general.alignment = 0 gets a specific error", async () => {
  const path = new Header().start(0, 1).str("general.alignment").u32(GgufValueType.UINT32).u32(0).write("alignment-0.gguf");
  await assert.rejects(checkModelFile(path), /general.alignment is 0; GGUF needs a power of two/);
});

test("an unknown tensor type gets a specific error", async () => {
  const path = new Header().start(1, 0).str("blk.0.weight").u32(1).u64(8).u32(250).u64(0).write("tensor-type.gguf");
  await assert.rejects(checkModelFile(path), /tensor 'blk.0.weight' has type 250, which this llama.cpp does not know/);
});

test("an unknown tokenizer is reported when the file is checked, before llama.cpp fails to load it", async () => {
  const path = join(dir, "tokenizer.gguf");
  await writeGguf(
    path,
    new Map([
      ["general.architecture", { type: GgufValueType.STRING, value: "llama" }],
      ["tokenizer.ggml.model", { type: GgufValueType.STRING, value: "sentencepiece-9000" }],
    ]),
    [{ name: "a", dims: [8], type: GgmlType.F32, fill: (b) => b.fill(1) }],
  );
  await assert.rejects(checkModelFile(path), /tokenizer 'sentencepiece-9000' is not one llama.cpp reads/);
});
