// Refinery's OpenAI backend against a real llama-server, built by scripts/llama-server.mjs from the llama.cpp
// that node-llama-cpp binds, on the generated test GGUFs. A replayed server only proves what its author
// expected; this one decides for itself what a schema allows, what a prefix costs and when a slot stops.
// A missing binary fails every test here with the command that builds it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LlamaBackend } from "../../native/llm/llama-backend.ts";
import { OpenAIBackend } from "../../native/llm/openai-backend.ts";
import { forgetEndpoints } from "../../native/llm/openai-endpoint.ts";
import { openRuntime } from "../../native/llm/runtime.ts";
import { executeRun, type RunConfig } from "../../native/runs/runner.ts";
import { replayRunLog } from "../../native/runs/run-log.ts";
import { nodeCost } from "../../native/protocol/state.ts";
import { columnsFor, runExperiment, type ExperimentConfig, type ExperimentProgress } from "../../native/eval/experiment.ts";
import { MAX_STEPS, parseVerdict, stepwiseSchema } from "../../native/strategies/verdicts.ts";
import { testModel } from "../support/models.ts";
import { sentSchemas } from "../support/sent-schemas.ts";
import { schemaViolations } from "../support/schema-conformance.ts";
import { llamaServerBinary, slots, startLlamaServer, type LlamaServer } from "../support/llama-server.ts";

const scratch = mkdtempSync(join(tmpdir(), "refinery-llama-server-"));
const running: LlamaServer[] = [];
let chatModel: string;

async function serve(model: string, options: { slots?: number; context?: number; extraArgs?: string[] } = {}): Promise<LlamaServer> {
  // Each slot gets context/slots tokens; the tiny test models' KV cache is a few MB even at 4096.
  const server = await startLlamaServer({ model, slots: options.slots ?? 1, context: options.context ?? 4096, extraArgs: options.extraArgs });
  running.push(server);
  return server;
}

const backendOn = (server: LlamaServer, model = "served") => new OpenAIBackend({ kind: "endpoint", baseUrl: server.baseUrl, model });

before(async () => {
  llamaServerBinary();
  // chatmlChat, not tinyChat: llama-server starts a json_schema grammar with the template's generation prompt and
  // feeds that prompt's tokens through it, skipping a first token that begins with a space. tinyChat spells
  // "<|im_start|>" as " <", "|", "im"..., so the grammar rejects the prefill and every structured request fails
  // ("Failed to initialize samplers"); chatmlChat's markers are control tokens, as in a real ChatML model. Its 32k
  // vocabulary keeps grammar sampling several times faster than qwenChat's 152k, and its untied output writes
  // varied text, where tinyChat writes newlines whatever the seed.
  chatModel = await testModel("chatmlChat");
});

after(async () => {
  await Promise.all(running.splice(0).map((server) => server.kill()));
  forgetEndpoints();
  await (await openRuntime({ threads: 1 })).dispose();
});

