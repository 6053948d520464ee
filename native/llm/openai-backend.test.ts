// The remote backend against recorded wire formats of vLLM, llama-server, Ollama and LM Studio, replayed by a
// local server: streaming chunks, usage, reasoning, errors, structured-output forms and refusals, a dropped
// stream, 429 then 200, a server with no structured output, cancel; and a run through it (manifest, key).
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contentChunks, jsonError, sse, startFakeServer, type FakeServer } from "../../test/support/fake-openai.ts";
import { OpenAIBackend } from "./openai-backend.ts";
import { defaultEndpointOptions, EndpointHttpError, EndpointUnavailableError, forgetEndpoints } from "./openai-endpoint.ts";
import { parseModelSpec, redactSpec, type EndpointSpec } from "../protocol/model-spec.ts";
import { setEndpointKey } from "./endpoint-keys.ts";
import { holisticSchema, parseVerdict } from "../strategies/verdicts.ts";
import { executeRun } from "../runs/runner.ts";
import { readManifest } from "../runs/manifest.ts";
import { readRunLog } from "../runs/run-log.ts";
import type { GenerateRequest } from "./backend.ts";

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  forgetEndpoints();
});

async function serve(options: Parameters<typeof startFakeServer>[0]): Promise<FakeServer> {
  const server = await startFakeServer(options);
  servers.push(server);
  return server;
}

const backendFor = (server: FakeServer, model: string, options = {}) =>
  new OpenAIBackend(parseModelSpec(`openai:${server.baseUrl}#${model}`) as EndpointSpec, { backoffMs: 5, ...options });

const request = (extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  messages: [{ role: "user", content: "What is 2+2?" }],
  maxTokens: 64,
  temperature: 0.7,
  topP: 0.9,
  topK: 40,
  seed: 1234,
  ...extra,
});

test("vLLM: streamed content, reasoning_content as the thought, usage, sampling fields, version and json_schema", async () => {
  const server = await serve({
    routes: {
      "/version": { version: "0.6.3.post1" },
      "/v1/models": { object: "list", data: [{ id: "Qwen/Qwen2.5-7B-Instruct", object: "model", owned_by: "vllm", max_model_len: 32768 }] },
    },
    chat: (_req, call, response) =>
      sse(
        response,
        call === 0
          ? contentChunks("vllm", ["2+2", " is ", "4."], { prompt_tokens: 14, completion_tokens: 9 }, [
              { reasoning_content: "Adding two " },
              { reasoning_content: "and two." },
            ])
          : contentChunks("vllm", ['{"critique":"ok","correct":true,"score":9}'], { prompt_tokens: 30, completion_tokens: 12 }),
      ),
  });
  const backend = backendFor(server, "Qwen/Qwen2.5-7B-Instruct");
  const streamed: string[] = [];
  const result = await backend.generate(request({ onText: (t) => streamed.push(t) }));
  assert.equal(result.text, "2+2 is 4.");
  assert.equal(streamed.join(""), "2+2 is 4.", "the thought is not streamed as text");
  assert.equal(result.thought, "Adding two and two.");
  assert.deepEqual([result.tokensIn, result.tokensOut, result.stopReason, result.tokensEstimated], [14, 9, "eos", undefined]);
  const body = server.chats[0]!.body;
  assert.deepEqual(
    {
      model: body.model,
      stream: body.stream,
      stream_options: body.stream_options,
      seed: body.seed,
      temperature: body.temperature,
      top_p: body.top_p,
      top_k: body.top_k,
      max_tokens: body.max_tokens,
    },
    {
      model: "Qwen/Qwen2.5-7B-Instruct",
      stream: true,
      stream_options: { include_usage: true },
      seed: 1234,
      temperature: 0.7,
      top_p: 0.9,
      top_k: 40,
      max_tokens: 64,
    },
  );
  const verdict = await backend.generate(request({ jsonSchema: holisticSchema }));
  assert.deepEqual(server.chats[1]!.body.response_format, { type: "json_schema", json_schema: { name: "verdict", schema: holisticSchema, strict: true } });
  assert.equal(parseVerdict(verdict.text, false).score, 9);
  const info = backend.endpoint.describe();
  assert.deepEqual(
    [info.kind, info.version, info.structuredOutput, info.tokenCounts, info.concurrency, info.concurrencySource],
    ["vllm", "vllm 0.6.3.post1", "response_format", "server-usage", 4, "default"],
  );
});

