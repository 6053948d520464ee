// The header read once feeds node-llama-cpp: the GgufFileInfo built from it is the one readGgufFileInfo makes,
// nesting quirks included (keys that do not nest, a value where a later key would nest, and the reverse).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { ggufFileInfoFrom, isSplitModelPart } from "./file-info.ts";
import { GgmlType, GgufValueType, type GgufKv } from "./format.ts";
import { readGgufHeader } from "./reader.ts";
import { writeGguf } from "./writer.ts";

const s = (value: string): GgufKv => ({ type: GgufValueType.STRING, value });
const u32 = (value: number): GgufKv => ({ type: GgufValueType.UINT32, value });

test("the info built from the checked header equals node-llama-cpp's own reading of the file", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "refinery-file-info-")), "m.gguf");
  await writeGguf(
    path,
    new Map<string, GgufKv>([
      ["general.architecture", s("llama")],
      ["general.name", s("tiny")],
      ["general.license.link", s("https://example.com/license")],
      ["general.alignment", u32(64)],
      ["llama.context_length", u32(2048)],
      ["llama.attention.head_count", u32(4)],
      ["llama.rope.dimension_count", { type: GgufValueType.UINT64, value: 64n }],
      ["tokenizer.chat_template", s("{{ messages }}")],
      ["tokenizer.chat_template.tool_use", s("{{ tools }}")],
      ["tokenizer.ggml.tokens", { type: GgufValueType.ARRAY, value: { itemType: GgufValueType.STRING, items: ["<s>", "a", "b"] } }],
      ["tokenizer.ggml.scores", { type: GgufValueType.ARRAY, value: { itemType: GgufValueType.FLOAT32, items: [0, -1, -2] } }],
      ["odd.value", s("a value first")],
      ["odd.value.below", s("then a key under it")],
      ["other.deep.key", u32(1)],
      ["other.deep", u32(2)],
    ]),
    [
      { name: "token_embd.weight", dims: [8, 3], type: GgmlType.F32, fill: (b) => b.fill(1) },
      { name: "output.weight", dims: [8, 3], type: GgmlType.F16, fill: (b) => b.fill(0) },
    ],
  );
  const theirs = await readGgufFileInfo(path, { logWarnings: false });
  const ours = ggufFileInfoFrom(await readGgufHeader(path), path);
  assert.deepEqual(ours, theirs);
});

test("parts of a split model are left to node-llama-cpp, which splices them", () => {
  assert.equal(isSplitModelPart("/m/qwen-00001-of-00003.gguf"), true);
  assert.equal(isSplitModelPart("/m/qwen.gguf"), false);
});