test("every critic schema Refinery sends is accepted by llama-server and its answer parses as a full verdict", async () => {
  const server = await serve(chatModel);
  const critic = backendOn(server);
  const sent = await sentSchemas();
  // Stepwise schemas differ only in their step count: the smallest and the largest are enough.
  sent.set("stepwise", [stepwiseSchema(1), stepwiseSchema(MAX_STEPS)]);
  for (const name of ["best-of-n/critique", "step-critique/step-critique", "mctsr/reward", "gra/reviewer-1", "gra/adjudicator", "rlac/check-claim"]) {
    assert.ok(sent.has(name), `${name} is among the schemas sent`);
  }
  let seed = 1;
  for (const [name, schemas] of sent) {
    for (const schema of schemas) {
      const result = await critic.generate({
        messages: [
          { role: "system", content: "You are a strict grader. Answer in JSON." },
          { role: "user", content: "Question: What is 6 * 7?\nAnswer: 6 * 7 = 42. The answer is 42.\nGrade the answer." },
        ],
        maxTokens: 3000,
        temperature: 1,
        seed: seed++,
        jsonSchema: schema,
      });
      assert.equal(result.stopReason, "eos", `${name}: the grammar closed the object within the budget (got ${result.stopReason})`);
      let value: unknown;
      assert.doesNotThrow(() => (value = JSON.parse(result.text)), `${name}: strict JSON, got ${result.text.slice(0, 200)}`);
      assert.deepEqual(schemaViolations(schema, value), [], `${name}: ${result.text.slice(0, 300)}`);
    }
  }
  assert.equal(critic.endpoint.describe().kind, "llama-server");
  assert.equal(critic.endpoint.describe().structuredOutput, "response_format", "the first form Refinery tries was taken");
  // The holistic and stepwise verdicts read through the parser the strategies use: a verdict, not "unknown".
  for (const [schema, stepwise] of [
    [sent.get("best-of-n/critique")![0]!, false],
    [stepwiseSchema(3), true],
  ] as const) {
    const result = await critic.generate({
      messages: [{ role: "user", content: "Grade: 2 + 2 = 4." }],
      maxTokens: 3000,
      temperature: 1,
      seed: 99,
      jsonSchema: schema,
    });
    const verdict = parseVerdict(result.text, stepwise);
    assert.ok(verdict.parsed && verdict.correct !== null && verdict.score !== null, JSON.stringify(verdict));
    if (stepwise) assert.equal(verdict.steps?.length, 3);
  }
});

test("usage comes from the server, and a prefix the slot reused is not charged again", async () => {
  const server = await serve(chatModel);
  const actor = backendOn(server);
  const messages = [
    { role: "system" as const, content: "You are a careful tutor who explains each step of a calculation in full sentences." },
    { role: "user" as const, content: "Tom has 3 apples and buys 4 more. How many apples does he have now? Explain." },
  ];
  const first = await actor.generate({ messages, maxTokens: 16, temperature: 0, seed: 1 });
  assert.ok(first.tokensIn > 20 && first.tokensOut > 0, JSON.stringify(first));
  assert.equal(first.tokensEstimated, undefined, "counted by the server, not estimated");
  assert.equal(first.tokensEvaluated, first.tokensIn, "nothing cached before the first request");
  const next = await actor.generate({
    messages: [...messages, { role: "assistant", content: first.text }, { role: "user", content: "Now check it once more." }],
    maxTokens: 16,
    temperature: 0,
    seed: 1,
  });
  const reused = next.tokensIn - next.tokensEvaluated;
  assert.ok(next.tokensIn > first.tokensIn, JSON.stringify(next));
  // The slot still holds the first prompt: all of it but the server's last-token re-evaluation is reused.
  assert.ok(reused >= first.tokensIn - 4 && reused < next.tokensIn, `reused ${reused} of ${next.tokensIn}; the first prompt had ${first.tokensIn}`);
  // Counting without usage goes through the server's /tokenize: the same tokenizer that charged the prompt.
  const direct = (await (await fetch(`${server.root}/tokenize`, { method: "POST", body: JSON.stringify({ content: messages[1]!.content }) })).json()) as {
    tokens: number[];
  };
  assert.equal(await actor.countTokens(messages[1]!.content), direct.tokens.length);
  assert.ok(actor.endpoint.hasTokenizer, "the endpoint found llama-server's tokenizer");
});

/** A Self-Refine run, greedy: one model drafts, critiques itself (the "feedback" lane) and refines ("solver"). */
function selfRefine(model: string, outDir: string, feedbackFormat: "json" | "paper" = "json"): RunConfig {
  return {
    strategy: "self-refine",
    params: { maxIterations: 1, feedbackFormat },
    actor: { path: model, sampling: { maxTokens: 24, temperature: 0 } },
    critic: { path: model, sampling: { maxTokens: 200, temperature: 0 } },
    task: { question: "Tom has 3 apples and buys 4 more. How many apples does he have?", reference: "7" },
    seed: 11,
    outDir,
    threads: 1,
    parallel: false,
  };
}

