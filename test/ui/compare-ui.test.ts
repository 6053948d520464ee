// The compare view in Chromium: an experiment's aggregates, plot and grid; filters; a cell opens its run's tree.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScriptedBackend } from "../../native/llm/scripted-backend.ts";
import { runExperiment } from "../../native/eval/experiment.ts";
import { artifactsDir, startWebApp, type WebApp } from "../support/web-app.ts";

let app: WebApp;
const dir = join(mkdtempSync(join(tmpdir(), "refinery-compare-")), "exp");

before(async () => {
  const dataset = join(dir, "..", "tasks.jsonl");
  writeFileSync(dataset, Array.from({ length: 8 }, (_, i) => JSON.stringify({ id: `q${i}`, question: `What is ${i} + ${i}?`, answer: `#### ${2 * i}` })).join("\n"));
  // The single pass is right on even items; self-consistency's samples also fix items 1 and 3.
  const actor = new ScriptedBackend((request) => {
    const n = Number(/What is (\d+)/.exec(request.messages.at(-1)!.content)?.[1] ?? 0);
    const right = n % 2 === 0 || ((n === 1 || n === 3) && request.temperature === 0.8);
    return `Step 1\nThe answer is ${right ? 2 * n : 2 * n + 1}`;
  });
  const critic = new ScriptedBackend(() => JSON.stringify({ critique: "ok", correct: true, score: 8 }));
  await runExperiment(dir, {
    dataset,
    columns: [
      { name: "single", strategy: "single-pass", actor: { path: "a" }, critic: { path: "c" } },
      { name: "sc", strategy: "self-consistency", params: { n: 3 }, actor: { path: "a" }, critic: { path: "c" } },
    ],
    seed: 1,
  }, { deps: { backends: { actor, critic } } });
  mkdirSync(artifactsDir, { recursive: true });
  app = await startWebApp();
});

after(async () => {
  await app?.close();
});

test("load an experiment, read its aggregates, filter the grid, switch the baseline, open a cell's tree", async () => {
  const { page } = app;
  await page.click('[data-testid="tab-compare"]');
  await page.fill('[data-testid="experiment-path"]', dir);
  await page.click('[data-testid="experiment-load"]');
  await page.waitForSelector('[data-testid="compare-grid"]');
  const aggregates = await page.$$eval('[data-testid="aggregate-row"]', (rows) => rows.map((r) => r.textContent));
  assert.match(aggregates[0]!, /^single8 *50\.0%/);
  assert.match(aggregates[1]!, /^sc8 *75\.0%.*\+25\.0 pts2\/6\/0/);
  assert.equal((await page.$$('[data-testid="grid-row"]')).length, 8);
  await page.check('[data-testid="filter-differ"]');
  assert.equal((await page.$$('[data-testid="grid-row"]')).length, 2, "only items 1 and 3 differ");
  await page.uncheck('[data-testid="filter-differ"]');
  await page.check('[data-testid="filter-failures"]');
  assert.equal((await page.$$('[data-testid="grid-row"]')).length, 4);
  await page.uncheck('[data-testid="filter-failures"]');
  await page.waitForSelector('[data-testid="compare-plot"] circle');
  await page.screenshot({ path: join(artifactsDir, "compare-view.png") });
  await page.selectOption('[data-testid="compare-baseline"]', "sc");
  await page.waitForFunction(() => /0\/6\/2/.test(document.querySelector('[data-testid="aggregate-row"][data-column="single"]')?.textContent ?? ""));
  await page.click('[data-testid="grid-row"]:nth-child(2) [data-testid="grid-cell"]:nth-child(3)');
  await page.waitForSelector('[data-testid="tree-node"][data-role="vote"]');
  assert.equal((await page.$$('[data-testid="tree-node"][data-role="draft"]')).length, 3);
});
