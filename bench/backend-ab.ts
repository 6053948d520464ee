// Refinery's backend against node-llama-cpp's LlamaChat in one process, on one model: the engine side generates
// through LlamaBackend (as every strategy does), the direct side through a LlamaChat on a second context made with
// the same size, threads and flash attention, the same prompt, temperature and seed. Rounds alternate which side
// goes first; the first round warms both and is not counted. What it separates: a per-token cost in the backend's
// generation call (it would show here) from one of the process a path runs in (it would not).
//   node --import tsx bench/backend-ab.ts [--model <gguf>] [--tokens 256] [--rounds 8] [--sequences 1 (each context's)]
import { parseArgs } from "node:util";
import { LlamaChat } from "node-llama-cpp";
import { LlamaBackend, toChatHistory } from "../native/llm/llama-backend.ts";
import { openRuntime } from "../native/llm/runtime.ts";
import { storiesModel } from "../test/support/models.ts";
import { median } from "./paths/rounds.ts";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    tokens: { type: "string", default: "256" },
    rounds: { type: "string", default: "8" },
    sequences: { type: "string", default: "1" },
  },
});
const path = values.model ?? storiesModel;
const tokens = Number(values.tokens);
const rounds = Number(values.rounds);
const runtime = await openRuntime({ gpu: "cpu", threads: 1 });
const sequences = Number(values.sequences);
const loaded = await runtime.loadModel(path, { sequences });
const backend = new LlamaBackend(runtime, loaded, "actor");
const context = await loaded.model.createContext({
  contextSize: loaded.context.contextSize,
  sequences,
  threads: 1,
  flashAttention: loaded.context.flashAttention,
});
const sequence = context.getSequence();
const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: loaded.chatWrapper });
const messages = [
  { role: "system" as const, content: "You are a storyteller." },
  { role: "user" as const, content: "Tell me a story about a cat." },
];

async function side(name: "engine" | "direct", round: number): Promise<number> {
  const started = performance.now();
  if (name === "engine") {
    const result = await backend.generate({ messages, maxTokens: tokens, temperature: 0.8, seed: 7, lane: `round-${round}` });
    return (performance.now() - started) / result.tokensOut;
  }
  await sequence.clearHistory();
  const before = sequence.tokenMeter.usedOutputTokens;
  await chat.generateResponse(toChatHistory(messages), { maxTokens: tokens, temperature: 0.8, seed: 7 });
  return (performance.now() - started) / (sequence.tokenMeter.usedOutputTokens - before);
}

const perToken = { engine: [] as number[], direct: [] as number[] };
for (let round = 0; round < rounds; round++) {
  for (const name of round % 2 ? (["direct", "engine"] as const) : (["engine", "direct"] as const)) {
    const ms = await side(name, round);
    if (round > 0) perToken[name].push(ms);
  }
}
const [engine, direct] = [median(perToken.engine), median(perToken.direct)];
console.log(`${path}: ${tokens} tokens a generation, ${rounds - 1} counted rounds, 1 thread, flash attention ${loaded.context.flashAttention}`);
console.log(`engine (LlamaBackend) ${engine.toFixed(3)} ms/token, direct (LlamaChat) ${direct.toFixed(3)} ms/token: ${(engine / direct).toFixed(3)}×`);
await context.dispose();
await runtime.dispose();