test("a Self-Refine run charges through llama-server what it charges locally, token for token", async () => {
  // chatmlChat, not qwenChat: qwenChat's random output matrix repeats rows over its 152k vocabulary, so greedy
  // decoding meets exact ties that the two samplers break differently and the texts part. chatmlChat's 32k rows are
  // all distinct, and its ChatML markers are control tokens, so both sides tokenise the same prompt alike.
  const model = await testModel("chatmlChat");
  // Two slots, as the run has two lanes: llama-server sends each prompt to the slot holding the most similar one.
  const server = await serve(model, { slots: 2, context: 8192 });
  const local = await executeRun(selfRefine(model, join(scratch, "refine-local"), "paper"));
  const remote = await executeRun(selfRefine(`openai:${server.baseUrl}#chatmlChat`, join(scratch, "refine-remote"), "paper"));
  assert.equal(local.state.status, "finished", local.state.failure?.reason ?? "");
  assert.equal(remote.state.status, "finished", remote.state.failure?.reason ?? "");
  const nodes = (state: typeof local.state) => state.order.map((id) => state.nodes[id]!).filter((node) => node.model);
  const row = (node: ReturnType<typeof nodes>[number]) => ({ role: node.role, text: node.text, tokens: [node.tokensIn, node.tokensEvaluated, node.tokensOut] });
  const localRows = nodes(local.state).map(row);
  const remoteRows = nodes(remote.state).map(row);
  // Greedy on both sides with the same sampler (Refinery sends llama-server node-llama-cpp's min_p 0): the same
  // texts, the same prompts (the GGUF's template rendered by llama-server's Jinja engine and by node-llama-cpp's
  // ChatML wrapper), and the same reuse. Reuse is per token on both sides: the longest common prefix of the new
  // prompt with what the lane (locally) or the slot (on the server) holds, generated tokens included, less the
  // prompt's last token, which both decode again because sampling needs its logits (llama-server's --cache-reuse,
  // which reuses shifted chunks, is off by default).
  assert.deepEqual(remoteRows, localRows);
  const reused = remoteRows.map(({ tokens: [prompt, evaluated] }) => prompt! - evaluated!);
  assert.ok(
    reused.some((count) => count > 50),
    `the refinement and the second critique reused their lane's conversation: ${JSON.stringify(remoteRows.map((r) => r.tokens))}`,
  );
  const charged = (state: typeof local.state) => nodes(state).reduce((sum, node) => sum + nodeCost(node), 0);
  assert.equal(charged(remote.state), charged(local.state));
});

test("a prompt asked again is counted alike on both sides: all its tokens, and only its last one evaluated again", async () => {
  const model = await testModel("chatmlChat");
  const server = await serve(model);
  const runtime = await openRuntime({ threads: 1 });
  const local = new LlamaBackend(runtime, await runtime.loadModel(model, { contextSize: 1024 }), "repeat");
  const remote = backendOn(server);
  const request = {
    messages: [{ role: "user" as const, content: "Tom has 3 apples and buys 4 more. How many apples does he have?" }],
    maxTokens: 8,
    temperature: 0,
    seed: 1,
    lane: "one",
  };
  const counts = async (backend: OpenAIBackend | LlamaBackend) => {
    const first = await backend.generate(request);
    const again = await backend.generate(request);
    return { text: [first.text, again.text], tokensIn: [first.tokensIn, again.tokensIn], tokensEvaluated: [first.tokensEvaluated, again.tokensEvaluated] };
  };
  const remoteCounts = await counts(remote);
  // The sequence holds the prompt and the generated tokens but the last (sampled, never decoded): the prompt is what
  // the template lays out, not the context less what was generated. Sampling needs the prompt's last logits, so a
  // prompt held whole is decoded again from its last token, by llama-server as by node-llama-cpp.
  assert.equal(remoteCounts.tokensEvaluated[1], 1, JSON.stringify(remoteCounts));
  assert.deepEqual(await counts(local), remoteCounts);
});

