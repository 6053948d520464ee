// Endpoints in the model library, through the engine's requests as the UI sends them: an endpoint spec is checked
// by its source (not looked for as a file), listed under its served model for either role, and its key stays in
// memory — the library file holds the spec without it.
import { after, afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contentChunks, sse, startFakeServer, type FakeServer } from "../../test/support/fake-openai.ts";
import { EngineService } from "../engine/service.ts";
import type { LibraryModelInfo } from "../protocol/contract.ts";
import { executeRun } from "../runs/runner.ts";
import { endpointKey, setEndpointKey } from "./endpoint-keys.ts";
import { forgetEndpoints } from "./openai-endpoint.ts";
import { sourceFor } from "./sources/registry.ts";
import { openaiSource } from "./sources/openai.ts";

// A home of our own: the library file and the folders it scans are this test's, not the user's.
const home = mkdtempSync(join(tmpdir(), "refinery-library-home-"));
const saved = { ...process.env };
Object.assign(process.env, {
  HOME: home,
  REFINERY_HOME: join(home, ".refinery"),
  REFINERY_MODELS_DIR: join(home, "models"),
  OLLAMA_MODELS: join(home, "ollama"),
  HF_HUB_CACHE: join(home, "hf"),
});
after(() => {
  for (const key of ["HOME", "REFINERY_HOME", "REFINERY_MODELS_DIR", "OLLAMA_MODELS", "HF_HUB_CACHE"]) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  forgetEndpoints();
});

const service = new EngineService({ runsDir: mkdtempSync(join(tmpdir(), "refinery-library-runs-")), mode: "web", emit: () => {} });

test("an endpoint added to the library is listed under its served model, for either role, with its key only in memory", async () => {
  const key = "sk-library-5678";
  const server = await startFakeServer({
    routes: { "/v1/models": { object: "list", data: [{ id: "qwen2.5:7b" }] } },
    chat: (_req, _call, response) => sse(response, contentChunks("vllm", ["2+2 is \\boxed{4}."], { prompt_tokens: 12, completion_tokens: 8 })),
  });
  servers.push(server);
  const spec = `openai:${server.baseUrl}#qwen2.5:7b`;
  const added = await service.handle("addModel", { path: spec, apiKey: key });
  assert.ok(added.ok, !added.ok ? added.error : "");
  assert.deepEqual((added.value as { added: string[] }).added, [spec]);
  assert.equal(endpointKey(server.baseUrl), key, "the key is kept for the endpoint's runs in this process");
  const file = readFileSync(join(home, ".refinery", "library.json"), "utf8");
  assert.ok(!file.includes(key), "the library file never holds the key");

  const listed = await service.handle("listModels", {});
  assert.ok(listed.ok, !listed.ok ? listed.error : "");
  const entry = (listed.value as LibraryModelInfo[]).find((m) => m.source === "endpoint");
  assert.ok(entry, JSON.stringify(listed.value));
  assert.equal(entry.name, "qwen2.5:7b");
  assert.equal(entry.endpoint, server.baseUrl);
  assert.deepEqual(entry.roles, ["actor", "critic"]);
  assert.equal(entry.error, undefined);
  // "as actor" / "as critic" put the entry's path into the setup: a run on it reaches the server with the kept key.
  assert.equal(sourceFor(entry.path), openaiSource);
  const run = await executeRun({
    strategy: "single-pass",
    actor: { path: entry.path },
    critic: { path: entry.path },
    task: { question: "What is 2+2?", reference: "4" },
    seed: 1,
    outDir: mkdtempSync(join(tmpdir(), "refinery-library-run-")),
  });
  assert.equal(run.state.status, "finished", run.state.failure?.reason ?? "");
  assert.equal(run.state.correct, true);
  assert.equal(server.chats[0]!.body.model, "qwen2.5:7b");
  assert.equal(server.chats[0]!.headers.authorization, `Bearer ${key}`);
  setEndpointKey(server.baseUrl, undefined);
});

test("a key written in the endpoint's URL is split off: kept in memory, the spec stored without it", async () => {
  const spec = "openai:http://:sk-in-url-999@127.0.0.1:9/v1#llama3.2:3b";
  const added = await service.handle("addModel", { path: spec });
  assert.ok(added.ok, !added.ok ? added.error : "");
  assert.ok((added.value as { added: string[] }).added.includes("openai:http://127.0.0.1:9/v1#llama3.2:3b"));
  assert.equal(endpointKey("http://127.0.0.1:9/v1"), "sk-in-url-999");
  assert.ok(!readFileSync(join(home, ".refinery", "library.json"), "utf8").includes("sk-in-url-999"));
  setEndpointKey("http://127.0.0.1:9/v1", undefined);
});

test("an endpoint spec without a model is refused in the spec's words, not as a missing model file", async () => {
  const refused = await service.handle("addModel", { path: "openai:http://127.0.0.1:9/v1" });
  assert.ok(!refused.ok);
  assert.match(refused.error, /names no model: write openai:<base URL>#<served model name>/);
  assert.doesNotMatch(refused.error, /not found|no such file/i);
});

test("refinery models --add takes an endpoint: said added and listed without the key in its URL", () => {
  const dir = mkdtempSync(join(tmpdir(), "refinery-models-cli-"));
  const result = spawnSync(
    process.execPath,
    [join(import.meta.dirname, "../../bin/refinery.mjs"), "models", "--add", "openai:http://:sk-cli-4242@127.0.0.1:9/v1#served-model"],
    {
      encoding: "utf8",
      env: {
        ...process.env,
        HOME: dir,
        REFINERY_HOME: join(dir, ".refinery"),
        REFINERY_MODELS_DIR: join(dir, "models"),
        OLLAMA_MODELS: join(dir, "o"),
        HF_HUB_CACHE: join(dir, "hf"),
      },
    },
  );
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr, "added openai:http://127.0.0.1:9/v1#served-model\n");
  assert.equal(
    result.stdout,
    "[endpoint] served-model\n    served by http://127.0.0.1:9/v1 · suits actor and critic\n    openai:http://127.0.0.1:9/v1#served-model\n",
  );
});
