// Per-token confidence through node-llama-cpp: the re-scoring pass gives one value per generated token, leaves the
// sequence as it was (the next turn on the lane still reuses its prefix) and the text as it would have been; the
// online stop ends a trace at the first slice whose window falls below the threshold; DeepConf runs end to end.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GenerateRequest } from "../../native/llm/backend.ts";
import { CONFIDENCE_SLICE, LlamaBackend } from "../../native/llm/llama-backend.ts";
import { type LlamaRuntime, openRuntime } from "../../native/llm/runtime.ts";
import { rescoreConfidence } from "../../native/llm/llama-confidence.ts";
import { decodeConfidence, tokenConfidence } from "../../native/protocol/token-confidence.ts";
import { executeRun } from "../../native/runs/runner.ts";
import { testModel } from "../support/models.ts";

let runtime: LlamaRuntime;
let actor: string;

before(async () => {
  actor = await testModel("tinyChat");
  runtime = await openRuntime({ threads: 1 });
});

after(async () => {
  await runtime.dispose();
});

const request = (extra: Partial<GenerateRequest>): GenerateRequest => ({
  messages: [
    { role: "system", content: "Solve it." },
    { role: "user", content: "What is 3 + 4?" },
  ],
  maxTokens: 48,
  temperature: 1,
  seed: 3,
  lane: "a",
  ...extra,
});

test("llama.cpp: confidence is one top-20 value per generated token, and asking for it changes neither text nor the next turn", async () => {
  const backend = new LlamaBackend(runtime, await runtime.loadModel(actor, { sequences: 1 }), "c-");
  const followUp = (text: string, lane: string) =>
    request({ messages: [...request({}).messages, { role: "assistant", content: text }, { role: "user", content: "Are you sure?" }], maxTokens: 8, lane });
  const plain = await backend.generate(request({ lane: "plain" }));
  const plainNext = await backend.generate(followUp(plain.text, "plain"));
  const scored = await backend.generate(request({ confidence: {} }));
  const scoredNext = await backend.generate(followUp(scored.text, "a"));
  assert.equal(scored.text, plain.text, "the re-scoring pass runs after generation: same seed, same text");
  assert.equal(scored.tokensOut, plain.tokensOut, "the pass is evaluation, not generation: it adds no output tokens");
  assert.equal(plain.tokenConfidence, undefined, "nothing is scored unless asked");
  const values = scored.tokenConfidence ?? [];
  // The last sampled token (end of generation or of the budget) never enters the context, so it has no value.
  assert.equal(values.length, scored.tokensOut - 1, `${values.length} values for ${scored.tokensOut} tokens`);
  assert.ok(
    values.every((v) => v > 0 && v <= 64),
    "−mean log p of the top 20 lies in (0, 64]",
  );
  assert.ok(new Set(values.map((v) => v.toFixed(3))).size > 1, "positions differ in confidence");
  // The sequence holds what it held before the pass: the next turn reuses and writes the same as without it.
  assert.equal(scoredNext.text, plainNext.text);
  assert.equal(scoredNext.tokensEvaluated, plainNext.tokensEvaluated);
});

test("llama.cpp: the two cheap passes (top 20 renormalised, greedy p₁) give the full distribution's top-20 confidence", async () => {
  const loaded = await runtime.loadModel(actor, { sequences: 1 });
  const context = await loaded.model.createContext({ contextSize: 256, sequences: 2, threads: 1 });
  try {
    const tokens = loaded.model.tokenize("Tom has 3 apples and buys 4 more. How many apples does he have?");
    const reference = context.getSequence();
    const outputs = await reference.controlledEvaluate(tokens.map((token) => [token, { generateNext: { probabilities: true } }]));
    // The full distribution after token i − 1 scores token i: positions 1 … end.
    const expected = tokens.slice(1).map((_, i) => tokenConfidence([...outputs[i]!.next.probabilities!.values()].slice(0, 20).map(Math.log)));
    const sequence = context.getSequence();
    await sequence.controlledEvaluate(tokens);
    const values = await rescoreConfidence(sequence, 1);
    assert.equal(values.length, expected.length);
    values.forEach((value, i) => assert.ok(Math.abs(value - expected[i]!) < 1e-3, `position ${i + 1}: ${value} vs ${expected[i]}`));
    assert.deepEqual(sequence.contextTokens, tokens, "the sequence holds the same tokens after the passes");
  } finally {
    await context.dispose();
  }
});

