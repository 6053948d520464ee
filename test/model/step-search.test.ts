// Step-level search through node-llama-cpp: a stop string ends a generation where it appears (and is left out),
// a continued answer is a prefix of the assistant's turn rather than a closed turn followed by a new one, and
// beam search and DVTS run end to end on generated models with their trees (pruned branches, the final vote).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GenerateRequest } from "../../native/llm/backend.ts";
import { LlamaBackend } from "../../native/llm/llama-backend.ts";
import { type LlamaRuntime, openRuntime } from "../../native/llm/runtime.ts";
import { executeRun } from "../../native/runs/runner.ts";
import { testModel } from "../support/models.ts";

let runtime: LlamaRuntime;
let actor: string;
let critic: string;

before(async () => {
  actor = await testModel("tinyChat");
  critic = await testModel("tinyCritic");
  runtime = await openRuntime({ threads: 1 });
});

after(async () => {
  await runtime.dispose();
});

const base = (extra: Partial<GenerateRequest>): GenerateRequest => ({
  messages: [
    { role: "system", content: "Solve it." },
    { role: "user", content: "What is 3 + 4?" },
  ],
  maxTokens: 64,
  temperature: 1,
  seed: 3,
  ...extra,
});

test("llama.cpp: a stop string ends the text before it; a continued answer extends the assistant's turn", async () => {
  const backend = new LlamaBackend(runtime, await runtime.loadModel(actor, { sequences: 1 }), "t-");
  const free = await backend.generate(base({}));
  assert.ok(free.text.length >= 8, "the random model wrote something");
  // Two characters from inside what the model wrote (the same seed writes the same tokens) end the next generation
  // where they first appear.
  const stop = free.text.slice(5, 7);
  const stopped = await backend.generate(base({ stop: [stop] }));
  assert.equal(stopped.stopReason, "stop");
  assert.equal(stopped.text, free.text.slice(0, free.text.indexOf(stop)), `${JSON.stringify(stop)} ends the text and is not part of it`);
  assert.ok(stopped.tokensOut < free.tokensOut);

  const prefix = [{ role: "assistant" as const, content: "First, 3 + 4" }];
  const newTurn = await backend.generate(base({ messages: [...base({}).messages, ...prefix], maxTokens: 4 }));
  const continued = await backend.generate(base({ messages: [...base({}).messages, ...prefix], maxTokens: 4, continueAnswer: true }));
  // A closed turn costs its end-of-turn and a new assistant header; a continued one ends at the prefix.
  assert.ok(continued.tokensIn < newTurn.tokensIn, `continued prompt ${continued.tokensIn} tokens < new turn ${newTurn.tokensIn}`);
});

for (const strategy of ["beam-search", "dvts"]) {
  test(`${strategy} runs end to end through node-llama-cpp: steps, prefix verdicts, pruned branches, one vote`, async () => {
    const result = await executeRun({
      strategy,
      params: { n: 4, beamWidth: 2, maxIterations: 3 },
      actor: { path: actor, sampling: { maxTokens: 24 } },
      critic: { path: critic, sampling: { maxTokens: 400 } },
      task: { question: "Tom has 3 apples and buys 4 more. How many apples does he have?", reference: "7" },
      seed: 11,
      outDir: mkdtempSync(join(tmpdir(), "refinery-step-search-")),
      threads: 1,
    });
    assert.equal(result.state.status, "finished", result.state.failure?.reason ?? "");
    const nodes = result.state.order.map((id) => result.state.nodes[id]!);
    const steps = nodes.filter((n) => n.step === "step");
    const verdicts = nodes.filter((n) => n.step === "verify");
    assert.equal(verdicts.length, steps.length, "every step's prefix is judged once");
    assert.ok(steps.length >= 4, "the first iteration alone writes four steps");
    assert.equal(nodes.filter((n) => n.role === "vote").length, 1);
    // With random weights a step rarely ends at a blank line, so most beams finish at once; whatever grew past a
    // first step left pruned siblings behind, and a pruned node never takes part in the final vote.
    const vote = nodes.find((n) => n.role === "vote")!;
    assert.ok(vote.parents.every((id) => !result.state.nodes[id]!.pruned));
    assert.ok(steps.every((n) => n.tokensOut > 0));
  });
}

test("weighted best-of-N with verifyK = 2 through node-llama-cpp: two verdicts per sample, a step majority each, one weighted vote", async () => {
  const result = await executeRun({
    strategy: "weighted-best-of-n",
    params: { n: 3, verifyK: 2 },
    actor: { path: actor, sampling: { maxTokens: 24 } },
    critic: { path: critic, sampling: { maxTokens: 400, temperature: 0.7 } },
    task: { question: "Tom has 3 apples and buys 4 more. How many apples does he have?", reference: "7" },
    seed: 11,
    outDir: mkdtempSync(join(tmpdir(), "refinery-weighted-")),
    threads: 1,
  });
  assert.equal(result.state.status, "finished", result.state.failure?.reason ?? "");
  const nodes = result.state.order.map((id) => result.state.nodes[id]!);
  assert.equal(nodes.filter((n) => n.step === "verify").length, 6);
  assert.equal(nodes.filter((n) => n.step === "step-majority").length, 3);
  const vote = nodes.find((n) => n.step === "weighted-vote")!;
  assert.equal(vote.parents.length, 3);
  assert.match(vote.text, /chosen by the weighted rule/);
});
