// The UI in real Chromium against the real engine in web mode, on generated GGUFs.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { testModel } from "../support/models.ts";
import { artifactsDir, startWebApp, type WebApp } from "../support/web-app.ts";

let app: WebApp;
let actor: string;
let critic: string;

before(async () => {
  actor = await testModel("tinyChat");
  critic = await testModel("tinyCritic");
  app = await startWebApp();
  mkdirSync(artifactsDir, { recursive: true });
});

after(async () => {
  await app?.close();
});

async function setupRun(options: { strategy: string; question: string; maxTokens: string; params?: Record<string, string>; actorPath?: string }) {
  const { page } = app;
  await page.fill('[data-testid="actor-path"]', options.actorPath ?? actor);
  await page.fill('[data-testid="critic-path"]', critic);
  await page.selectOption('[data-testid="strategy-select"]', options.strategy);
  for (const [name, value] of Object.entries(options.params ?? {})) {
    const selector = `[data-testid="param-${name}"]`;
    const tag = await page.$eval(selector, (element) => element.tagName);
    if (tag === "SELECT") await page.selectOption(selector, value);
    else await page.fill(selector, value);
  }
  await page.fill('[data-testid="question"]', options.question);
  await page.fill('[data-testid="max-tokens"]', options.maxTokens);
}

/** Clicks Start and waits until the run panel shows the new run (the previous one may still be on screen). */
async function start() {
  const { page } = app;
  const previous = (await page.$('[data-testid="run-header"] .run-id')) ? await page.textContent('[data-testid="run-header"] .run-id') : null;
  await page.click('[data-testid="start-run"]');
  await page.waitForFunction((old) => {
    const id = document.querySelector('[data-testid="run-header"] .run-id')?.textContent ?? null;
    return id !== null && id !== old;
  }, previous);
}

const runStatus = () => app.page.getAttribute('[data-testid="run-header"]', "data-status");

