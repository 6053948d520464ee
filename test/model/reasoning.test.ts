// Reasoning models through node-llama-cpp: a generated GGUF with Qwen3's thinking template and <think> tokens
// resolves a chat wrapper with thought segments; thought and answer are streamed and counted apart, budgets
// end the thought and keep the answer, critics think before their constrained verdict, and a conversation
// that cannot fit its context fails clearly.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ContextOverflowError } from "../../native/llm/backend.ts";
import { LlamaBackend } from "../../native/llm/llama-backend.ts";
import { openRuntime, type LlamaRuntime } from "../../native/llm/runtime.ts";
import { testModel } from "../support/models.ts";

let runtime: LlamaRuntime;
let thinker: LlamaBackend;
let plain: LlamaBackend;

before(async () => {
  runtime = await openRuntime({ threads: 1, gpu: "cpu" });
  thinker = new LlamaBackend(runtime, await runtime.loadModel(await testModel("thinkingChat"), { contextSize: 1024, sequences: 1 }), "t");
  plain = new LlamaBackend(runtime, await runtime.loadModel(await testModel("tinyChat"), { contextSize: 1024, sequences: 1 }), "p");
});

after(async () => {
  await runtime.unloadAll();
});

const messages = [
  { role: "system" as const, content: "Solve the problem." },
  { role: "user" as const, content: "What is 2 + 2?" },
];
// Only a boolean: random weights fill free strings until the budget, the grammar still closes a boolean.
const verdictSchema = { type: "object", properties: { correct: { type: "boolean" } }, required: ["correct"] };

test("the Qwen3 thinking template resolves a chat wrapper with thought segments; a plain ChatML model's has none", () => {
  assert.deepEqual(thinker.chatFormat(), { wrapper: "JinjaTemplate", thoughts: true, overridden: false });
  assert.equal(plain.chatFormat().thoughts, false);
});

test("thought and answer stream apart, and their token counts add up to node-llama-cpp's meter", async () => {
  const streamed = { thought: "", answer: "" };
  const result = await thinker.generate({
    messages, maxTokens: 10, thinkingBudget: 6, temperature: 0.8, seed: 3,
    onThought: (text) => (streamed.thought += text),
    onText: (text) => (streamed.answer += text),
  });
  assert.equal(result.thought, streamed.thought);
  assert.equal(result.text, streamed.answer);
  assert.ok(result.thought!.length > 0 && result.text.length > 0, "a thought and an answer");
  assert.equal(result.thoughtTokens, 6, "the thinking budget of 6 ended the thought at 6 tokens");
  assert.equal(result.thoughtCut, true);
  assert.equal((result.thoughtTokens ?? 0) + (result.answerTokens ?? 0), result.tokensOut, "thought + answer = the meter's output tokens");
  assert.ok(result.answerTokens! <= 10, "the answer keeps its own budget");
  assert.equal(result.stopReason, "maxTokens", "random weights never stop by themselves: the answer is cut at its budget");
  assert.equal(result.tokensReused, Math.max(0, result.tokensIn - result.tokensEvaluated));
});

test("the same lane reuses the prompt: a second identical request evaluates fewer prompt tokens than it has", async () => {
  const request = { messages, maxTokens: 4, thinkingBudget: 3, temperature: 0, seed: 1, lane: "reuse" };
  await thinker.generate(request);
  const again = await thinker.generate(request);
  assert.ok(again.tokensReused! > 0, `reused ${again.tokensReused} of ${again.tokensIn}`);
  assert.ok(again.tokensEvaluated < again.tokensIn);
});

test("a thinking budget of 0 gives an answer without a thought", async () => {
  const result = await thinker.generate({ messages, maxTokens: 6, thinkingBudget: 0, temperature: 0.8, seed: 4 });
  assert.equal(result.thoughtTokens ?? 0, 0);
  assert.ok(result.text.length > 0);
  assert.equal(result.answerTokens, result.tokensOut);
});

test("a thinking critic thinks within its budget, then only the verdict is constrained to JSON", async () => {
  const thought: string[] = [];
  const result = await thinker.generate({ messages, maxTokens: 120, thinkingBudget: 5, temperature: 0.8, seed: 5, jsonSchema: verdictSchema, onThought: (t) => thought.push(t) });
  assert.equal(result.thoughtTokens, 5);
  assert.equal(result.thought, thought.join(""));
  const verdict = JSON.parse(result.text) as { correct: unknown };
  assert.equal(typeof verdict.correct, "boolean", result.text);
});

test("a critic that does not think can reason first in plain text, then give the constrained verdict", async () => {
  const result = await plain.generate({ messages, maxTokens: 120, thinkingBudget: 8, temperature: 0.8, seed: 6, jsonSchema: verdictSchema, reasonBeforeJson: true });
  assert.ok((result.thought ?? "").length > 0, "the reasoning phase is recorded as the thought");
  assert.ok(result.thoughtTokens! > 0 && result.thoughtTokens! <= 8);
  assert.equal(typeof (JSON.parse(result.text) as { correct: unknown }).correct, "boolean", result.text);
});

test("a conversation that cannot fit the context fails before generating, with the numbers and the knobs", async () => {
  await assert.rejects(thinker.generate({ messages, maxTokens: 900, thinkingBudget: 400, temperature: 0, seed: 1 }), (error: unknown) => {
    assert.ok(error instanceof ContextOverflowError);
    assert.equal(error.contextSize, 1024);
    assert.match(error.message, /needs \d+ tokens .* context holds 1024: use smaller budgets, fewer iterations or a larger --context-size/);
    return true;
  });
});

test("a chat wrapper can be named instead of resolved, and an unknown name is refused with the known ones", async () => {
  const loaded = await runtime.loadModel(await testModel("thinkingChat"), { contextSize: 512, chatWrapper: "chatML" });
  assert.deepEqual(loaded.chatFormat, { wrapper: "ChatML", thoughts: false, overridden: true });
  await assert.rejects(runtime.loadModel(await testModel("thinkingChat"), { contextSize: 512, chatWrapper: "qwen9" }), /unknown chat wrapper 'qwen9' \(known: .*qwen/);
});
