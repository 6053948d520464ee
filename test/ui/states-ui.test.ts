// How a run's state and its scores read in the UI, in real Chromium against the real engine: a cancelled run is
// cancelled (grey), not failed (red); a critic's "not correct" outranks its score; a refused field is named as the
// form labels it, and the message goes once the field is corrected.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunEvent } from "../../native/protocol/events.ts";
import { repoRoot, testModel } from "../support/models.ts";
import { startWebApp, type WebApp } from "../support/web-app.ts";

let app: WebApp;
let actor: string;

before(async () => {
  actor = await testModel("tinyChat");
  app = await startWebApp();
  await app.page.waitForSelector('[data-testid="engine-status"][data-status="ready"]');
});

after(async () => {
  await app?.close();
});

async function fillForm(options: { strategy: string; question: string; maxTokens: string }) {
  const { page } = app;
  await page.fill('[data-testid="actor-path"]', actor);
  await page.fill('[data-testid="critic-path"]', actor);
  await page.selectOption('[data-testid="strategy-select"]', options.strategy);
  await page.fill('[data-testid="question"]', options.question);
  await page.fill('[data-testid="max-tokens"]', options.maxTokens);
}

test("a wrong value is refused naming the field as the form labels it, and the message goes once the field is fixed", async () => {
  const { page } = app;
  await fillForm({ strategy: "single-pass", question: "2+2?", maxTokens: "99999999" });
  await page.click('[data-testid="start-run"]');
  await page.waitForSelector('[data-testid="errors-setup"]');
  assert.equal((await page.textContent('[data-testid="errors-setup"] .error span'))?.trim(), "Max tokens: at most 32,768");
  // A zero is not taken as "no limit": the form refuses it the way the CLI refuses --max-tokens 0.
  await page.fill('[data-testid="max-tokens"]', "0");
  await page.waitForSelector('[data-testid="errors-setup"]', { state: "detached" });
  await page.click('[data-testid="start-run"]');
  await page.waitForSelector('[data-testid="errors-setup"]');
  assert.equal((await page.textContent('[data-testid="errors-setup"] .error span'))?.trim(), "Max tokens: at least 1");
  await page.fill('[data-testid="max-tokens"]', "8");
  await page.waitForSelector('[data-testid="errors-setup"]', { state: "detached" });
  // A strategy parameter is named by its label too, with its range.
  await page.selectOption('[data-testid="strategy-select"]', "self-refine");
  await page.fill('[data-testid="param-maxIterations"]', "99");
  await page.click('[data-testid="start-run"]');
  await page.waitForSelector('[data-testid="errors-setup"]');
  assert.equal((await page.textContent('[data-testid="errors-setup"] .error span'))?.trim(), "Max iterations: must be a whole number from 0 to 16, got '99'");
  await page.fill('[data-testid="param-maxIterations"]', "1");
  await page.waitForSelector('[data-testid="errors-setup"]', { state: "detached" });
});

test("a cancelled run reads cancelled, in grey, in the run panel and in the history list", async () => {
  const { page } = app;
  await fillForm({ strategy: "single-pass", question: "Write a long story.", maxTokens: "3600" });
  await page.click('[data-testid="start-run"]');
  await page.waitForSelector('[data-testid="tree-node"][data-status="running"]');
  await page.waitForFunction(() => (document.querySelector('[data-testid="node-text"]')?.textContent ?? "").length > 20);
  await page.click('[data-testid="cancel-run"]');
  await page.waitForSelector('[data-testid="run-header"][data-status="cancelled"]');
  assert.equal((await page.textContent('[data-testid="run-status"]'))?.trim(), "cancelled");
  assert.match((await page.textContent('[data-testid="run-cancelled"]')) ?? "", /^Cancelled: cancelled by the user\./);
  assert.equal(await page.$('[data-testid="run-failure"]'), null, "no failure banner for a run the user stopped");
  const statusColor = await page.$eval('[data-testid="run-status"]', (element) => getComputedStyle(element).color);
  const failedColor = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--bad").trim());
  assert.notEqual(statusColor, failedColor);
  assert.equal(await page.getAttribute('[data-testid="tree-node"]', "data-status"), "aborted");
  await page.click('[data-testid="history"] h3 button');
  const runId = (await page.textContent('[data-testid="run-header"] .run-id'))!.trim();
  const item = `[data-testid="history-item"][data-run-id="${runId}"]`;
  await page.waitForFunction((selector) => document.querySelector(selector)?.classList.contains("cancelled") === true, item);
  assert.match((await page.textContent(`${item} .history-title`)) ?? "", /single-pass · cancelled/);
  mkdirSync(join(repoRoot, "docs/screenshots"), { recursive: true });
  await page.screenshot({ path: join(repoRoot, "docs/screenshots/run-cancelled.png") });
});

