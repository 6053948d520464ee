// The run setup with a model on an OpenAI-compatible server, in real Chromium against the real engine: the
// endpoint field, Test connection with an API key (the server's models, or why not), and a run through it
// whose files hold no trace of the key.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { contentChunks, jsonError, sse, startFakeServer, type FakeServer } from "../support/fake-openai.ts";
import { startWebApp, type WebApp } from "../support/web-app.ts";

const key = "sk-ui-0f1e2d3c4b5a69788796";
let app: WebApp;
let server: FakeServer;

before(async () => {
  server = await startFakeServer({
    routes: { "/v1/models": { object: "list", data: [{ id: "qwen2.5:7b" }, { id: "llama3.2:3b" }] }, "/api/version": { version: "0.5.7" } },
    chat: (request, _call, response) => {
      if (request.headers.authorization !== `Bearer ${key}`) return jsonError(response, 401, { error: { message: "Incorrect API key provided" } });
      const text = request.body.format ? '{"critique":"fine","correct":true,"score":9}' : "It is 4. The answer is \\boxed{4}.";
      sse(response, contentChunks("ollama", [text], { prompt_tokens: 12, completion_tokens: 8 }));
    },
  });
  app = await startWebApp();
});

after(async () => {
  await app?.close();
  await server?.close();
});

test("an endpoint in the actor field: Test connection lists the server's models, and a run goes through it with the key kept out of its files", async () => {
  const { page } = app;
  await page.waitForSelector('[data-testid="engine-status"][data-status="ready"]', { timeout: 60_000 });
  const spec = `openai:${server.baseUrl}#qwen2.5:7b`;
  await page.fill('[data-testid="actor-path"]', spec);
  await page.fill('[data-testid="critic-path"]', "");
  await page.waitForSelector('[data-testid="actor-endpoint"]');
  assert.equal(await page.$('[data-testid="actor-load"]'), null, "no load settings for a model on a server");
  await page.fill('[data-testid="actor-api-key"]', key);
  await page.click('[data-testid="actor-test-endpoint"]');
  await page.waitForSelector('[data-testid="actor-endpoint-models"]');
  assert.match((await page.textContent('[data-testid="actor-endpoint-models"]')) ?? "", /ollama ollama 0\.5\.7 · 4 at once · serves qwen2\.5:7b/);
  await page.selectOption('[data-testid="strategy-select"]', "self-refine");
  await page.fill('[data-testid="param-maxIterations"]', "1");
  await page.fill('[data-testid="question"]', "What is 2 + 2?");
  await page.click('[data-testid="start-run"]');
  // Until the run ends, however it ends, so a failure says what the page showed rather than only timing out.
  // "starting" comes before "running", so wait for an end state, not merely for "not running".
  await page
    .waitForSelector(
      ':is([data-testid="run-header"][data-status="finished"], [data-testid="run-header"][data-status="failed"], [data-testid="run-header"][data-status="cancelled"])',
      {
        timeout: 60_000,
      },
    )
    .catch(() => undefined);
  const shown = await page.evaluate(() => ({
    status: document.querySelector('[data-testid="run-header"]')?.getAttribute("data-status") ?? "no run header",
    text: document.querySelector("main")?.textContent?.slice(0, 600) ?? "",
  }));
  assert.equal(shown.status, "finished", `the run through the endpoint did not finish: ${shown.text}`);
  assert.ok(server.chats.length >= 2 && server.chats.every((c) => c.headers.authorization === `Bearer ${key}`));
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
  const written = files(app.runsDir);
  assert.ok(written.some((f) => f.endsWith("manifest.json")));
  for (const file of written) assert.ok(!readFileSync(file, "utf8").includes(key), file);
});

test("Test connection says why an endpoint cannot be used", async () => {
  const { page } = app;
  // A port nothing listens on any more.
  const gone = await startFakeServer({ chat: () => {} });
  await gone.close();
  await page.fill('[data-testid="actor-path"]', `openai:http://127.0.0.1:${gone.port}/v1#m`);
  await page.click('[data-testid="actor-test-endpoint"]');
  await page.waitForSelector('[data-testid="actor-endpoint-error"]');
  assert.match(
    (await page.textContent('[data-testid="actor-endpoint-error"]')) ?? "",
    /cannot reach http:\/\/127\.0\.0\.1:\d+\/v1: ECONNREFUSED — is the server running/,
  );
});
