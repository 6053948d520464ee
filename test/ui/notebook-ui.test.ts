// The app as a research notebook, in real Chromium against the real engine: a run says which run it is (models,
// parameters, seed, sampling, date, duration, task), the history list tells runs apart (date, models, duration,
// search, filters) and deletes into the trash after a confirmation.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { repoRoot, testModel } from "../support/models.ts";
import { startWebApp, type WebApp } from "../support/web-app.ts";

let app: WebApp;
let actor: string;
let critic: string;
const screenshots = join(repoRoot, "docs/screenshots");

before(async () => {
  actor = await testModel("tinyChat");
  critic = await testModel("tinyCritic");
  app = await startWebApp();
  mkdirSync(screenshots, { recursive: true });
  await app.page.waitForSelector('[data-testid="engine-status"][data-status="ready"]');
});

after(async () => {
  await app?.close();
});

/** Fills the form, starts the run and waits until it has ended; returns its id. */
async function runToEnd(options: { strategy: string; question: string; reference?: string; seed?: string; maxTokens?: string }) {
  const { page } = app;
  await page.fill('[data-testid="actor-path"]', actor);
  await page.fill('[data-testid="critic-path"]', critic);
  await page.selectOption('[data-testid="strategy-select"]', options.strategy);
  await page.fill('[data-testid="question"]', options.question);
  await page.fill('[data-testid="reference"]', options.reference ?? "");
  await page.fill('[data-testid="seed"]', options.seed ?? "0");
  await page.fill('[data-testid="max-tokens"]', options.maxTokens ?? "8");
  const previous = await page.$eval('[data-testid="run-header"]', (e) => e.getAttribute("data-run-id")).catch(() => null);
  await page.click('[data-testid="start-run"]');
  await page.waitForFunction((old) => {
    const header = document.querySelector('[data-testid="run-header"]');
    const id = header?.getAttribute("data-run-id");
    return id && id !== old && ["finished", "failed", "cancelled"].includes(header?.getAttribute("data-status") ?? "");
  }, previous);
  return (await page.getAttribute('[data-testid="run-header"]', "data-run-id"))!;
}

const text = async (selector: string) => ((await app.page.textContent(selector)) ?? "").replace(/\s+/g, " ").trim();

test("the run header names the models, parameters, seed, sampling, date and duration, with the task folded", async () => {
  const { page } = app;
  const runId = await runToEnd({ strategy: "self-refine", question: "What is 12 + 30? Answer with a number.", reference: "42", seed: "7" });
  assert.equal(await page.getAttribute('[data-testid="run-header"]', "data-status"), "finished");
  assert.match(await text('[data-testid="run-actor"]'), new RegExp(`^actor ${basename(actor)} \\(temp [\\d.]+, max 8 tokens\\)$`));
  assert.match(await text('[data-testid="run-critic"]'), new RegExp(`^critic ${basename(critic)} \\(temp [\\d.]+, max \\d+ tokens\\)$`));
  assert.match(await text('[data-testid="run-params"]'), /maxIterations=\d+/);
  assert.equal(await text('[data-testid="run-seed"]'), "seed 7");
  const date = await page.getAttribute('[data-testid="run-date"]', "datetime");
  assert.ok(Math.abs(Date.parse(date!) - Date.now()) < 10 * 60_000, `the run's date is today's, not ${date}`);
  assert.match(await text('[data-testid="run-progress"]'), /^(\d+)\/\1 nodes done · \d+ tokens generated · took [\d.]+ (ms|s|min \d+ s)$/);
  // Folded: the summary shows the start of the task and the reference; the whole question opens on a click.
  assert.equal(await page.isVisible('[data-testid="run-reference"]'), false);
  assert.match(await text('[data-testid="run-task"] summary'), /^task: What is 12 \+ 30\? Answer with a number\. · reference 42$/);
  await page.click('[data-testid="run-task"] summary');
  assert.equal(await text('[data-testid="run-reference"]'), "reference answer: 42");
  await page.click('[data-testid="run-task"] summary');
  assert.equal(await page.getAttribute(`[data-testid="history-item"][data-run-id="${runId}"]`, "data-run-id"), runId);
});

test("the history list tells runs apart: date, models, duration, search, filters, sort; delete asks, then moves to the trash", async () => {
  const { page } = app;
  const singlePass = await runToEnd({ strategy: "single-pass", question: "Name a prime number larger than 10." });
  await page.click('[data-testid="history"] h3 button');
  await page.waitForSelector(`[data-testid="history-item"][data-run-id="${singlePass}"]`);
  const meta = await text(`[data-testid="history-item"][data-run-id="${singlePass}"] [data-testid="history-meta"]`);
  assert.match(meta, new RegExp(`^\\w+ \\d+, [\\d:]+( [AP]M)? · [\\d.]+ (ms|s) · ${basename(actor).replace(".", "\\.")} \\+ ${basename(critic).replace(".", "\\.")}$`));
  const listed = () => page.$$eval('[data-testid="history-item"]', (items) => items.map((item) => item.getAttribute("data-run-id")));
  const all = await listed();
  assert.equal(all.length, 2);
  assert.equal(all[0], singlePass, "newest first");
  await page.selectOption('[data-testid="history-sort"]', "oldest");
  assert.deepEqual(await listed(), [...all].reverse());
  await page.fill('[data-testid="history-search"]', "prime");
  assert.deepEqual(await listed(), [singlePass]);
  await page.fill('[data-testid="history-search"]', "");
  await page.selectOption('[data-testid="history-filter-strategy"]', "self-refine");
  assert.deepEqual(await listed(), [all[1]]);
  assert.match(await text('[data-testid="history"] h3'), /^Runs \(1 of 2\)/);
  await page.selectOption('[data-testid="history-filter-strategy"]', "");
  await page.selectOption('[data-testid="history-sort"]', "newest");
  await page.screenshot({ path: join(screenshots, "run-header-and-list.png") });

  // Delete: nothing happens until confirmed; "keep" takes it back.
  const item = `[data-testid="history-item"][data-run-id="${singlePass}"]`;
  await page.click(`${item} [data-testid="history-delete"]`);
  await page.click(`${item} [data-testid="history-delete-no"]`);
  assert.equal(existsSync(join(app.runsDir, singlePass)), true);
  await page.click(`${item} [data-testid="history-delete"]`);
  await page.click(`${item} [data-testid="history-delete-yes"]`);
  await page.waitForSelector(item, { state: "detached" });
  assert.equal(existsSync(join(app.runsDir, singlePass)), false);
  assert.equal(existsSync(join(app.runsDir, ".trash", singlePass, "events.jsonl")), true, "the run's files are in the trash, not erased");
  // It was the run on screen: the panel no longer shows it.
  assert.equal(await page.$(`[data-testid="run-header"][data-run-id="${singlePass}"]`), null);
});
