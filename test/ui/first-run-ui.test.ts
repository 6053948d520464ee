// A first run in real Chromium, against the real engine, with the bundled demo pair on as a fresh install has it:
// the setup starts from the demo pair and its dataset, and the library's "get a model" list downloads a listed model
// (from a loopback server standing in for Hugging Face through MODEL_ENDPOINT, the downloader's mirror variable).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundledDemoDataset, bundledDemoModel, demoCriticFor } from "../../native/llm/bundled-demo.ts";
import { readDataset } from "../../native/eval/dataset.ts";
import { MODEL_CATALOG } from "../../native/protocol/model-catalog.ts";
import { artifactsDir, startWebApp, type WebApp } from "../support/web-app.ts";

let app: WebApp;
let server: Server;
const requested: string[] = [];
const modelsDir = mkdtempSync(join(tmpdir(), "refinery-models-"));
const listed = MODEL_CATALOG[0]!;

before(async () => {
  const home = mkdtempSync(join(tmpdir(), "refinery-home-"));
  // Any real GGUF passes the downloader's checks; the bundled one is small.
  const body = readFileSync(bundledDemoModel);
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://loopback").pathname;
    requested.push(path);
    if (path !== `/${listed.repo}/resolve/main/${listed.file}`) return res.writeHead(404).end();
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
  // The engine process inherits these: an empty models folder, no real LM Studio/Ollama/HF folders, and Hugging
  // Face references resolved against the loopback server.
  Object.assign(process.env, {
    REFINERY_MODELS_DIR: modelsDir,
    REFINERY_HOME: join(home, ".refinery"),
    HF_HOME: join(home, "hf"),
    OLLAMA_MODELS: join(home, "ollama"),
    MODEL_ENDPOINT: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
  });
  app = await startWebApp({ bundledModels: true });
});

after(async () => {
  server?.close();
  await app?.close();
});

test("a fresh setup starts from the bundled demo pair and its first item, and the dataset picker offers the demo dataset", async () => {
  const { page } = app;
  await page.waitForFunction((path) => (document.querySelector('[data-testid="actor-path"]') as HTMLInputElement | null)?.value === path, bundledDemoModel, {
    timeout: 60_000,
  });
  assert.equal(await page.inputValue('[data-testid="critic-path"]'), demoCriticFor(bundledDemoModel));
  const [first] = await readDataset(bundledDemoDataset);
  await page.waitForFunction((text) => (document.querySelector('[data-testid="question"]') as HTMLTextAreaElement | null)?.value === text, first!.question);
  await page.click(".dataset summary");
  assert.match((await page.getAttribute('[data-testid="dataset-demo"]', "title")) ?? "", /bundled demo models \(tiny, trained on arithmetic\)/);
  await page.click('[data-testid="dataset-demo"]');
  await page.waitForSelector('[data-testid="dataset-count"]');
  assert.equal(await page.textContent('[data-testid="dataset-count"]'), "200 items");
});

test("the library's get-a-model list shows each model's facts and source, and a download from it lands in the library", async () => {
  const { page } = app;
  await page.click('[data-testid="library"] summary');
  await page.click('[data-testid="model-catalog"] summary');
  const ids = await page.$$eval('[data-testid="catalog-model"]', (rows) => rows.map((r) => r.getAttribute("data-id")));
  assert.deepEqual(
    ids,
    MODEL_CATALOG.map((m) => m.id),
  );
  const row = `[data-testid="catalog-model"][data-id="${listed.id}"]`;
  assert.match((await page.textContent(`${row} [data-testid="catalog-facts"]`)) ?? "", new RegExp(`${listed.quantisation} · about [\\d.]+ MiB · suits actor`));
  assert.equal(await page.textContent(`${row} [data-testid="catalog-source"]`), `${listed.repo}/${listed.file}`);
  assert.equal(await page.getAttribute(`${row} [data-testid="catalog-source"]`, "href"), `https://huggingface.co/${listed.repo}`);

  await page.click(`${row} [data-testid="catalog-download"]`);
  await page.waitForSelector('[data-testid="download"][data-state="done"]', { timeout: 60_000 });
  // Listed under the downloader's name for it, and the list now says so instead of offering it again.
  await page.waitForSelector(`[data-testid="library-model"][data-name$="${listed.file}"]`);
  await page.waitForSelector(`${row}[data-in-library="true"] [data-testid="catalog-have"]`);
  assert.ok(requested.includes(`/${listed.repo}/resolve/main/${listed.file}`), `requests: ${requested.join(", ")}`);
  await page.screenshot({ path: join(artifactsDir, "get-a-model.png") });
});