test("llama-server: slots from /props set the concurrency, usage rides on the finishing chunk, /tokenize counts", async () => {
  let inFlight = 0;
  let most = 0;
  const server = await serve({
    routes: {
      "/props": { default_generation_settings: { n_ctx: 4096 }, total_slots: 2, build_info: "b4384-7c0e2858" },
      "/tokenize": { tokens: [1, 2, 3, 4, 5] },
    },
    chat: async (_req, _call, response) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 30));
      inFlight--;
      sse(response, contentChunks("llama-server", ["Four", "."], { prompt_tokens: 11, completion_tokens: 2 }));
    },
  });
  const backend = backendFor(server, "any");
  const results = await Promise.all(Array.from({ length: 5 }, () => backend.generate(request())));
  assert.equal(most, 2, "no more requests in flight than the server has slots");
  assert.deepEqual(
    results.map((r) => [r.text, r.tokensIn, r.tokensOut]),
    Array(5).fill(["Four.", 11, 2]),
  );
  assert.equal(await backend.countTokens("whatever the text"), 5);
  const info = backend.endpoint.describe();
  assert.deepEqual([info.kind, info.version, info.concurrency, info.concurrencySource], ["llama-server", "b4384-7c0e2858", 2, "server"]);
});

test("a thinking budget reaches llama-server as thinking_budget_tokens with the answer's own max_tokens; other servers say they ignored it", async () => {
  const bodies: Array<Record<string, unknown>> = [];
  const llama = await serve({
    routes: { "/props": { total_slots: 1, build_info: "b7000-80fb11ac" } },
    chat: (req, _call, response) => {
      bodies.push(req.body);
      sse(response, contentChunks("llama-server", ["4"], { prompt_tokens: 11, completion_tokens: 9 }, [{ reasoning_content: "two and two" }]));
    },
  });
  const onLlama = backendFor(llama, "any");
  const budgeted = await onLlama.generate(request({ thinkingBudget: 32 }));
  assert.equal(budgeted.warning, undefined);
  assert.equal(budgeted.thought, "two and two");
  await onLlama.generate(request({ thinkingBudget: 0 }));
  await onLlama.generate(request());
  assert.deepEqual(
    bodies.map((b) => [b.max_tokens, b.thinking_budget_tokens, b.chat_template_kwargs]),
    [
      [64 + 32, 32, undefined],
      [64, 0, { enable_thinking: false }],
      [64, undefined, undefined],
    ],
  );
  const vllmBodies: Array<Record<string, unknown>> = [];
  const vllm = await serve({
    routes: { "/version": { version: "0.6.3" } },
    chat: (req, _call, response) => {
      vllmBodies.push(req.body);
      sse(response, contentChunks("vllm", ["4"], { prompt_tokens: 11, completion_tokens: 1 }));
    },
  });
  const ignored = await backendFor(vllm, "any").generate(request({ thinkingBudget: 32 }));
  assert.equal(vllmBodies[0]!.thinking_budget_tokens, undefined, "no field the server does not know");
  assert.equal(vllmBodies[0]!.max_tokens, 64);
  assert.match(ignored.warning ?? "", /this server takes no thinking budget/);
});

test("Ollama: the schema goes in `format`, <think> in the content is the thought, no usage is an estimate marked as such", async () => {
  const server = await serve({
    routes: { "/api/version": { version: "0.5.7" } },
    chat: (req, _call, response) =>
      sse(
        response,
        req.body.format
          ? contentChunks("ollama", ['{"critique":"fine","correct":true,"score":8}'], null)
          : contentChunks("ollama", ["<thi", "nk>Let me add.</th", "ink>\n\nThe answer", " is 4."], null),
      ),
  });
  const backend = backendFor(server, "deepseek-r1:7b");
  const streamed: string[] = [];
  const result = await backend.generate(request({ onText: (t) => streamed.push(t) }));
  assert.equal(result.text, "The answer is 4.");
  assert.equal(streamed.join(""), "The answer is 4.", "half tags never reach the stream");
  assert.equal(result.thought, "Let me add.");
  assert.equal(result.tokensEstimated, true);
  assert.equal(result.tokensOut, Math.ceil(("Let me add." + "The answer is 4.").length / 4));
  const verdict = await backend.generate(request({ jsonSchema: holisticSchema }));
  assert.deepEqual(server.chats[1]!.body.format, holisticSchema);
  assert.equal(server.chats[1]!.body.response_format, undefined);
  assert.equal(parseVerdict(verdict.text, false).score, 8);
  const info = backend.endpoint.describe();
  assert.deepEqual([info.kind, info.version, info.structuredOutput, info.tokenCounts], ["ollama", "ollama 0.5.7", "format", "estimate"]);
});