test("a seeded sample is the same text locally and on llama-server: Refinery sends node-llama-cpp's sampler", async () => {
  const model = await testModel("chatmlChat");
  const server = await serve(model);
  const runtime = await openRuntime({ threads: 1 });
  const local = new LlamaBackend(runtime, await runtime.loadModel(model, { contextSize: 1024 }), "sampled");
  const remote = backendOn(server);
  const messages = [{ role: "user" as const, content: "Tell me a story." }];
  for (const seed of [1, 2]) {
    const request = { messages, maxTokens: 24, temperature: 1, seed, lane: `seed-${seed}` };
    const [here, there] = [await local.generate(request), await remote.generate(request)];
    assert.equal(there.text, here.text, `seed ${seed}`);
    // The server's own defaults (min_p 0.05) cut the tail node-llama-cpp samples from: these seeds then part.
    const defaults = (await (
      await fetch(`${server.baseUrl}/chat/completions`, { method: "POST", body: JSON.stringify({ messages, max_tokens: 24, temperature: 1, seed }) })
    ).json()) as { choices: Array<{ message: { content: string } }> };
    assert.notEqual(defaults.choices[0]!.message.content, here.text, `seed ${seed} under the server's defaults`);
  }
});

test("a Qwen3-style thinking GGUF under --jinja --reasoning-format deepseek: reasoning_content is the thought, a budget ends it", async () => {
  const server = await serve(await testModel("thinkingChat"), { extraArgs: ["--jinja", "--reasoning-format", "deepseek"] });
  const thinker = backendOn(server);
  const messages = [{ role: "user" as const, content: "What is 2 + 2?" }];
  // The template opens the thought and random weights never close it: everything generated is thought.
  const free = await thinker.generate({ messages, maxTokens: 24, temperature: 1, seed: 5 });
  assert.ok((free.thought ?? "").length > 0, JSON.stringify(free));
  assert.doesNotMatch(free.text, /<\/?think>/);
  assert.equal(free.stopReason, "maxTokens");
  // With a budget the server closes the thought after it, and the answer gets its own max_tokens.
  const budgeted = await thinker.generate({ messages, maxTokens: 12, thinkingBudget: 8, temperature: 1, seed: 5 });
  assert.ok((budgeted.thought ?? "").length > 0, JSON.stringify(budgeted));
  assert.ok(budgeted.text.length > 0, `an answer after the thought was ended: ${JSON.stringify(budgeted)}`);
  // The server forces </think> once the budget is spent and its deepseek parser ends reasoning_content at the first
  // </think>: the thought and that marker stay out of the answer. Everything after it is content, markers included,
  // and these random weights write "</think>" tokens again inside the answer, which a trained model does not.
  assert.ok(!budgeted.text.includes(budgeted.thought!), `the thought is not in the answer: ${JSON.stringify(budgeted)}`);
  assert.doesNotMatch(budgeted.text, /^\s*<\/?think>/, "the marker that ended the thought is not in the answer");
  const thoughtTokens = await thinker.countTokens(budgeted.thought!);
  assert.ok(thoughtTokens <= 8, `the thought ended within its budget of 8 tokens, not after ${thoughtTokens}`);
  assert.equal(budgeted.warning, undefined);
});

test("cancel aborts the request and the server's slot stops decoding", async () => {
  const server = await serve(chatModel);
  const actor = backendOn(server);
  const maxTokens = 3000;
  const controller = new AbortController();
  const result = await actor.generate({
    messages: [{ role: "user", content: "Write a very long story." }],
    maxTokens,
    temperature: 1,
    seed: 3,
    signal: controller.signal,
    onText: () => controller.abort(),
  });
  assert.equal(result.stopReason, "aborted");
  let state = await slots(server);
  for (let polls = 0; state.some((slot) => slot.is_processing) && polls < 600; polls++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    state = await slots(server);
  }
  assert.ok(!state.some((slot) => slot.is_processing), "the slot went idle");
  const decoded = (state[0] as unknown as { next_token: Array<{ n_decoded: number }> }).next_token[0]!.n_decoded;
  assert.ok(decoded < maxTokens, `the server stopped after ${decoded} of ${maxTokens} tokens instead of finishing the request`);
});

test("the same seed on the same server gives the same text; another seed another", async () => {
  const server = await serve(chatModel);
  const actor = backendOn(server);
  const ask = (seed: number) =>
    actor.generate({ messages: [{ role: "user", content: "Tell me a story." }], maxTokens: 32, temperature: 1, seed }).then((r) => r.text);
  const first = await ask(42);
  assert.equal(await ask(42), first);
  assert.notEqual(await ask(43), first, "the seed reaches the sampler");
});

