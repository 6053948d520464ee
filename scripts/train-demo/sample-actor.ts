// Step 3 of the demo pipeline: an actor's own solutions to training problems, sampled through Refinery's
// backend with the solver prompt a run sends (greedy, as the bench's actor drafts, and at 0.8, as
// self-consistency samples). The critic learns on these: its wrong steps are the actor's own.
// The shipped critic learnt on the samples of the earlier digit-vocabulary actor, kept as a checkpoint:
//   node --import tsx scripts/train-demo/sample-actor.ts [problems] [samples at 0.8] [actor.gguf, default the shipped actor]
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { LlamaBackend } from "../../native/llm/llama-backend.ts";
import { openRuntime } from "../../native/llm/runtime.ts";
import { solverMessages } from "../../native/strategies/prompts.ts";
import { DEMO_MODEL_FILE, MODEL_DIR, SEED, TEST_COUNT, TRAIN_COUNT, workDir } from "./settings.ts";
import { makeSplits } from "./world.ts";

const count = Number(process.argv[2] ?? 3000);
const samples = Number(process.argv[3] ?? 2);
const started = performance.now();
const { train } = makeSplits(SEED, TRAIN_COUNT, TEST_COUNT);
const runtime = await openRuntime({ gpu: "auto" });
const backend = new LlamaBackend(runtime, await runtime.loadModel(process.argv[4] ?? join(MODEL_DIR, DEMO_MODEL_FILE), { sequences: 1 }), "actor");
const out: Array<{ id: string; temperature: number; seed: number; text: string }> = [];
for (const [index, problem] of train.slice(0, count).entries()) {
  for (let s = 0; s <= samples; s++) {
    const temperature = s === 0 ? 0 : 0.8;
    const seed = SEED * 100_000 + index * 10 + s;
    const result = await backend.generate({ messages: solverMessages(problem.question), maxTokens: 160, temperature, seed });
    out.push({ id: problem.id, temperature, seed, text: result.text });
  }
  if (out.length % 300 === 0) console.log(`${out.length} samples, ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
writeFileSync(join(workDir, "actor-samples.jsonl"), `${out.map((o) => JSON.stringify(o)).join("\n")}\n`);
console.log(`${out.length} samples of ${count} problems in ${((performance.now() - started) / 1000).toFixed(0)} s`);
await runtime.dispose();