test("a critique that says correct: false with a score of 10 is drawn as not correct, credited to the model that wrote it", async () => {
  const { page, runsDir } = app;
  // A run log as the engine writes it: Self-Refine's feedback written by the actor, verdict false, score 10.
  const runId = "20260101-000000-self-refine-verdict";
  const model = { path: actor, name: "tiny-chat", sizeBytes: 1, sampling: { temperature: 0, maxTokens: 8 } };
  const events: RunEvent[] = [
    { type: "run-started", at: 1, runId, strategy: "self-refine", params: {}, models: { actor: model, critic: model }, seed: 0, task: { question: "2+2?" } },
    { type: "node-added", at: 2, nodeId: "n1", parents: [], role: "draft", step: "draft", iteration: 0, model: "actor" },
    { type: "node-completed", at: 3, nodeId: "n1", text: "The answer is 5", answer: "5", tokensIn: 5, tokensOut: 4, wallMs: 1, status: "done" },
    { type: "node-added", at: 4, nodeId: "n2", parents: ["n1"], role: "critique", step: "feedback", iteration: 0, model: "actor" },
    {
      type: "node-completed",
      at: 5,
      nodeId: "n2",
      text: '{"critique":"wrong sum","correct":false,"score":10}',
      answer: null,
      tokensIn: 9,
      tokensOut: 9,
      wallMs: 1,
      status: "done",
    },
    { type: "score-set", at: 6, nodeId: "n1", score: { value: 10, verdict: "incorrect", source: "critic", byNodeId: "n2" } },
    { type: "run-finished", at: 7, selectedNodeId: "n1", answer: "5", correct: null, budgets: { selectedPathTokens: 9, totalTokens: 27 } },
  ];
  mkdirSync(join(runsDir, runId), { recursive: true });
  writeFileSync(join(runsDir, runId, "events.jsonl"), `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
  writeFileSync(
    join(runsDir, runId, "manifest.json"),
    JSON.stringify({ runId, createdAt: "2026-01-01T00:00:00.000Z", status: "finished", strategy: "self-refine", task: { question: "2+2?" } }),
  );
  await page.click('[data-testid="history"] h3 button');
  await page.click(`[data-testid="history-item"][data-run-id="${runId}"]`);
  const badge = '[data-testid="tree-node"][data-node-id="n1"] [data-testid="score-badge"]';
  await page.waitForSelector(badge);
  assert.equal((await page.textContent(badge))?.trim(), "✗ 10/10");
  assert.equal(await page.getAttribute(badge, "data-verdict"), "incorrect");
  const background = await page.$eval(badge, (element) => getComputedStyle(element).backgroundColor);
  const [red, green] = background.match(/\d+/g)!.map(Number);
  assert.ok(red! > 150 && green! < 100, `a wrong answer is drawn red whatever its score, got ${background}`);
  await page.click('[data-testid="tree-node"][data-node-id="n1"]');
  await page.waitForSelector('[data-testid="inspector"] [data-testid="score-author"]');
  assert.equal((await page.textContent('[data-testid="inspector"] [data-testid="score-author"]'))?.trim(), "actor");
  assert.equal((await page.textContent('[data-testid="inspector"] [data-testid="score-badge"]'))?.trim(), "✗ 10/10");
});

test("a run refused because the models will not fit offers Run anyway, which starts it with the plan overridden", async () => {
  const { page, runsDir } = app;
  // The refusal as the engine reports it (the memory here fits the test models, so the refusal is replayed from a log).
  const runId = "20260101-000001-single-pass-wontfit";
  const reason =
    'the models will not fit in memory: needs 11.9 MiB RAM, 0.1 MiB available (actor context 2048 × 1 lanes). To make it fit: a smaller context; or, to load anyway, press "Run anyway"';
  mkdirSync(join(runsDir, runId), { recursive: true });
  const model = { path: actor, name: "tiny-chat", sizeBytes: 1, sampling: { temperature: 0, maxTokens: 8 } };
  const events: RunEvent[] = [
    { type: "run-started", at: 1, runId, strategy: "single-pass", params: {}, models: { actor: model, critic: model }, seed: 0, task: { question: "2+2?" } },
    { type: "run-failed", at: 2, reason, code: "will-not-fit" },
  ];
  writeFileSync(join(runsDir, runId, "events.jsonl"), `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
  writeFileSync(
    join(runsDir, runId, "manifest.json"),
    JSON.stringify({ runId, createdAt: "2026-01-01T00:00:01.000Z", status: "failed", failure: reason, strategy: "single-pass", task: { question: "2+2?" } }),
  );
  await fillForm({ strategy: "single-pass", question: "2+2?", maxTokens: "8" });
  await page.click('[data-testid="history"] h3 button');
  await page.click(`[data-testid="history-item"][data-run-id="${runId}"]`);
  await page.waitForSelector('[data-testid="run-failure"] [data-testid="run-anyway"]');
  const text = (await page.textContent('[data-testid="run-failure"]')) ?? "";
  assert.match(text, /^Run refused: the models will not fit in memory/);
  assert.doesNotMatch(text, /--force/, "the UI names its button, not the CLI's flag");
  await page.click('[data-testid="run-anyway"]');
  await page.waitForFunction((old) => {
    const id = document.querySelector('[data-testid="run-header"] .run-id')?.textContent ?? old;
    return id !== old;
  }, runId);
  await page.waitForSelector('[data-testid="run-header"][data-status="finished"]', { timeout: 60_000 });
});
