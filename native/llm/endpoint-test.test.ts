// "Test connection" through the engine's request, as the UI calls it: the server's models and kind, a refused
// key, an unreachable server, and a run request naming an endpoint accepted without a model file.
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonError, startFakeServer, type FakeServer } from "../../test/support/fake-openai.ts";
import { EngineService } from "../engine/service.ts";
import { endpointKey, setEndpointKey } from "./endpoint-keys.ts";
import { forgetEndpoints } from "./openai-endpoint.ts";

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  forgetEndpoints();
});

const service = new EngineService({ runsDir: mkdtempSync(join(tmpdir(), "refinery-endpoint-test-")), mode: "web", emit: () => {} });

test("testEndpoint lists the server's models and keeps the key for the endpoint's runs", async () => {
  const key = "sk-ui-entered-1234";
  const server = await startFakeServer({
    routes: { "/v1/models": { object: "list", data: [{ id: "qwen2.5:7b" }, { id: "llama3.2:3b" }] }, "/api/version": { version: "0.5.7" } },
    chat: (_req, _call, response) => jsonError(response, 500, {}),
  });
  servers.push(server);
  const result = await service.handle("testEndpoint", { spec: `openai:${server.baseUrl}#qwen2.5:7b`, apiKey: key });
  assert.ok(result.ok, !result.ok ? result.error : "");
  assert.deepEqual(result.value, {
    baseUrl: server.baseUrl,
    model: "qwen2.5:7b",
    models: ["qwen2.5:7b", "llama3.2:3b"],
    modelListed: true,
    kind: "ollama",
    version: "ollama 0.5.7",
    concurrency: 4,
  });
  assert.equal(server.requests[0]!.headers.authorization, `Bearer ${key}`);
  assert.equal(endpointKey(server.baseUrl), key);
  setEndpointKey(server.baseUrl, undefined);
});

test("testEndpoint says plainly when the key is refused, the server is down, or the spec is not an endpoint", async () => {
  const server = await startFakeServer({ chat: () => {}, routes: {} });
  servers.push(server);
  // /v1/models unknown to this server answers 404 here; a refusing one answers 401.
  const refusing = await startFakeServer({ chat: () => {}, routes: {} });
  servers.push(refusing);
  const missing = await service.handle("testEndpoint", { spec: `openai:${server.baseUrl}#m` });
  assert.ok(!missing.ok && /\/models answered 404/.test(missing.error));
  const port = server.port;
  await server.close();
  servers.splice(servers.indexOf(server), 1);
  const down = await service.handle("testEndpoint", { spec: `openai:http://127.0.0.1:${port}/v1#m` });
  assert.ok(!down.ok && /cannot reach .*ECONNREFUSED/.test(down.error), !down.ok ? down.error : "");
  const notEndpoint = await service.handle("testEndpoint", { spec: "/models/a.gguf" });
  assert.ok(!notEndpoint.ok && /not an endpoint/.test(notEndpoint.error));
  const noModel = await service.handle("testEndpoint", { spec: "openai:http://127.0.0.1:1/v1" });
  assert.ok(!noModel.ok && /names no model/.test(noModel.error));
});

test("a refused key is reported as such", async () => {
  const server = await startFakeServer({ chat: () => {}, routes: {} });
  servers.push(server);
  const guarded = await startFakeServer({ chat: () => {}, routes: {} });
  servers.push(guarded);
  // A server answering 401 on every route.
  const { createServer } = await import("node:http");
  const http = createServer((_req, res) => jsonError(res, 401, { error: { message: "Incorrect API key provided", code: "invalid_api_key" } }));
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));
  const port = (http.address() as { port: number }).port;
  const refused = await service.handle("testEndpoint", { spec: `openai:http://127.0.0.1:${port}/v1#m`, apiKey: "bad" });
  http.close();
  assert.ok(!refused.ok && /refused the API key \(401: Incorrect API key provided\)/.test(refused.error), !refused.ok ? refused.error : "");
});
