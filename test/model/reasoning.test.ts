// Reasoning models through node-llama-cpp: a generated GGUF with Qwen3's thinking template and <think> tokens
// resolves a chat wrapper with thought segments; thought and answer are streamed and counted apart, budgets
// end the thought and keep the answer, critics think before their constrained verdict, and a conversation
// that cannot fit its context fails clearly.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderTree } from "../../native/cli/render-tree.ts";
import { ContextOverflowError } from "../../native/llm/backend.ts";
import { relabel } from "../../native/protocol/field-labels.ts";
import { replayRunLog } from "../../native/runs/run-log.ts";
import { executeRun, RunInputError } from "../../native/runs/runner.ts";
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
    messages,
    maxTokens: 10,
    thinkingBudget: 6,
    temperature: 0.8,
    seed: 3,
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
  const result = await thinker.generate({
    messages,
    maxTokens: 120,
    thinkingBudget: 5,
    temperature: 0.8,
    seed: 5,
    jsonSchema: verdictSchema,
    onThought: (t) => thought.push(t),
  });
  assert.equal(result.thoughtTokens, 5);
  assert.equal(result.thought, thought.join(""));
  const verdict = JSON.parse(result.text) as { correct: unknown };
  assert.equal(typeof verdict.correct, "boolean", result.text);
});

test("a critic that does not think can reason first in plain text, then give the constrained verdict", async () => {
  const result = await plain.generate({
    messages,
    maxTokens: 120,
    thinkingBudget: 8,
    temperature: 0.8,
    seed: 6,
    jsonSchema: verdictSchema,
    reasonBeforeJson: true,
  });
  assert.ok((result.thought ?? "").length > 0, "the reasoning phase is recorded as the thought");
  assert.ok(result.thoughtTokens! > 0 && result.thoughtTokens! <= 8);
  assert.equal(typeof (JSON.parse(result.text) as { correct: unknown }).correct, "boolean", result.text);
});

test("a conversation that cannot fit the context fails before generating, with the numbers and the knobs", async () => {
  await assert.rejects(thinker.generate({ messages, maxTokens: 900, thinkingBudget: 400, temperature: 0, seed: 1 }), (error: unknown) => {
    assert.ok(error instanceof ContextOverflowError);
    assert.equal(error.contextSize, 1024);
    assert.match(
      error.message,
      /needs \d+ tokens .* context holds 1024: use smaller budgets, fewer iterations or a larger context size \(load settings; --context-size in the CLI\)/,
    );
    return true;
  });
});

