// Closed loop with real inference: Refinery's OpenAI-compatible server in front of node-llama-cpp on generated
// GGUFs, and Refinery using it as its remote actor and critic. A Self-Refine run and a 10-item experiment through
// it give the same texts as the same runs done locally (same seed, sequential). Also the server's own surface:
// models, auth, plain and strategy completions (streaming and not), run ids and tree links.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { executeRun, type RunConfig } from "../../native/runs/runner.ts";
import { replayRunLog } from "../../native/runs/run-log.ts";
import { readManifest } from "../../native/runs/manifest.ts";
import { openRuntime } from "../../native/llm/runtime.ts";
import { setEndpointKey } from "../../native/llm/endpoint-keys.ts";
import { columnsFor, runExperiment, type ExperimentConfig } from "../../native/eval/experiment.ts";
import { startOpenAIServer, type OpenAIServer } from "../../native/server/openai-server.ts";
import { sseData } from "../../native/llm/sse.ts";
import { testModel } from "../support/models.ts";
import { raw } from "../support/raw-http.ts";

let actor: string;
let critic: string;
let server: OpenAIServer;
const scratch = mkdtempSync(join(tmpdir(), "refinery-loop-"));
const serverRuns = join(scratch, "server-runs");

before(async () => {
  actor = await testModel("tinyChat");
  critic = await testModel("tinyCritic");
  server = await startOpenAIServer({ actor, critic, runsDir: serverRuns, threads: 1, parallel: 2 });
  setEndpointKey(server.baseUrl, server.apiKey);
});

after(async () => {
  await server.close();
  await (await openRuntime({ threads: 1 })).dispose();
});

const remote = (name: string) => `openai:${server.baseUrl}#${name}`;

function runConfig(actorPath: string, criticPath: string, outDir: string): RunConfig {
  return {
    strategy: "self-refine",
    params: { maxIterations: 1, feedbackFormat: "json" },
    actor: { path: actorPath, sampling: { maxTokens: 24 } },
    critic: { path: criticPath, sampling: { maxTokens: 80 } },
    task: { question: "Tom has 3 apples and buys 4 more. How many apples does he have?", reference: "7" },
    seed: 11,
    outDir,
    threads: 1,
    parallel: false,
  };
}

const texts = (state: Awaited<ReturnType<typeof executeRun>>["state"]) => state.order.map((id) => [state.nodes[id]!.role, state.nodes[id]!.text]);

test("the server lists plain models and strategy × pair models, and refuses a missing key in OpenAI's error shape", async () => {
  const refused = await fetch(`${server.baseUrl}/models`);
  assert.equal(refused.status, 401);
  assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "invalid_api_key");
  const listed = (await (await fetch(`${server.baseUrl}/models`, { headers: { authorization: `Bearer ${server.apiKey}` } })).json()) as {
    data: Array<{ id: string }>;
  };
  const ids = listed.data.map((m) => m.id);
  assert.ok(ids.includes("tinyChat") && ids.includes("tinyCritic"));
  assert.ok(ids.includes("self-refine@tinyChat+tinyCritic"));
  assert.ok(ids.includes("best-of-n@tinyChat+tinyCritic"));
});

test("a Self-Refine run with the server as remote actor and critic gives the same texts as the local run", async () => {
  const local = await executeRun(runConfig(actor, critic, join(scratch, "local")));
  const through = await executeRun(runConfig(remote("tinyChat"), remote("tinyCritic"), join(scratch, "remote")));
  assert.equal(local.state.status, "finished", local.state.failure?.reason ?? "");
  assert.equal(through.state.status, "finished", through.state.failure?.reason ?? "");
  assert.deepEqual(texts(through.state), texts(local.state));
  assert.equal(through.state.answer, local.state.answer);
  const manifest = await readManifest(through.manifestPath);
  assert.equal(manifest.models[0]!.remote?.kind ?? "", "refinery");
  assert.equal(manifest.models[0]!.remote?.concurrency ?? 0, 2, "the server's slots from /props");
  assert.equal(manifest.models[1]!.remote?.structuredOutput ?? "", "response_format");
  assert.equal(manifest.models[0]!.remote?.tokenCounts ?? "", "server-usage");
  // Token counts come from the server's usage: the same as counted locally.
  const tokens = (s: typeof local.state) => s.order.map((id) => [s.nodes[id]!.tokensIn, s.nodes[id]!.tokensOut]);
  assert.deepEqual(tokens(through.state), tokens(local.state));
});