test("llama.cpp: the online stop ends a trace at the first slice whose window falls below the threshold", async () => {
  const backend = new LlamaBackend(runtime, await runtime.loadModel(actor, { sequences: 1 }), "s-");
  const long = request({ maxTokens: CONFIDENCE_SLICE * 3, messages: [{ role: "user", content: "Write a long story about apples." }] });
  const never = await backend.generate({ ...long, confidence: { stopBelow: { window: 8, threshold: 0 } } });
  assert.notEqual(never.confidenceStopped, true);
  const always = await backend.generate({ ...long, lane: "b", confidence: { stopBelow: { window: 8, threshold: 64 } } });
  assert.equal(always.confidenceStopped, true);
  assert.equal(always.stopReason, "stop");
  assert.ok(always.tokensOut <= CONFIDENCE_SLICE, `stopped within the first slice: ${always.tokensOut} tokens`);
  assert.equal(always.tokenConfidence?.length, always.tokensOut - 1, "every token of the slice but the last sampled one was scored");
  // Each slice's last sampled token is evaluated only as part of the next slice's prompt: it has no value.
  const slices = Math.ceil(never.tokensOut / CONFIDENCE_SLICE);
  assert.ok(never.tokensOut > CONFIDENCE_SLICE, `the never-stopped trace ran past one slice: ${never.tokensOut} tokens`);
  assert.ok(never.tokenConfidence!.length >= never.tokensOut - slices, `slices join into one trace's values: ${never.tokenConfidence!.length}`);
  assert.ok(never.tokensIn < 64, `the prompt counts once, not once per slice: ${never.tokensIn}`);
});

test("deepconf runs end to end through node-llama-cpp: traces carry confidence, the vote is weighted, online reports its threshold and tokens", async () => {
  for (const mode of ["offline", "online"] as const) {
    const result = await executeRun({
      strategy: "deepconf",
      params: { mode, n: 6, warmup: 3, window: 8, keepPercent: 50 },
      actor: { path: actor, sampling: { maxTokens: 40 } },
      critic: { path: actor },
      task: { question: "Tom has 3 apples and buys 4 more. How many apples does he have?", reference: "7" },
      seed: 5,
      outDir: mkdtempSync(join(tmpdir(), "refinery-deepconf-")),
      threads: 1,
    });
    assert.equal(result.state.status, "finished", result.state.failure?.reason ?? "");
    const nodes = result.state.order.map((id) => result.state.nodes[id]!);
    const traces = nodes.filter((n) => n.model === "actor");
    assert.equal(traces.length, 6);
    for (const trace of traces) assert.equal(decodeConfidence(trace.confidence ?? "").length > 0, true, `${trace.id} has confidence`);
    const vote = nodes.find((n) => n.role === "vote");
    assert.ok(vote, "one confidence-weighted vote");
    assert.match(
      vote.text,
      mode === "offline" ? /kept \d+\/\d+ answered traces/ : /threshold [\d.]+: the 50th percentile of 3 warm-up traces[\s\S]*tokens: \d+ generated/,
    );
  }
});

test("llama.cpp, thinking model: the template's `<think>` opening is not scored, and sliced traces count each sampled token once", async () => {
  // Qwen3's thinking template writes `<think>\n` into the response itself: the model never samples those tokens.
  const backend = new LlamaBackend(runtime, await runtime.loadModel(await testModel("thinkingChat"), { contextSize: 1024, sequences: 1 }), "k-");
  const long = request({ maxTokens: CONFIDENCE_SLICE * 2, messages: [{ role: "user", content: "Write a long story about apples." }] });
  const whole = await backend.generate({ ...long, lane: "whole", confidence: {} });
  assert.equal(whole.stopReason, "maxTokens", "the trace runs to its budget");
  assert.equal(whole.tokenConfidence?.length, whole.tokensOut - 1, "one value per sampled token but the last");
  const sliced = await backend.generate({ ...long, lane: "sliced", confidence: { stopBelow: { window: 8, threshold: 0 } } });
  assert.equal(sliced.tokensOut, CONFIDENCE_SLICE * 2);
  assert.equal(sliced.tokenConfidence?.length, sliced.tokensOut - 2, "two slices, each's last sampled token unscored");
  assert.ok((sliced.thoughtTokens ?? 0) > 0, "the trace thinks");
  assert.equal((sliced.thoughtTokens ?? 0) + (sliced.answerTokens ?? 0), sliced.tokensOut, "thought + answer = the meter's output tokens");
});