test("LM Studio: a structured-output refusal becomes the text and reads as an unparseable verdict", async () => {
  const server = await serve({
    routes: { "/api/v0/models": { object: "list", data: [{ id: "qwen2.5-7b-instruct", type: "llm", state: "loaded" }] } },
    chat: (_req, _call, response) =>
      sse(response, contentChunks("lmstudio", [], { prompt_tokens: 20, completion_tokens: 6 }, [{ refusal: "I can't help with that." }])),
  });
  const backend = backendFor(server, "qwen2.5-7b-instruct");
  const result = await backend.generate(request({ jsonSchema: holisticSchema }));
  assert.equal(result.text, "I can't help with that.");
  const verdict = parseVerdict(result.text, false);
  assert.equal(verdict.parsed, false);
  assert.equal(verdict.score, null);
  assert.equal(backend.endpoint.describe().kind, "lmstudio");
});

test("a server without structured output: detected once (response_format, then guided_json refused), later verdicts go straight to plain text", async () => {
  const server = await serve({
    chat: (req, _call, response) => {
      if (req.body.response_format)
        return jsonError(response, 400, { object: "error", message: "response_format is not supported by this server", type: "BadRequestError", code: 400 });
      if (req.body.guided_json) return jsonError(response, 400, { error: { message: "Unrecognized request argument supplied: guided_json" } });
      sse(response, contentChunks("vllm", ["Verdict: correct, score 7"], { prompt_tokens: 10, completion_tokens: 6 }));
    },
  });
  const backend = backendFor(server, "m");
  const first = await backend.generate(request({ jsonSchema: holisticSchema }));
  assert.equal(first.text, "Verdict: correct, score 7");
  assert.equal(server.chats.length, 3);
  assert.equal(backend.endpoint.describe().structuredOutput, "none");
  await backend.generate(request({ jsonSchema: holisticSchema }));
  assert.equal(server.chats.length, 4, "the mode is not detected again");
  assert.equal(server.chats[3]!.body.response_format, undefined);
  assert.equal(parseVerdict(first.text, false).parsed, false, "unparseable verdicts are recorded as such");
});

test("429 then 200: retried after the server's Retry-After; a 400 is not retried and says the server's message", async () => {
  const server = await serve({
    chat: (req, call, response) => {
      if (req.body.max_tokens === 1)
        return jsonError(response, 400, { error: { code: 400, message: "the request exceeds the available context size", type: "invalid_request_error" } });
      if (call === 0)
        return jsonError(response, 429, { error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } }, { "retry-after": "0" });
      sse(response, contentChunks("vllm", ["ok"], { prompt_tokens: 3, completion_tokens: 1 }));
    },
  });
  const backend = backendFor(server, "m");
  assert.equal((await backend.generate(request())).text, "ok");
  assert.equal(server.chats.length, 2);
  await assert.rejects(
    backend.generate(request({ maxTokens: 1 })),
    (error: Error) => error instanceof EndpointHttpError && /exceeds the available context size/.test(error.message),
  );
  assert.equal(server.chats.length, 3);
});

test("a connection dropped mid-stream fails with the reason (not retried: text was already streamed); refused connections are retried, then unreachable", async () => {
  const server = await serve({
    chat: (_req, _call, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write(`data: ${JSON.stringify(contentChunks("vllm", ["partial "], null)[1])}\n\n`);
      setTimeout(() => response.socket?.destroy(), 20);
    },
  });
  const backend = backendFor(server, "m");
  const streamed: string[] = [];
  await assert.rejects(
    backend.generate(request({ onText: (t) => streamed.push(t) })),
    (error: Error) => error instanceof EndpointUnavailableError && /mid-stream/.test(error.message),
  );
  assert.deepEqual(streamed, ["partial "]);
  assert.equal(server.chats.length, 1);
  assert.match(backend.endpoint.down ?? "", /mid-stream/);
  const port = server.port;
  await server.close();
  servers.length = 0;
  forgetEndpoints();
  const gone = new OpenAIBackend(parseModelSpec(`openai:http://127.0.0.1:${port}/v1#m`) as EndpointSpec, { retries: 2, backoffMs: 5 });
  await assert.rejects(gone.generate(request()), (error: Error) => error instanceof EndpointUnavailableError && /ECONNREFUSED/.test(error.message));
});