test("a 10-item experiment through the server gives the same cells as the same experiment run locally", async () => {
  const dataset = join(scratch, "items.jsonl");
  writeFileSync(
    dataset,
    Array.from({ length: 10 }, (_, i) => JSON.stringify({ question: `What is ${i} + ${i + 1}?`, answer: `#### ${2 * i + 1}` })).join("\n"),
  );
  const config = (actorPath: string, criticPath: string): ExperimentConfig => ({
    dataset,
    columns: columnsFor(
      [{ name: "self-refine", strategy: "self-refine", params: { maxIterations: 1, feedbackFormat: "json" } }],
      [{ actor: { path: actorPath, sampling: { maxTokens: 16 } }, critic: { path: criticPath, sampling: { maxTokens: 48 } } }],
    ),
    seed: 3,
    threads: 1,
  });
  const local = await runExperiment(join(scratch, "exp-local"), config(actor, critic), { concurrency: 1 });
  const through = await runExperiment(join(scratch, "exp-remote"), config(remote("tinyChat"), remote("tinyCritic")), { concurrency: 1 });
  assert.equal(through.length, 10);
  const cells = (rows: typeof local) => rows.map((r) => [r.item, r.status, r.answer]).sort((a, b) => Number(a[0]) - Number(b[0]));
  assert.deepEqual(cells(through), cells(local));
  // Cost differs on purpose: locally a turn's reused prefix is not charged (it stays in the sequence), while a
  // server's usage charges every prompt token it was sent. Remote cost is never below the local one.
  const cost = (rows: typeof local) => rows.reduce((sum, r) => sum + r.totalTokens, 0);
  assert.ok(cost(through) >= cost(local), `remote ${cost(through)} vs local ${cost(local)}`);
  for (const row of through) {
    const remoteState = (await replayRunLog(join(scratch, "exp-remote", "runs", row.runId, "events.jsonl"))).state;
    const localState = (await replayRunLog(join(scratch, "exp-local", "runs", row.runId, "events.jsonl"))).state;
    assert.deepEqual(texts(remoteState), texts(localState), `item ${row.item}`);
  }
});

async function chat(body: Record<string, unknown>) {
  return fetch(`${server.baseUrl}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

test("a strategy model answers with its final answer, logs the run like any other and returns its id and tree link", async () => {
  const response = await chat({
    model: "self-refine@tinyChat+tinyCritic",
    messages: [{ role: "user", content: "What is 2 + 2?" }],
    max_tokens: 16,
    seed: 5,
    refinery: { params: { maxIterations: 1, feedbackFormat: "json" }, criticMaxTokens: 120 },
  });
  assert.equal(response.status, 200);
  const body = (await response.json()) as {
    choices: Array<{ message: { content: string } }>;
    usage: { completion_tokens: number };
    refinery: { run_id: string; tree_url: string; run_dir: string };
  };
  const runId = response.headers.get("x-refinery-run-id")!;
  assert.equal(body.refinery.run_id, runId);
  assert.equal(body.refinery.tree_url, `#run=${runId}`);
  const { state } = await replayRunLog(join(serverRuns, runId, "events.jsonl"));
  assert.equal(state.status, "finished");
  assert.equal(body.choices[0]!.message.content, state.nodes[state.selectedNodeId!]!.text);
  assert.equal(state.params.maxIterations, 1, "per-request strategy parameters");
  assert.ok(body.usage.completion_tokens > 0);
});

