// The trainer's input: every example's token ids (prompt, reply, <|im_end|>) in one flat uint16 file, and an
// index of where each starts and where its reply starts (the only part the loss counts). The ids come from
// node-llama-cpp's own tokenizer and chat wrapper on the demo GGUF, so the model trains on the exact tokens a
// Refinery run feeds it.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getLlama } from "node-llama-cpp";
import { toChatHistory } from "../../native/llm/llama-backend.ts";
import { chooseChatWrapper } from "../../native/llm/runtime.ts";
import type { Example } from "./corpus.ts";
import type { DemoShape } from "./model-file.ts";

export type KindCounts = Record<string, { examples: number; tokens: number; longest: number }>;

export async function writeTokenFile(dir: string, examples: Example[], tokenizerModel: string, shape: DemoShape, vocab: number): Promise<KindCounts> {
  mkdirSync(dir, { recursive: true });
  const llama = await getLlama({ build: "never", gpu: false });
  const model = await llama.loadModel({ modelPath: tokenizerModel });
  try {
    const { chatWrapper, chatFormat } = chooseChatWrapper(model, undefined);
    if (chatFormat.wrapper !== "ChatML") throw new Error(`the demo template resolved to ${chatFormat.wrapper}, not ChatML`);
    const end = model.tokens.eos;
    if (end === null) throw new Error("the demo vocabulary has no end-of-turn token");
    const ids: number[] = [];
    const index: Array<{ kind: string; start: number; reply: number; end: number }> = [];
    const counts: KindCounts = {};
    for (const example of examples) {
      const { contextText } = chatWrapper.generateContextState({ chatHistory: toChatHistory(example.messages) });
      const prompt = contextText.tokenize(model.tokenizer);
      const reply = model.tokenize(example.target);
      const start = ids.length;
      ids.push(...prompt, ...reply, end);
      index.push({ kind: example.kind, start, reply: start + prompt.length, end: ids.length });
      const count = counts[example.kind] ?? { examples: 0, tokens: 0, longest: 0 };
      counts[example.kind] = count;
      count.examples++;
      count.tokens += ids.length - start;
      count.longest = Math.max(count.longest, ids.length - start);
    }
    writeFileSync(join(dir, "tokens.u16"), Buffer.from(new Uint16Array(ids).buffer));
    writeFileSync(join(dir, "index.json"), JSON.stringify({ shape, vocab, examples: index }));
    return counts;
  } finally {
    await model.dispose();
    await llama.dispose();
  }
}