test("cancel aborts the HTTP request: the server sees the connection close and the partial text is kept", async () => {
  const server = await serve({
    chat: (_req, _call, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write(`data: ${JSON.stringify(contentChunks("vllm", ["first "], null)[1])}\n\n`);
      // and never finishes
    },
  });
  const backend = backendFor(server, "m");
  const controller = new AbortController();
  const result = await backend.generate(request({ signal: controller.signal, onText: () => controller.abort() }));
  assert.equal(result.stopReason, "aborted");
  assert.equal(result.text, "first ");
  for (let i = 0; i < 50 && server.closedEarly === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(server.closedEarly, 1);
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** A tiny self-consistent remote model: drafts answer 4, critiques are JSON when asked for a schema. */
function arithmeticServer(options: { dieAfter?: number; key?: string } = {}) {
  return serve({
    routes: { "/version": { version: "0.7.0" } },
    chat: (req, call, response) => {
      if (options.key && req.headers.authorization !== `Bearer ${options.key}`)
        return jsonError(response, 401, { error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" } });
      if (options.dieAfter !== undefined && call >= options.dieAfter) return void response.socket?.destroy();
      const text = req.body.response_format ? '{"critique":"Add once more.","correct":false,"score":3}' : "2 plus 2 makes 4. The answer is \\boxed{4}.";
      sse(response, contentChunks("vllm", [text], { prompt_tokens: 20, completion_tokens: 10 }));
    },
  });
}

test("a run through a remote actor and critic: the key never reaches a file under the runs folder; the manifest names the endpoint without credentials", async () => {
  const key = "sk-test-4f8a1c2d9e7b6a5f3e2d1c0b";
  const server = await arithmeticServer({ key });
  const outDir = mkdtempSync(join(tmpdir(), "refinery-remote-"));
  setEndpointKey(server.baseUrl, key);
  const spec = `openai:${server.baseUrl}#Qwen/Qwen2.5-7B-Instruct`;
  const result = await executeRun({
    strategy: "self-refine",
    params: { maxIterations: 1, feedbackFormat: "json" },
    actor: { path: spec },
    critic: { path: spec },
    task: { question: "What is 2+2?", reference: "4" },
    seed: 3,
    outDir,
  });
  assert.equal(result.state.status, "finished", result.state.failure?.reason ?? "");
  assert.equal(result.state.correct, true);
  // The same with the key written into the URL.
  setEndpointKey(server.baseUrl, undefined);
  const inUrl = `openai:${server.baseUrl.replace("http://", `http://:${key}@`)}#Qwen/Qwen2.5-7B-Instruct`;
  const second = await executeRun({
    strategy: "self-refine",
    params: { maxIterations: 1, feedbackFormat: "json" },
    actor: { path: inUrl },
    critic: { path: inUrl },
    task: { question: "What is 2+2?" },
    seed: 3,
    outDir,
  });
  assert.equal(second.state.status, "finished", second.state.failure?.reason ?? "");
  assert.ok(server.chats.every((c) => c.headers.authorization === `Bearer ${key}`));
  const files = filesUnder(outDir);
  assert.ok(files.length >= 4);
  for (const file of files) assert.ok(!readFileSync(file, "utf8").includes(key), `${file} contains the key`);
  const manifest = await readManifest(second.manifestPath);
  assert.equal(manifest.models[0]!.path, redactSpec(inUrl));
  assert.equal(manifest.models[0]!.path, spec);
  assert.equal(manifest.models[0]!.remote?.model ?? "", "Qwen/Qwen2.5-7B-Instruct");
  assert.equal(manifest.models[0]!.remote?.version ?? "", "vllm 0.7.0");
  assert.equal(manifest.models[1]!.remote?.structuredOutput, "response_format");
  assert.match(manifest.reproducibility ?? "", /reproducible only as far as that server is/);
});

test("a server that dies mid-run fails the node with the reason and keeps every completed node", async () => {
  const server = await arithmeticServer({ dieAfter: 2 });
  const outDir = mkdtempSync(join(tmpdir(), "refinery-remote-"));
  const spec = `openai:${server.baseUrl}#m`;
  forgetEndpoints();
  defaultEndpointOptions.backoffMs = 5;
  const result = await executeRun({
    strategy: "self-refine",
    params: { maxIterations: 2 },
    actor: { path: spec },
    critic: { path: spec },
    task: { question: "What is 2+2?" },
    seed: 3,
    outDir,
  });
  assert.equal(result.state.status, "failed");
  assert.equal(result.state.failure?.code, "model-error");
  const { events } = await readRunLog(result.logPath);
  const completed = events.filter((e) => e.type === "node-completed");
  assert.deepEqual(
    completed.map((e) => e.type === "node-completed" && e.status),
    ["done", "done", "failed"],
  );
  const failed = completed[2]!;
  assert.match(failed.type === "node-completed" ? (failed.error ?? "") : "", /unreachable/);
});

test("stop strings are sent as `stop`; vLLM's stop_reason tells a stop string (stop) from the end of the answer (eos)", async () => {
  const withStopReason = (chunks: unknown[], reason: string | null) =>
    chunks.map((chunk) => {
      const choice = (chunk as { choices?: Array<Record<string, unknown>> }).choices?.[0];
      return choice?.finish_reason ? { ...(chunk as object), choices: [{ ...choice, stop_reason: reason }] } : chunk;
    });
  const server = await serve({
    routes: { "/v1/models": { object: "list", data: [{ id: "m", object: "model" }] } },
    chat: (_req, call, response) =>
      sse(response, withStopReason(contentChunks("vllm", ["## Step 1: add"], { prompt_tokens: 10, completion_tokens: 4 }), call === 0 ? "\n\n" : null)),
  });
  const backend = backendFor(server, "m");
  const step = await backend.generate(request({ stop: ["\n\n"] }));
  assert.deepEqual(server.chats[0]!.body.stop, ["\n\n"]);
  assert.equal(step.stopReason, "stop");
  const end = await backend.generate(request({ stop: ["\n\n"] }));
  assert.equal(end.stopReason, "eos");
  await backend.generate(request());
  assert.equal(server.chats[2]!.body.stop, undefined, "no stop strings: no field");
});

/** A llama-server stream chunk: one token with its log-probability and its top candidates'. */
const tokenChunk = (content: string, top: number[]) => ({
  choices: [
    {
      index: 0,
      delta: { content },
      logprobs: { content: [{ token: content, logprob: top[0], top_logprobs: top.map((logprob, i) => ({ token: `t${i}`, logprob })) }] },
      finish_reason: null,
    },
  ],
});

test("confidence: logprobs and top_logprobs=20 are asked only when wanted, each streamed token's value is −mean of its top log-probs", async () => {
  const server = await serve({
    chat: (_req, _call, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      for (const chunk of [tokenChunk("Four", [-0.5, -1.5]), tokenChunk(".", [-2, -4, -6])]) response.write(`data: ${JSON.stringify(chunk)}\n\n`);
      const usage = { prompt_tokens: 5, completion_tokens: 2 };
      response.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage })}\n\ndata: [DONE]\n\n`);
    },
  });
  const backend = backendFor(server, "m");
  const plain = await backend.generate(request());
  assert.equal(server.chats[0]!.body.logprobs, undefined);
  assert.equal(plain.tokenConfidence, undefined);
  const scored = await backend.generate(request({ confidence: {} }));
  assert.deepEqual([server.chats[1]!.body.logprobs, server.chats[1]!.body.top_logprobs], [true, 20]);
  assert.deepEqual(scored.tokenConfidence, [1, 4]);
  assert.equal(scored.text, "Four.");
});

test("confidence: the online stop closes the stream at the token whose window falls below the threshold", async () => {
  const server = await serve({
    routes: { "/tokenize": { tokens: [1, 2, 3] } },
    chat: (_req, _call, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      // Sure, sure, unsure, unsure, …: the window of two ending at the fourth token has a mean of 0.5 < 2.
      for (const [text, value] of [
        ["a ", -5],
        ["b ", -5],
        ["c ", -0.5],
        ["d ", -0.5],
        ["e ", -5],
      ] as const)
        response.write(`data: ${JSON.stringify(tokenChunk(text, [value]))}\n\n`);
      // and never finishes: only the stop can end it
    },
  });
  const backend = backendFor(server, "m");
  const result = await backend.generate(request({ confidence: { stopBelow: { window: 2, threshold: 2 } } }));
  assert.equal(result.confidenceStopped, true);
  assert.equal(result.stopReason, "stop");
  assert.deepEqual(result.tokenConfidence, [5, 5, 0.5, 0.5]);
  assert.equal(result.text, "a b c d ");
  for (let i = 0; i < 50 && server.closedEarly === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(server.closedEarly, 1, "the server saw the connection close");
});

test("DeepConf through a server that sends no logprobs stops and says why, instead of a vote of weightless traces", async () => {
  const server = await arithmeticServer();
  const spec = `openai:${server.baseUrl}#m`;
  const result = await executeRun({
    strategy: "deepconf",
    params: { mode: "offline", n: 2 },
    actor: { path: spec },
    critic: { path: spec },
    task: { question: "What is 2+2?", reference: "4" },
    seed: 3,
    outDir: mkdtempSync(join(tmpdir(), "refinery-remote-")),
  });
  assert.deepEqual(
    server.chats.map((c) => [c.body.logprobs, c.body.top_logprobs]),
    [
      [true, 20],
      [true, 20],
    ],
  );
  assert.equal(result.state.status, "failed");
  assert.match(result.state.failure?.reason ?? "", /DeepConf needs per-token confidence.*returns logprobs/);
});
