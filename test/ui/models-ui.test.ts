// The hardware panel, the memory bar and the model library in real Chromium, against the real engine.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testModel } from "../support/models.ts";
import { artifactsDir, startWebApp, type WebApp } from "../support/web-app.ts";

let app: WebApp;
let server: Server;
let base: string;
const modelsDir = mkdtempSync(join(tmpdir(), "refinery-models-"));

before(async () => {
  const chat = await testModel("tinyChat");
  const critic = await testModel("tinyCritic");
  copyFileSync(chat, join(modelsDir, "tiny-chat.gguf"));
  const home = mkdtempSync(join(tmpdir(), "refinery-home-"));
  // The engine process inherits these: an isolated models folder and no real LM Studio/Ollama/HF folders.
  Object.assign(process.env, {
    REFINERY_MODELS_DIR: modelsDir,
    REFINERY_HOME: join(home, ".refinery"),
    HF_HOME: join(home, "hf"),
    OLLAMA_MODELS: join(home, "ollama"),
  });
  const body = readFileSync(critic);
  server = createServer((req, res) => {
    if (req.url !== "/critic.gguf") return res.writeHead(404).end();
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Number(range[2]) : body.length - 1;
    res.writeHead(range ? 206 : 200, {
      "content-length": end - start + 1,
      "accept-ranges": "bytes",
      ...(range ? { "content-range": `bytes ${start}-${end}/${body.length}` } : {}),
    });
    res.end(req.method === "HEAD" ? undefined : body.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  mkdirSync(artifactsDir, { recursive: true });
  app = await startWebApp();
});

after(async () => {
  server?.close();
  await app?.close();
});

test("the hardware panel shows the proven backends, the active one and why the others were skipped", async () => {
  const { page } = app;
  // On a fresh machine (no probe cache) the engine first proves CUDA, Vulkan and the CPU, one process each: on a
  // busy two-core machine that alone took 47 s.
  await page.waitForSelector('[data-testid="hardware-summary"]', { timeout: 180_000 });
  assert.match((await page.textContent('[data-testid="hardware-summary"]')) ?? "", /^cpu · RAM [\d.]+ GiB free of [\d.]+ GiB/);
  await page.click('[data-testid="hardware-summary"]');
  const backends = await page.$$eval('[data-testid="backend"]', (items) =>
    items.map((i) => [i.getAttribute("data-backend"), i.getAttribute("data-ok"), i.textContent]),
  );
  assert.deepEqual(
    backends.map((b) => b[0]),
    ["cuda", "vulkan", "cpu"],
  );
  assert.equal(backends[2]![1], "true");
  assert.match(backends[0]![2]!, /cuda skipped: /);
  // Overriding the backend starts a fresh engine process with it.
  const pid = app.host.enginePid;
  await page.selectOption('[data-testid="backend-override"]', "cpu");
  await page.waitForFunction(() => (document.querySelector('[data-testid="backend-override"]') as HTMLSelectElement | null)?.value === "cpu");
  assert.notEqual(app.host.enginePid, pid);
  assert.match((await page.textContent('[data-testid="engine-status"]')) ?? "", /cpu/);
});

test("the library lists the models folder; choosing models shows their joint memory plan", async () => {
  const { page } = app;
  await page.click('[data-testid="library"] summary');
  await page.waitForSelector('[data-testid="library-model"][data-name="tiny-chat.gguf"]');
  await page.click('[data-testid="library-model"][data-name="tiny-chat.gguf"] [data-testid="use-actor"]');
  await page.waitForSelector('[data-testid="actor-model-meta"]');
  assert.equal(await page.inputValue('[data-testid="actor-path"]'), join(modelsDir, "tiny-chat.gguf"));
  await page.waitForSelector('[data-testid="memory-plan"]');
  assert.equal(await page.getAttribute('[data-testid="memory-plan"]', "data-verdict"), "fits-ram");
  assert.match((await page.textContent('[data-testid="memory-verdict"]')) ?? "", /runs on the CPU: [\d.]+ MiB of [\d.]+ GiB RAM/);
  const segments = await page.$$eval('[data-testid="memory-bar-ram"] .segment', (s) => s.map((e) => e.getAttribute("data-label")));
  assert.deepEqual(segments, ["actor weights", "actor context", "critic context", "free"], "one copy: the critic shares the actor's weights");
  await page.screenshot({ path: join(artifactsDir, "memory-plan-and-library.png") });

  // Load settings saved as the model's default come back the next time the model is chosen.
  await page.click('[data-testid="actor-load"] summary');
  await page.fill('[data-testid="actor-context-size"]', "1024");
  await page.click('[data-testid="actor-save-load"]');
  await page.waitForFunction(() => /saved as this model/.test(document.querySelector('[data-testid="actor-save-load"]')?.textContent ?? ""));
  await page.reload();
  await page.click('[data-testid="library"] summary');
  await page.click('[data-testid="library-model"][data-name="tiny-chat.gguf"] [data-testid="use-actor"]');
  await page.waitForFunction(() => (document.querySelector('[data-testid="actor-context-size"]') as HTMLInputElement | null)?.value === "1024");
});

test("a download shows progress, lands in the library, and a bad one says why", async () => {
  const { page } = app;
  await page.fill('[data-testid="download-uri"]', `${base}/critic.gguf`);
  await page.click('[data-testid="download-start"]');
  await page.waitForSelector('[data-testid="download"][data-state="done"]', { timeout: 60_000 });
  await page.waitForSelector('[data-testid="library-model"][data-name="critic.gguf"]');
  await page.fill('[data-testid="download-uri"]', `${base}/missing.gguf`);
  await page.click('[data-testid="download-start"]');
  await page.waitForSelector('[data-testid="download"][data-state="failed"]', { timeout: 60_000 });
  assert.match((await page.textContent('[data-testid="download"][data-state="failed"]')) ?? "", /missing\.gguf/);
  await page.fill('[data-testid="library-add-path"]', "/no/such.gguf");
  await page.click('[data-testid="library-add"]');
  await page.waitForSelector('[data-testid="errors-library"]');
  assert.match((await page.textContent('[data-testid="errors-library"]')) ?? "", /model file not found: \/no\/such\.gguf/);
});
