import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GgmlType, GgufValueType } from "./format.ts";
import { checkTensorData, readGgufHeader } from "./reader.ts";
import { writeGguf } from "./writer.ts";
import { float16BitsToFloat32, float32ToFloat16Bits } from "./random-model.ts";
import { checkModelFile } from "../gguf-check.ts";

const dir = mkdtempSync(join(tmpdir(), "refinery-gguf-"));

test("writer and reader round-trip metadata of every kind and tensor layout", async () => {
  const path = join(dir, "roundtrip.gguf");
  await writeGguf(
    path,
    new Map([
      ["general.architecture", { type: GgufValueType.STRING, value: "llama" }],
      ["llama.block_count", { type: GgufValueType.UINT32, value: 3 }],
      ["x.f", { type: GgufValueType.FLOAT32, value: 0.5 }],
      ["x.b", { type: GgufValueType.BOOL, value: true }],
      ["x.i64", { type: GgufValueType.INT64, value: -5n }],
      ["x.arr", { type: GgufValueType.ARRAY, value: { itemType: GgufValueType.STRING, items: ["a", "bé"] } }],
    ]),
    [
      { name: "a", dims: [4, 2], type: GgmlType.F32, fill: (b) => b.fill(1) },
      { name: "b", dims: [64], type: GgmlType.Q8_0, fill: (b) => b.fill(2) },
    ],
  );
  const header = await readGgufHeader(path);
  assert.equal(header.version, 3);
  assert.equal(header.metadata.get("llama.block_count")!.value, 3);
  assert.equal(header.metadata.get("x.f")!.value, 0.5);
  assert.equal(header.metadata.get("x.b")!.value, true);
  assert.equal(header.metadata.get("x.i64")!.value, -5n);
  assert.deepEqual(header.metadata.get("x.arr")!.value, { itemType: GgufValueType.STRING, items: ["a", "bé"] });
  assert.deepEqual(
    header.tensors.map((t) => [t.name, t.dims, t.offset]),
    [
      ["a", [4, 2], 0],
      ["b", [64], 32],
    ],
  );
  assert.equal(header.dataOffset % 32, 0);
  checkTensorData(header);
  const bytes = readFileSync(path);
  assert.equal(bytes[header.dataOffset], 1);
  assert.equal(bytes[header.dataOffset + 32], 2);
  const summary = await checkModelFile(path);
  assert.equal(summary.architecture, "llama");
  assert.equal(summary.layers, 3);

  writeFileSync(join(dir, "cut.gguf"), bytes.subarray(0, header.dataOffset + 40));
  await assert.rejects(checkModelFile(join(dir, "cut.gguf")), /tensor 'b' needs bytes up to \d+ but the file has \d+ \(\d+ bytes missing/);
  const version = Buffer.from(bytes);
  version.writeUInt32LE(9, 4);
  writeFileSync(join(dir, "v9.gguf"), version);
  await assert.rejects(checkModelFile(join(dir, "v9.gguf")), /GGUF version 9 is not supported/);
  await assert.rejects(checkModelFile(dir), /not a file/);
});

test("float16 conversion of weights", () => {
  assert.equal(float32ToFloat16Bits(1), 0x3c00);
  assert.equal(float32ToFloat16Bits(-2), 0xc000);
  assert.equal(float32ToFloat16Bits(0), 0);
  assert.equal(float32ToFloat16Bits(1e9), 0x7c00);
  // Read back (scripts/train-demo/snapshot.ts): exact for values f16 holds, within f16's rounding for the rest.
  assert.equal(float16BitsToFloat32(0x3c00), 1);
  assert.equal(float16BitsToFloat32(0xc000), -2);
  assert.equal(float16BitsToFloat32(0x0001), 2 ** -24);
  assert.equal(float16BitsToFloat32(0x7c00), Number.POSITIVE_INFINITY);
  for (const value of [0.1, -0.0371, 3.14159, 1234.5, 7e-5]) {
    const back = float16BitsToFloat32(float32ToFloat16Bits(value));
    assert.ok(Math.abs(back - value) <= Math.abs(value) * 2 ** -10, `${value} came back as ${back}`);
  }
});

test("random Q8_0 tensors keep every block's scale in place across pattern copies", async () => {
  const { makeFiller } = await import("./random-model.ts");
  const target = Buffer.alloc(34 * 5000);
  makeFiller(GgmlType.Q8_0, 5, 0.08)(target);
  const scale = float32ToFloat16Bits(0.08 / 127);
  for (let block = 0; block < 5000; block++) assert.equal(target.readUInt16LE(block * 34), scale, `block ${block}`);
});
