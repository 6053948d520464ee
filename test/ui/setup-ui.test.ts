// The run setup in real Chromium against the real engine: it survives a reload, a run's settings come back on
// request, the memory plan follows the files, the library chooser says why a model suits a role, downloads
// with no answer say so, and the page opened without its token says what is missing.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, storiesModel, testModel } from "../support/models.ts";
import { openFromHistory, startWebApp, type WebApp } from "../support/web-app.ts";

let app: WebApp;
let silent: Server;
const sockets = new Set<Socket>();
let silentUrl: string;
const modelsDir = mkdtempSync(join(tmpdir(), "refinery-setup-models-"));
const screenshots = join(repoRoot, "docs/screenshots");
const chat = join(modelsDir, "tiny-chat.gguf");

before(async () => {
  copyFileSync(await testModel("tinyChat"), chat);
  copyFileSync(storiesModel, join(modelsDir, "stories260K.gguf"));
  writeFileSync(join(modelsDir, "fake.gguf"), "this is not a model\n");
  const home = mkdtempSync(join(tmpdir(), "refinery-setup-home-"));
  // The engine process inherits these: an isolated library, and a short wait for a server that never answers.
  Object.assign(process.env, {
    REFINERY_MODELS_DIR: modelsDir,
    REFINERY_HOME: join(home, ".refinery"),
    HF_HOME: join(home, "hf"),
    OLLAMA_MODELS: join(home, "ollama"),
    REFINERY_CONNECT_TIMEOUT_MS: "4000",
  });
  silent = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.resume();
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
  silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}/model.gguf`;
  mkdirSync(screenshots, { recursive: true });
  app = await startWebApp();
  await app.page.waitForSelector('[data-testid="engine-status"][data-status="ready"]', { timeout: 180_000 });
});

after(async () => {
  for (const socket of sockets) socket.destroy();
  silent?.close();
  await app?.close();
});

const value = (testId: string) => app.page.inputValue(`[data-testid="${testId}"]`);

/** Unfolds a role's load settings (they stay open once opened). */
async function openLoadSettings(role: "actor" | "critic") {
  const open = await app.page.$eval(`[data-testid="${role}-load"]`, (details) => (details as HTMLDetailsElement).open);
  if (!open) await app.page.click(`[data-testid="${role}-load"] summary`);
}

test("the run setup survives a reload: models, strategy, parameters, task, reference and seed", async () => {
  const { page } = app;
  await page.fill('[data-testid="actor-path"]', chat);
  await page.selectOption('[data-testid="strategy-select"]', "self-consistency");
  await page.fill('[data-testid="param-n"]', "3");
  await page.fill('[data-testid="question"]', "What is 6 × 7?");
  await page.fill('[data-testid="reference"]', "42");
  await page.fill('[data-testid="seed"]', "17");
  await page.fill('[data-testid="max-tokens"]', "24");
  await page.click('[data-testid="actor-load"] summary');
  await page.fill('[data-testid="actor-context-size"]', "1536");
  await page.reload();
  await page.waitForSelector('[data-testid="engine-status"][data-status="ready"]');
  await page.waitForSelector('[data-testid="actor-model-meta"]');
  assert.equal(await value("actor-context-size"), "1536", "unsaved load settings are kept too, not replaced by the file's defaults");
  assert.deepEqual(
    [
      await value("actor-path"),
      await value("strategy-select"),
      await value("param-n"),
      await value("question"),
      await value("reference"),
      await value("seed"),
      await value("max-tokens"),
    ],
    [chat, "self-consistency", "3", "What is 6 × 7?", "42", "17", "24"],
  );
  // The restored file is read again: its facts and the memory plan come back with it.
  await page.waitForSelector('[data-testid="actor-model-meta"]');
  await page.waitForSelector('[data-testid="memory-plan"]');
  await page.screenshot({ path: join(screenshots, "setup-restored.png") });
});

test("a saved setup that is malformed does not break the page: the fields fall back to their defaults", async () => {
  const { page } = app;
  await page.evaluate(() => localStorage.setItem("refinery.setup", JSON.stringify({ actorPath: 42, strategy: "", params: "n=3", question: "kept" })));
  await page.reload();
  await page.waitForSelector('[data-testid="engine-status"][data-status="ready"]');
  assert.equal(await value("question"), "kept");
  assert.equal(await value("actor-path"), "");
  assert.equal(await value("strategy-select"), "self-refine");
  await page.evaluate(() => localStorage.setItem("refinery.setup", "{cut sh"));
  await page.reload();
  await page.waitForSelector('[data-testid="engine-status"][data-status="ready"]');
  assert.equal(await value("question"), "");
});

test("Run again with these settings loads a run's settings; opening a run alone leaves the setup as it was", async () => {
  const { page } = app;
  await page.fill('[data-testid="actor-path"]', chat);
  await page.selectOption('[data-testid="strategy-select"]', "single-pass");
  await page.fill('[data-testid="question"]', "What is 2 + 3?");
  await page.fill('[data-testid="reference"]', "5");
  await page.fill('[data-testid="seed"]', "9");
  await page.fill('[data-testid="max-tokens"]', "6");
  await openLoadSettings("actor");
  await page.fill('[data-testid="actor-context-size"]', "512");
  await page.click('[data-testid="start-run"]');
  await page.waitForSelector('[data-testid="run-header"][data-status="finished"]', { timeout: 120_000 });
  const runId = await page.textContent('[data-testid="run-header"] .run-id');
  await page.fill('[data-testid="actor-context-size"]', "");
  // The user moves on to another task; opening the old run to look at it changes nothing.
  await page.fill('[data-testid="question"]', "Something else");
  await page.fill('[data-testid="seed"]', "1");
  await page.selectOption('[data-testid="strategy-select"]', "self-refine");
  await openFromHistory(page, runId!);
  assert.equal(await value("question"), "Something else");
  await page.click('[data-testid="run-again"]');
  await page.waitForFunction(() => (document.querySelector('[data-testid="question"]') as HTMLTextAreaElement).value === "What is 2 + 3?");
  assert.deepEqual(
    [
      await value("actor-path"),
      await value("critic-path"),
      await value("strategy-select"),
      await value("reference"),
      await value("seed"),
      await value("max-tokens"),
      await value("actor-context-size"),
    ],
    [chat, "", "single-pass", "5", "9", "6", "512"],
  );
  // From the history list too, without opening the run first.
  await page.fill('[data-testid="question"]', "Something else again");
  await page.click(`[data-testid="history-item"][data-run-id="${runId}"] [data-testid="history-run-again"]`);
  await page.waitForFunction(() => (document.querySelector('[data-testid="question"]') as HTMLTextAreaElement).value === "What is 2 + 3?");
  assert.equal(await value("seed"), "9");
  // The next tests start from the default load settings.
  await page.fill('[data-testid="actor-context-size"]', "");
});

test("the memory plan is cleared when the model path turns to a missing or fake file, and the file's error shows", async () => {
  const { page } = app;
  await page.fill('[data-testid="actor-path"]', chat);
  await page.fill('[data-testid="critic-path"]', "");
  await page.locator('[data-testid="actor-path"]').blur();
  await page.waitForSelector('[data-testid="memory-plan"]');
  // A small model still shows on the bar, and its amount is printed (once the plan for this setup has come).
  await page.waitForSelector('[data-testid="memory-bar-ram"] .segment[data-label="actor weights"]');
  const weights = await page.$eval('[data-testid="memory-bar-ram"] .segment[data-label="actor weights"]', (e) => e.getBoundingClientRect().width);
  assert.ok(weights >= 4, `the weights segment is visible (${weights}px)`);
  assert.match((await page.textContent('[data-testid="memory-segments"]')) ?? "", /actor weights [\d.]+ (B|KiB|MiB)/);
  assert.match((await page.textContent('[data-testid="memory-used-ram"]')) ?? "", /^[\d.]+ (KiB|MiB) of [\d.]+ GiB$/);

  for (const [path, error] of [
    [join(modelsDir, "missing.gguf"), /model file not found/],
    [join(modelsDir, "fake.gguf"), /not a GGUF file/],
  ] as const) {
    await page.fill('[data-testid="actor-path"]', path);
    await page.locator('[data-testid="actor-path"]').blur();
    await page.waitForSelector('[data-testid="actor-model-error"]');
    assert.match((await page.textContent('[data-testid="actor-model-error"]')) ?? "", error);
    assert.equal(await page.$('[data-testid="memory-plan"]'), null, `no plan for ${path}`);
    // Back to a real file: its plan returns.
    await page.fill('[data-testid="actor-path"]', chat);
    await page.locator('[data-testid="actor-path"]').blur();
    await page.waitForSelector('[data-testid="memory-plan"]');
  }
});

test("a context size typed in the load settings is kept when the model field is left again, and the memory plan follows it", async () => {
  const { page } = app;
  await page.fill('[data-testid="actor-path"]', chat);
  await page.fill('[data-testid="critic-path"]', "");
  await page.locator('[data-testid="actor-path"]').blur();
  await page.waitForSelector('[data-testid="memory-bar-ram"] .segment[data-label="actor weights"]');
  await openLoadSettings("actor");
  await page.fill('[data-testid="actor-context-size"]', "512");
  await page.locator('[data-testid="actor-context-size"]').blur();
  await page.waitForFunction(() => /actor: .*context 512/.test(document.querySelector('[data-testid="memory-plan"]')?.textContent ?? ""));
  // Into the model field and out again, the file unchanged: its saved defaults do not undo the edit.
  await page.click('[data-testid="actor-path"]');
  await page.locator('[data-testid="actor-path"]').blur();
  await page.waitForSelector('[data-testid="memory-bar-ram"] .segment[data-label="actor weights"]');
  assert.equal(await value("actor-context-size"), "512");
  assert.match((await page.textContent('[data-testid="memory-plan"]')) ?? "", /actor: .*context 512/);
  await page.fill('[data-testid="actor-context-size"]', "");
  await page.locator('[data-testid="actor-context-size"]').blur();
});

test("choose… lists the library beside the field: F32, the reason a model suits the critic, and it may still be the actor", async () => {
  const { page } = app;
  await page.click('[data-testid="actor-choose"]');
  const stories = '[data-testid="actor-chooser"] [data-testid="library-model"][data-name="stories260K.gguf"]';
  await page.waitForSelector(stories);
  const facts = (await page.textContent(`${stories} [data-testid="library-facts"]`)) ?? "";
  // What `refinery inspect` says of its chat format too: node-llama-cpp's wrapper, and no thought segments.
  assert.match(facts, /^llama · 29\dK parameters · F32 · 1\.1 MiB · context 2048 · 5 layers · Llama2Chat wrapper · thought segments: no$/);
  assert.doesNotMatch(facts, /llama · llama|\?|GiB/);
  assert.match((await page.textContent(`${stories} [data-testid="library-role-note"]`)) ?? "", /^no chat template: uses a plain prompt/);
  await page.screenshot({ path: join(screenshots, "library-models.png") });
  await page.click(`${stories} [data-testid="choose-model"]`);
  await page.waitForFunction(
    (path) => (document.querySelector('[data-testid="actor-path"]') as HTMLInputElement).value === path,
    join(modelsDir, "stories260K.gguf"),
  );
  await page.waitForSelector('[data-testid="actor-model-meta"]');
  const meta = (await page.textContent('[data-testid="actor-model-meta"]')) ?? "";
  assert.match(meta, /^llama · 1\.1 MiB · 5 layers · context 2048 · no chat template: uses a plain prompt$/, "the architecture once");
  assert.equal(await page.$('[data-testid="actor-chooser"]'), null, "the chooser closes once a model is chosen");
});

test("in web mode choose… browses the server's folders: subfolders and .gguf files, one folder at a time", async () => {
  const { page } = app;
  await page.fill('[data-testid="critic-path"]', join(modelsDir, "whatever.gguf"));
  await page.click('[data-testid="critic-choose"]');
  await page.waitForSelector('[data-testid="critic-folder-path"]');
  assert.equal(await page.textContent('[data-testid="critic-folder-path"]'), modelsDir);
  const files = await page.$$eval('[data-testid="critic-folder-browser"] [data-testid="folder-file"]', (items) =>
    items.map((i) => i.getAttribute("data-name")),
  );
  assert.deepEqual(files, ["fake.gguf", "stories260K.gguf", "tiny-chat.gguf"]);
  await page.click('[data-testid="critic-folder-browser"] [data-testid="folder-up"]');
  await page.waitForFunction((dir) => document.querySelector('[data-testid="critic-folder-path"]')?.textContent !== dir, modelsDir);
  const name = modelsDir.split("/").at(-1)!;
  await page.click(`[data-testid="critic-folder-browser"] [data-testid="folder-entry"][data-name="${name}"]`);
  await page.waitForFunction((dir) => document.querySelector('[data-testid="critic-folder-path"]')?.textContent === dir, modelsDir);
  await page.click('[data-testid="critic-folder-browser"] [data-testid="folder-file"][data-name="tiny-chat.gguf"]');
  await page.waitForFunction((path) => (document.querySelector('[data-testid="critic-path"]') as HTMLInputElement).value === path, chat);
});

test("a download from a server that never answers says it is connecting, can be cancelled at once, and times out with why", async () => {
  const { page } = app;
  await page.click('[data-testid="library"] summary');
  await page.fill('[data-testid="download-uri"]', silentUrl);
  await page.click('[data-testid="download-start"]');
  await page.waitForSelector('[data-testid="download"][data-state="connecting"]');
  assert.match((await page.textContent('[data-testid="download"][data-state="connecting"]')) ?? "", /connecting to 127\.0\.0\.1:\d+…/);
  await page.click('[data-testid="download"][data-state="connecting"] [data-testid="download-cancel"]');
  await page.waitForSelector('[data-testid="download"][data-state="cancelled"]');

  await page.click('[data-testid="download-start"]');
  await page.waitForSelector('[data-testid="download"][data-state="failed"]', { timeout: 60_000 });
  assert.match(
    (await page.textContent('[data-testid="download"][data-state="failed"] [data-testid="download-error"]')) ?? "",
    /^Could not reach 127\.0\.0\.1:\d+ within 4 s — check the network or proxy$/,
  );
});

test("the hardware panel names the CPU and its cores, and the backend menu offers only this platform's backends", async () => {
  const { page } = app;
  await page.waitForSelector('[data-testid="hardware-summary"]', { timeout: 180_000 });
  await page.click('[data-testid="hardware-summary"]');
  const list = cpus();
  assert.equal(await page.textContent('[data-testid="hardware-cpu"]'), `CPU: ${list[0]!.model.trim()} · ${list.length} cores`);
  const options = await page.$$eval('[data-testid="backend-override"] option', (items) =>
    items.map((o) => [o.getAttribute("value"), (o as HTMLOptionElement).disabled]),
  );
  assert.equal(options[0]![0], "auto");
  assert.equal(options.at(-1)![0], "cpu");
  if (process.platform !== "darwin") assert.ok(!options.some(([name]) => name === "metal"), JSON.stringify(options));
  const unavailable = (await page.$('[data-testid="backend-unavailable"]')) ? ((await page.textContent('[data-testid="backend-unavailable"]')) ?? "") : "";
  for (const [name, disabled] of options) if (disabled) assert.ok(unavailable.includes(`${name}: `), `${name} says why`);
  assert.doesNotMatch(unavailable, /NoBinaryFoundError/);
});

test("the page opened without its token is one message saying where the link was printed, with no error banners", async () => {
  const context = await app.browser.newContext({ viewport: { width: 900, height: 500 } });
  try {
    const page = await context.newPage();
    const response = await page.goto(`http://127.0.0.1:${app.server.port}/`);
    assert.equal(response?.status(), 401);
    const text = (await page.textContent('[data-testid="token-page"]')) ?? "";
    assert.match(text, /This link needs its access token\./);
    assert.match(text, /npm start or refinery serve printed/);
    assert.equal((await page.$$('[role="alert"], [data-testid^="errors-"], [data-testid="run-setup"]')).length, 0);
    await page.screenshot({ path: join(screenshots, "no-token.png") });
  } finally {
    await context.close();
  }
});