test("a Self-Refine run grows live in the tree: nodes, streamed tokens, scores, the selected path", async () => {
  const { page } = app;
  await page.waitForSelector('[data-testid="engine-status"][data-status="ready"]');
  await setupRun({
    strategy: "self-refine",
    question: "What is 12 + 30?",
    maxTokens: "48",
    params: { maxIterations: "2", feedbackModel: "critic", feedbackFormat: "json" },
  });
  await page.click('[data-testid="actor-path"]');
  await page.click('[data-testid="question"]'); // blur: the actor's metadata appears
  await page.waitForSelector('[data-testid="actor-model-meta"]');
  assert.match((await page.textContent('[data-testid="actor-model-meta"]')) ?? "", /llama · tiny-chat .* 2 layers .* chat template/);
  await start();
  // Tokens stream into the first node while it is still running.
  await page.waitForFunction(() => {
    const node = document.querySelector('[data-testid="tree-node"][data-status="running"] [data-testid="node-text"]');
    return node !== null && (node.textContent ?? "").replace("…", "").length > 0;
  });
  await page.waitForSelector('[data-testid="score-badge"]');
  await page.waitForSelector('[data-testid="run-header"][data-status="finished"]', { timeout: 120_000 });
  const roles = await page.$$eval('[data-testid="tree-node"]', (nodes) => nodes.map((n) => n.getAttribute("data-role")));
  assert.equal(roles[0], "draft");
  assert.ok(roles.includes("critique"));
  assert.ok(roles.includes("select"));
  assert.ok((await page.$$(".node-card.on-path")).length >= 1, "the selected path is highlighted");
  assert.ok((await page.$$(".edge.extra")).length >= 1, "several-parent edges are drawn");
  await page.screenshot({ path: join(artifactsDir, "self-refine-tree.png") });

  await page.click('[data-testid="tree-node"][data-role="critique"]');
  await page.waitForSelector('[data-testid="inspector"]');
  // A critique reads as its verdict; raw shows the JSON the critic wrote.
  await page.waitForSelector('[data-testid="inspector"] [data-testid="critique-view"]');
  await page.check('[data-testid="inspector-raw"]');
  assert.match((await page.textContent('[data-testid="inspector-output"]')) ?? "", /^\{/);
  await page.uncheck('[data-testid="inspector-raw"]');
  assert.match((await page.textContent('[data-testid="inspector"]')) ?? "", /Prompt[\s\S]*system/);
});

test("reloading the page restores the run from its log", async () => {
  const { page } = app;
  const before = await page.$$eval('[data-testid="tree-node"]', (nodes) => nodes.map((n) => n.getAttribute("data-node-id")));
  await page.reload();
  await page.waitForSelector('[data-testid="run-header"][data-status="finished"]');
  const after = await page.$$eval('[data-testid="tree-node"]', (nodes) => nodes.map((n) => n.getAttribute("data-node-id")));
  assert.deepEqual(after, before);
  assert.ok((await page.$$('[data-testid="history-item"]')).length >= 1);
});

test("collapsing a subtree hides its nodes", async () => {
  const { page } = app;
  const count = async () => (await page.$$('[data-testid="tree-node"]')).length;
  const before = await count();
  await page.click('[data-testid="tree-node"][data-node-id="n1"] [data-testid="collapse-toggle"]');
  assert.ok((await count()) < before);
  assert.match((await page.textContent('[data-testid="tree-node"][data-node-id="n1"] [data-testid="collapse-toggle"]')) ?? "", /^\+\d+$/);
  await page.click('[data-testid="tree-node"][data-node-id="n1"] [data-testid="collapse-toggle"]');
  assert.equal(await count(), before);
});

test("an MCTS run can be replayed iteration by iteration", async () => {
  const { page } = app;
  await setupRun({ strategy: "mctsr", question: "What is 5 * 5?", maxTokens: "24", params: { iterations: "3" } });
  await start();
  await page.waitForSelector('[data-testid="run-header"][data-status="finished"]', { timeout: 120_000 });
  await page.focus('[data-testid="search-slider"]');
  await page.keyboard.press("Home");
  // Which node the first iteration expands follows the random-weight critic's rewards (the scripted MCTSr replay
  // test in tree-ui pins the decisions); here: the replay names it and shows the search's statistics there.
  const label = (await page.textContent('[data-testid="search-replay"]')) ?? "";
  const expanded = /1 \/ 3 · expanded (n\d+)/.exec(label)?.[1];
  assert.ok(expanded, label);
  const stats = await page.$$eval('[data-testid="search-stat"]', (nodes) => nodes.map((n) => n.textContent));
  // The search knows two roots (the answer, the dummy "I Don't Know") and one child; the dummy may lie outside the drawn view.
  assert.ok(stats.length >= 2 && stats.length <= 3, `search stats drawn: ${stats.join(" | ")}`);
  const stat = await page.$(`[data-node-id="${expanded}"] [data-testid="search-stat"]`);
  if (stat) assert.match((await stat.textContent()) ?? "", /· n [1-9]\d*$/, "the expanded node has been visited");
  assert.ok((await page.$$(".node-card.later")).length >= 1, "answers found later are dimmed");
  await page.screenshot({ path: join(artifactsDir, "mcts-replay.png") });
  await page.keyboard.press("End");
  assert.match((await page.textContent('[data-testid="search-replay"]')) ?? "", /final \(3 iterations\)/);
});

test("a bad model path shows its error next to the form, and no run starts", async () => {
  const { page } = app;
  await setupRun({ strategy: "single-pass", question: "2+2?", maxTokens: "8", actorPath: "/no/such/model.gguf" });
  await page.click('[data-testid="start-run"]');
  await page.waitForSelector('[data-testid="errors-setup"]');
  assert.match((await page.textContent('[data-testid="errors-setup"]')) ?? "", /Actor model: model file not found: \/no\/such\/model\.gguf/);
});

test("cancel stops generation and the run shows it was cancelled", async () => {
  const { page } = app;
  await page.click('[data-testid="errors-setup"] button');
  await setupRun({ strategy: "single-pass", question: "Write a long story.", maxTokens: "3600" });
  await start();
  await page.waitForSelector('[data-testid="tree-node"][data-status="running"]');
  await page.waitForFunction(() => (document.querySelector('[data-testid="node-text"]')?.textContent ?? "").length > 20);
  await page.click('[data-testid="cancel-run"]');
  await page.waitForSelector('[data-testid="run-header"][data-status="cancelled"]');
  assert.match((await page.textContent('[data-testid="run-cancelled"]')) ?? "", /cancelled/i);
  assert.equal(await page.getAttribute('[data-testid="tree-node"]', "data-status"), "aborted");
});

test("a killed engine process is reported, completed nodes stay, and the next run works", async () => {
  const { page, host } = app;
  await setupRun({
    strategy: "self-refine",
    question: "Count to a thousand.",
    maxTokens: "64",
    params: { maxIterations: "3", stopScore: "10", feedbackModel: "critic", feedbackFormat: "json" },
  });
  await start();
  await page.waitForSelector('[data-testid="tree-node"][data-status="done"]');
  const pid = host.enginePid;
  assert.ok(pid);
  process.kill(pid, "SIGKILL");
  await page.waitForSelector('[data-testid="run-header"][data-status="failed"]');
  assert.match((await page.textContent('[data-testid="run-failure"]')) ?? "", /the engine stopped.*the engine process stopped \(killed by SIGKILL\)/);
  assert.match((await page.textContent('[data-testid="errors-engine"]')) ?? "", /engine process stopped/);
  const done = await page.$$eval('[data-testid="tree-node"][data-status="done"]', (nodes) => nodes.map((n) => n.getAttribute("data-node-id")));
  assert.ok(done.includes("n1"));
  await page.screenshot({ path: join(artifactsDir, "engine-crashed.png") });
  // The log itself kept the completed nodes and records why the run ended.
  await page.reload();
  await page.waitForSelector('[data-testid="run-header"][data-status="failed"]');
  assert.match((await page.textContent('[data-testid="run-failure"]')) ?? "", /Run failed \(the engine stopped\)/);
  const replayed = await page.$$eval('[data-testid="tree-node"][data-status="done"]', (nodes) => nodes.map((n) => n.getAttribute("data-node-id")));
  assert.deepEqual(replayed.slice(0, done.length), done);

  await setupRun({ strategy: "single-pass", question: "2+2?", maxTokens: "8" });
  await start();
  await page.waitForSelector('[data-testid="run-header"][data-status="finished"]', { timeout: 60_000 });
  assert.notEqual(host.enginePid, pid, "a fresh engine process");
  assert.equal(await runStatus(), "finished");
});

test("the event stream drops while a run ends: the page reconnects, catches up and shows the run finished", async () => {
  const { page, server } = app;
  await setupRun({ strategy: "single-pass", question: "3+3?", maxTokens: "8" });
  await start();
  // Every socket goes, the page's event stream with them; the run goes on in the engine meanwhile, and the page
  // reconnects on its own (EventSource's retry) with the last event id it saw.
  // The cut stream, and any request in flight at that moment (the history list), log a failed load.
  app.expectedPageErrors.push(/^Failed to load resource: net::ERR_/);
  server.server.closeAllConnections();
  await page.waitForSelector('[data-testid="run-header"][data-status="finished"]', { timeout: 60_000 });
  assert.equal(await runStatus(), "finished");
});