test("streaming: plain models stream tokens with usage last; strategy models stream the final answer after progress comments", async () => {
  const plain = await chat({
    model: "tinyChat",
    messages: [{ role: "user", content: "Say hi" }],
    max_tokens: 8,
    seed: 1,
    stream: true,
    stream_options: { include_usage: true },
  });
  const pieces: string[] = [];
  let usage: { completion_tokens: number } | undefined;
  for await (const data of sseData(plain.body!)) {
    if (data === "[DONE]") break;
    const chunk = JSON.parse(data) as { choices: Array<{ delta: { content?: string } }>; usage?: { completion_tokens: number } };
    if (chunk.choices[0]?.delta.content) pieces.push(chunk.choices[0].delta.content);
    if (chunk.usage) usage = chunk.usage;
  }
  assert.ok(pieces.length > 1, "streamed in pieces");
  assert.ok(usage && usage.completion_tokens > 0);
  const whole = (await (await chat({ model: "tinyChat", messages: [{ role: "user", content: "Say hi" }], max_tokens: 8, seed: 1 })).json()) as {
    choices: Array<{ message: { content: string } }>;
  };
  assert.equal(pieces.join(""), whole.choices[0]!.message.content, "streamed and whole answers agree");
  const strategy = await chat({
    model: "best-of-n@tinyChat+tinyCritic",
    messages: [{ role: "user", content: "What is 1 + 1?" }],
    max_tokens: 12,
    stream: true,
    refinery: { params: { n: 2 }, criticMaxTokens: 100 },
  });
  const runId = strategy.headers.get("x-refinery-run-id");
  assert.ok(runId);
  const raw = await strategy.text();
  assert.match(raw, /^: node n1 done$/m);
  assert.match(raw, /data: \[DONE\]/);
  assert.ok(readdirSync(serverRuns).includes(runId!));
});

test("bad requests get OpenAI-shaped errors naming the problem", async () => {
  const unknown = await chat({ model: "nope", messages: [{ role: "user", content: "x" }] });
  assert.equal(unknown.status, 404);
  assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /no model 'nope'/);
  const empty = await chat({ model: "tinyChat", messages: [] });
  assert.equal(empty.status, 400);
  const badParam = await chat({
    model: "self-refine@tinyChat+tinyCritic",
    messages: [{ role: "user", content: "x" }],
    refinery: { params: { maxIterations: 999 } },
  });
  assert.equal(badParam.status, 400);
  assert.match(((await badParam.json()) as { error: { message: string } }).error.message, /Max iterations: must be a whole number from 0 to 16, got '999'/);
});

test("over real models too, a target that is not a URL and requests past the model's context are 400s, and the server lives", async () => {
  const bracket = await raw(server.port, `GET http://[ HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${server.apiKey}\r\n\r\n`);
  assert.deepEqual(bracket, { kind: "status", status: 400 });
  const error = async (response: Response) => ((await response.json()) as { error: { message: string; type: string; code: string | null } }).error;
  const tooMany = await chat({ model: "tinyChat", messages: [{ role: "user", content: "x" }], max_tokens: 1_000_000 });
  assert.equal(tooMany.status, 400);
  assert.match((await error(tooMany)).message, /'max_tokens' is 1000000 but tinyChat's context holds \d+ tokens/);
  const long = await chat({ model: "tinyChat", messages: [{ role: "user", content: "word ".repeat(40_000) }], max_tokens: 8 });
  assert.equal(long.status, 400);
  const overflow = await error(long);
  assert.equal(overflow.type, "invalid_request_error");
  assert.equal(overflow.code, "context_length_exceeded");
  const schema = await chat({
    model: "tinyChat",
    messages: [{ role: "user", content: "x" }],
    response_format: { type: "json_schema", json_schema: { schema: "{" } },
  });
  assert.equal(schema.status, 400);
  const fine = await chat({ model: "tinyChat", messages: [{ role: "user", content: "Say hi" }], max_tokens: 4 });
  assert.equal(fine.status, 200, "still serving");
});

test("the server's key never reaches a file under the runs folders", () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
  for (const file of files(scratch)) assert.ok(!readFileSync(file, "utf8").includes(server.apiKey), file);
});