test("a server killed mid-run fails only the node in flight", async () => {
  const server = await serve(chatModel);
  const config = selfRefine(`openai:${server.baseUrl}#chatmlChat`, join(scratch, "killed-run"));
  // The server dies while it decodes the second request (the self-critique): the draft stands, the critique fails.
  // The draft stops at 24 tokens, so a slot past 24 decoded tokens is decoding the critique.
  let killed: Promise<void> | undefined;
  const watch = setInterval(() => {
    void slots(server)
      .then((state) => {
        const slot = state[0] as { is_processing: boolean; next_token?: Array<{ n_decoded: number }> };
        if (slot.is_processing && (slot.next_token?.[0]?.n_decoded ?? 0) > 24) killed ??= server.kill();
      })
      .catch(() => {});
  }, 20);
  let run: Awaited<ReturnType<typeof executeRun>>;
  try {
    run = await executeRun({ ...config, critic: { ...config.critic, sampling: { maxTokens: 2000, temperature: 1 } } });
  } finally {
    clearInterval(watch);
  }
  // The client sees the socket close before Node reaps the killed process: its signalCode is set only on "exit".
  assert.ok(killed, "the server was killed during the run");
  await killed;
  assert.equal(server.process.signalCode, "SIGKILL");
  const { state } = await replayRunLog(join(run.dir, "events.jsonl"));
  const modelNodes = state.order.map((id) => state.nodes[id]!).filter((node) => node.model);
  const summary = JSON.stringify(modelNodes.map((n) => [n.role, n.status, n.error]));
  assert.equal(modelNodes[0]!.status, "done", `the draft, finished before the kill, stands: ${summary}`);
  assert.ok(modelNodes[0]!.text.length > 0);
  assert.deepEqual(
    modelNodes.slice(1).map((n) => n.status),
    ["failed"],
    `only the critique in flight failed, nothing ran after it: ${summary}`,
  );
  assert.equal(state.status, "failed");
  assert.match(state.failure?.reason ?? "", /unreachable/, summary);
});

test("an experiment over two real llama-servers, one killed midway, accounts for every cell", async () => {
  const a = await serve(chatModel, { slots: 2, context: 8192 });
  const b = await serve(chatModel, { slots: 2, context: 8192 });
  const dataset = join(scratch, "pool.jsonl");
  writeFileSync(dataset, Array.from({ length: 10 }, (_, i) => JSON.stringify({ question: `What is ${i} + ${i}?`, answer: `#### ${2 * i}` })).join("\n"));
  const specs = [a, b].map((server) => `openai:${server.baseUrl}#chatmlChat`);
  const config: ExperimentConfig = {
    dataset,
    columns: columnsFor(
      [{ name: "self-refine", strategy: "self-refine", params: { maxIterations: 1, feedbackFormat: "json" } }],
      [
        {
          actor: { path: specs[0]!, replicas: specs, sampling: { maxTokens: 16 } },
          critic: { path: specs[0]!, replicas: specs, sampling: { maxTokens: 120 } },
        },
      ],
    ),
    seed: 1,
  };
  let last: ExperimentProgress | undefined;
  let killed = false;
  const results = await runExperiment(join(scratch, "pool"), config, {
    onProgress: (progress) => {
      last = progress;
      const done = progress.endpoints?.find((s) => s.endpoint === a.baseUrl)?.done ?? 0;
      if (!killed && done >= 2) {
        killed = true;
        void a.kill();
      }
    },
  });
  assert.ok(killed, "the first server finished two cells and was killed");
  assert.equal(results.length, 10);
  assert.equal(new Set(results.map((r) => `${r.item}|${r.column}`)).size, 10, "every cell once in the checkpoint");
  assert.ok(
    results.every((r) => r.status === "finished"),
    JSON.stringify(results.map((r) => [r.item, r.status, r.failure])),
  );
  const stats = Object.fromEntries(last!.endpoints!.map((s) => [s.endpoint, s]));
  assert.notEqual(stats[a.baseUrl]!.down, null, "the killed server left the rotation");
  assert.equal(stats[b.baseUrl]!.down, null);
});
