// A tiny self-contained llama GGUF (byte-level SPM vocabulary, random weights) for proving a GPU backend: the
// app can make it anywhere, with no tokenizer file to borrow.
import { GgmlType, GgufValueType, type GgufKv } from "./format.ts";
import { makeFiller } from "./random-model.ts";
import { writeGguf, type TensorToWrite } from "./writer.ts";

export async function writeProbeModel(path: string): Promise<void> {
  const tokens = ["<unk>", "<s>", "</s>", ...Array.from({ length: 256 }, (_, i) => `<0x${i.toString(16).toUpperCase().padStart(2, "0")}>`), "▁", "▁a", "▁the", "e", "t"];
  const types = tokens.map((_, i) => (i === 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1));
  const n = 64;
  const ff = 128;
  const u32 = (value: number): GgufKv => ({ type: GgufValueType.UINT32, value });
  const metadata = new Map<string, GgufKv>([
    ["general.architecture", { type: GgufValueType.STRING, value: "llama" }],
    ["general.name", { type: GgufValueType.STRING, value: "refinery-probe" }],
    ["llama.context_length", u32(256)],
    ["llama.embedding_length", u32(n)],
    ["llama.block_count", u32(1)],
    ["llama.feed_forward_length", u32(ff)],
    ["llama.attention.head_count", u32(4)],
    ["llama.attention.head_count_kv", u32(4)],
    ["llama.rope.dimension_count", u32(16)],
    ["llama.attention.layer_norm_rms_epsilon", { type: GgufValueType.FLOAT32, value: 1e-5 }],
    ["tokenizer.ggml.model", { type: GgufValueType.STRING, value: "llama" }],
    ["tokenizer.ggml.tokens", { type: GgufValueType.ARRAY, value: { itemType: GgufValueType.STRING, items: tokens } }],
    ["tokenizer.ggml.scores", { type: GgufValueType.ARRAY, value: { itemType: GgufValueType.FLOAT32, items: tokens.map((_, i) => -i) } }],
    ["tokenizer.ggml.token_type", { type: GgufValueType.ARRAY, value: { itemType: GgufValueType.INT32, items: types } }],
    ["tokenizer.ggml.unknown_token_id", u32(0)],
    ["tokenizer.ggml.bos_token_id", u32(1)],
    ["tokenizer.ggml.eos_token_id", u32(2)],
  ]);
  let seed = 1;
  const m = (name: string, dims: number[]): TensorToWrite => ({ name, dims, type: GgmlType.F16, fill: makeFiller(GgmlType.F16, seed++, 0.1) });
  const norm = (name: string): TensorToWrite => ({ name, dims: [n], type: GgmlType.F32, fill: (b) => { for (let i = 0; i < b.length; i += 4) b.writeFloatLE(1, i); } });
  await writeGguf(path, metadata, [
    m("token_embd.weight", [n, tokens.length]),
    norm("output_norm.weight"),
    norm("blk.0.attn_norm.weight"),
    m("blk.0.attn_q.weight", [n, n]),
    m("blk.0.attn_k.weight", [n, n]),
    m("blk.0.attn_v.weight", [n, n]),
    m("blk.0.attn_output.weight", [n, n]),
    norm("blk.0.ffn_norm.weight"),
    m("blk.0.ffn_gate.weight", [n, ff]),
    m("blk.0.ffn_up.weight", [n, ff]),
    m("blk.0.ffn_down.weight", [ff, n]),
  ]);
}