test("a chat wrapper can be named instead of resolved, and an unknown name is refused with the known ones", async () => {
  const loaded = await runtime.loadModel(await testModel("thinkingChat"), { contextSize: 512, chatWrapper: "chatML" });
  assert.deepEqual(loaded.chatFormat, { wrapper: "ChatML", thoughts: false, overridden: true });
  await assert.rejects(
    runtime.loadModel(await testModel("thinkingChat"), { contextSize: 512, chatWrapper: "qwen9" }),
    /unknown chat wrapper 'qwen9' \(known: .*qwen/,
  );
});

test("Self-Refine with a thinking actor and a thinking critic: thought and answer apart in the log, the replay and the CLI view; both budgets held; four token counts", async () => {
  const outDir = mkdtempSync(join(tmpdir(), "refinery-thinking-"));
  const deltas = { thought: new Map<string, string>(), answer: new Map<string, string>() };
  const result = await executeRun({
    strategy: "self-refine",
    params: { maxIterations: 1, feedbackModel: "critic" },
    actor: { path: await testModel("thinkingChat"), sampling: { maxTokens: 8, thinkingBudget: 5 } },
    critic: { path: await testModel("thinkingCritic"), sampling: { maxTokens: 24, thinkingBudget: 4 } },
    task: { question: "What is 2 + 2?", reference: "4" },
    seed: 2,
    outDir,
    threads: 1,
    gpu: "cpu",
    parallel: false,
    onEvent: (event) => {
      if (event.type !== "token-delta") return;
      const into = event.segment === "thought" ? deltas.thought : deltas.answer;
      into.set(event.nodeId, (into.get(event.nodeId) ?? "") + event.text);
    },
  });
  const { state } = result;
  assert.equal(state.status, "finished", state.failure?.reason ?? "");
  const draft = state.nodes.n1!;
  assert.equal(draft.role, "draft");
  assert.equal(draft.thoughtTokens, 5, "the actor's thinking budget ended its thought");
  assert.ok(draft.thought.length > 0 && !draft.text.includes(draft.thought), "the answer does not carry the thought");
  assert.ok(draft.tokensOut - draft.thoughtTokens <= 8, "the answer kept its own budget");
  assert.equal(deltas.thought.get("n1"), draft.thought, "the thought streamed as thought deltas");
  const critique = state.nodes.n2!;
  assert.equal(critique.role, "critique");
  // The thought phase stops at the budget (4); the verdict phase may still spend one token inside a thought
  // before node-llama-cpp closes it again (budget 0), which is counted, not hidden.
  assert.ok(critique.thoughtTokens >= 4 && critique.thoughtTokens <= 5, `the critic thought within its budget before its verdict (${critique.thoughtTokens})`);
  assert.ok(critique.thought.length > 0);
  const refine = state.order.map((id) => state.nodes[id]!).find((node) => node.role === "refine")!;
  assert.ok(
    refine.prompt!.some((m) => m.role === "assistant" && m.content === draft.text),
    "the history carries the draft's answer",
  );
  assert.ok(!refine.prompt!.some((m) => m.content.includes(draft.thought)), "and not its thought");
  assert.ok(refine.tokensReused > 0, "the refinement reused the solver conversation's prefix");
  const budgets = state.budgets!;
  const nodes = state.order.map((id) => state.nodes[id]!);
  assert.equal(
    budgets.thoughtTokens,
    nodes.reduce((sum, n) => sum + n.thoughtTokens, 0),
  );
  assert.equal(
    budgets.totalTokens,
    budgets.promptTokensEvaluated! + budgets.thoughtTokens! + budgets.answerTokens!,
    "the cost is evaluated prompt + thought + answer",
  );
  assert.ok(budgets.promptTokensReused! > 0);
  const replayed = await replayRunLog(result.logPath);
  assert.deepEqual(replayed.state, state, "replay rebuilds the same state");
  const manifest = JSON.parse(readFileSync(result.manifestPath, "utf8")) as { models: Array<{ chatFormat: { thoughts: boolean; wrapper: string } }> };
  assert.deepEqual(
    manifest.models.map((m) => m.chatFormat),
    [
      { wrapper: "JinjaTemplate", thoughts: true, overridden: false },
      { wrapper: "JinjaTemplate", thoughts: true, overridden: false },
    ],
  );
  const view = renderTree(state);
  assert.match(view, /▸ thought \(5 tokens, cut at the thinking budget\)/);
  assert.match(view, /prompt \d+ evaluated · \d+ reused \(not charged\) · thought \d+ · answer \d+/);
  writeFileSync(join(outDir, "replay.txt"), view);
  process.stdout.write(
    `# replay excerpt (${result.dir}):\n${view
      .split("\n")
      .map((line) => `# ${line}`)
      .join("\n")}\n`,
  );
});

test("a run whose conversation cannot fit the context is refused before it starts, with the knobs, and leaves no run folder", async () => {
  const outDir = mkdtempSync(join(tmpdir(), "refinery-too-long-"));
  const path = await testModel("thinkingChat");
  await assert.rejects(
    executeRun({
      strategy: "self-refine",
      params: { maxIterations: 4 },
      actor: { path, sampling: { maxTokens: 200 }, load: { contextSize: 256 } },
      critic: { path, sampling: { maxTokens: 200 }, load: { contextSize: 256 } },
      task: { question: "What is 2 + 2?" },
      outDir,
      threads: 1,
      gpu: "cpu",
    }),
    (error: unknown) => {
      assert.ok(error instanceof RunInputError);
      assert.match(
        error.message,
        /self-refine needs about \d+ tokens of context .* the actor's context is 256 tokens \(the context size given\): lower max tokens or the thinking budgets, use fewer iterations, or give a larger context \(load settings\)/,
      );
      // The CLI names its flags instead.
      assert.match(
        relabel(error.message, error.field, "cli"),
        /lower --max-tokens, --critic-max-tokens or the thinking budgets, use fewer iterations, or raise --context-size$/,
      );
      return true;
    },
  );
  assert.deepEqual(readdirSync(outDir), []);
});
