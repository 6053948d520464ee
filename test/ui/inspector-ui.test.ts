// Reading a tree in real Chromium against the real engine: a critique in the inspector is its verdict, score,
// steps and reasons (raw for the JSON); an MCTSr reward and Q are in their own units (−100…100) with visits; a
// node that wrote only whitespace says so; the side panels fold and resize, and stay so after a reload. The runs
// are cells of a real experiment on scripted models, so every number is known.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runExperiment } from "../../native/eval/experiment.ts";
import { ScriptedBackend } from "../../native/llm/scripted-backend.ts";
import { repoRoot } from "../support/models.ts";
import { reloadPage, startWebApp, type WebApp } from "../support/web-app.ts";

let app: WebApp;
const experimentDir = join(mkdtempSync(join(tmpdir(), "refinery-inspector-")), "exp");
const screenshots = join(repoRoot, "docs/screenshots");

const stepwiseVerdict = {
  steps: [
    { why: "adds 2 and 2", verdict: "correct", score: 9 },
    { why: "repeats a sum it never checked", verdict: "wrong", score: 2 },
  ],
  critique: "The second step is unsupported.",
  finalCorrect: false,
  score: 3,
};

before(async () => {
  const dataset = join(experimentDir, "..", "tasks.jsonl");
  mkdirSync(experimentDir, { recursive: true });
  writeFileSync(
    dataset,
    [JSON.stringify({ question: "What is 2 + 2?", answer: "4" }), JSON.stringify({ question: "Reply with blank space only.", answer: "0" })].join("\n"),
  );
  const actor = new ScriptedBackend((request) =>
    request.messages.at(-1)!.content.includes("blank space") ? "  \n\n   " : "Step 1: 2 + 2 = 4\nStep 2: so it is 4\nThe answer is 4",
  );
  const critic = new ScriptedBackend((request) => {
    const properties = (request.jsonSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
    if ("analysis" in properties) return JSON.stringify({ analysis: "The sum is not shown.", score: -35 });
    if ("steps" in properties) return JSON.stringify(stepwiseVerdict);
    if ("critique" in properties) return JSON.stringify({ critique: "fine", correct: true, score: 8 });
    return "Check the sum again.";
  });
  await runExperiment(
    experimentDir,
    {
      dataset,
      columns: [
        { name: "mctsr", strategy: "mctsr", params: { iterations: 2 }, actor: { path: "a" }, critic: { path: "c" } },
        { name: "steps", strategy: "step-critique", params: { samples: 1, rounds: 1 }, actor: { path: "a" }, critic: { path: "c" } },
        { name: "single", strategy: "single-pass", actor: { path: "a" }, critic: { path: "c" } },
        { name: "bon", strategy: "best-of-n", params: { n: 2, selectBy: "verdict-then-score" }, actor: { path: "a" }, critic: { path: "c" } },
      ],
      seed: 1,
    },
    { deps: { backends: { actor, critic } } },
  );
  mkdirSync(screenshots, { recursive: true });
  app = await startWebApp();
  await app.page.waitForSelector('[data-testid="engine-status"][data-status="ready"]');
});

after(async () => {
  await app?.close();
});

const text = async (selector: string) => ((await app.page.textContent(selector)) ?? "").replace(/\s+/g, " ").trim();

/** Opens one cell's run through the address, as a pasted link would. */
async function openCell(column: string, item: number) {
  const { page } = app;
  const runId = `${column}--${String(item).padStart(4, "0")}`;
  await page.evaluate(
    ([dir, id]) => {
      window.location.hash = `#experiment=${encodeURIComponent(dir!)}&run=${id}&cell=1`;
    },
    [experimentDir, runId],
  );
  await page.waitForSelector(`[data-testid="run-header"][data-run-id="${runId}"][data-status="finished"]`);
  await page.waitForSelector(`[data-testid="tree-view"][data-run-id="${runId}"][data-fitted="true"]`);
}

async function inspect(role: string, index = 0) {
  const { page } = app;
  const cards = await page.$$(`[data-testid="tree-node"][data-role="${role}"]`);
  await cards[index]!.click();
  await page.waitForSelector('[data-testid="inspector"]');
}

test("a step critique reads as its verdict, score, first error and each step's reason; raw shows the JSON", async () => {
  const { page } = app;
  await openCell("steps", 0);
  await inspect("critique");
  assert.equal(await text('[data-testid="critique-verdict"]'), "✗ not correct · score 3/10 · first error at step 2 · on n1");
  const steps = await page.$$eval('[data-testid="critique-steps"] li', (items) => items.map((li) => [li.getAttribute("data-verdict"), li.textContent?.trim()]));
  assert.deepEqual(steps, [
    ["correct", "✓ 9/10 adds 2 and 2"],
    ["wrong", "✗ 2/10 repeats a sum it never checked"],
  ]);
  assert.equal(await text('[data-testid="critique-text"]'), "The second step is unsupported.");
  await page.screenshot({ path: join(screenshots, "inspector-critique.png") });
  await page.check('[data-testid="inspector-raw"]');
  assert.deepEqual(JSON.parse((await page.textContent('[data-testid="inspector-output"]'))!), stepwiseVerdict);
  await page.uncheck('[data-testid="inspector-raw"]');
});

test("MCTSr rewards and Q read in their own units (−100…100) with visits, not as scores out of 10", async () => {
  const { page } = app;
  await openCell("mctsr", 0);
  const badges = await page.$$eval('[data-testid="tree-node"] [data-testid="score-badge"]', (list) => list.map((b) => b.textContent?.trim()));
  assert.ok(badges.length > 0 && badges.every((b) => b === "−35"), `every reward as the critic gave it: ${badges.join(", ")}`);
  const titles = await page.$$eval('[data-testid="tree-node"] [data-testid="score-badge"]', (list) => list.map((b) => b.getAttribute("title")));
  assert.ok(
    titles.every((t) => t === "critic: reward −35 on −100…100"),
    titles.join(", "),
  );
  // The answer's own scores: the reward with its range, no "unknown" verdict.
  await inspect("draft");
  assert.match(await text('[data-testid="inspector"] .score-row'), /^−35 critic \(n\d+\) · reward on −100…100$/);
  await inspect("critique");
  assert.equal(await text('[data-testid="critique-verdict"]').then((t) => t.replace(/ · on n\d+$/, "")), "reward −35 (on −100…100)");
  assert.equal(await text('[data-testid="critique-text"]'), "The sum is not shown.");
  await inspect("select");
  const headers = await page.$$eval('[data-testid="inspector-candidates"] th', (ths) => ths.map((th) => th.textContent));
  assert.deepEqual(headers, ["candidate", "answer", "Q", "visits", "last reward"]);
  const q = await page.$$eval('[data-testid="candidate-q"]', (cells) => cells.map((c) => c.textContent));
  const visits = await page.$$eval('[data-testid="candidate-visits"]', (cells) => cells.map((c) => Number(c.textContent)));
  // Every reward is −35, so each visited answer's Q (mean of the worst and the average reward) is −35 too.
  assert.ok(q.length > 0 && q.every((value) => value === "−35" || value === "—"), q.join(", "));
  assert.ok(visits.some((v) => v >= 1));
  await page.screenshot({ path: join(screenshots, "inspector-mctsr.png") });
});

test("a Best-of-N selection says which rule chose, on its card and in the inspector", async () => {
  await openCell("bon", 0);
  const rule = "the critic's verdict first (✓ before no verdict before ✗), then the highest critic score";
  assert.match(await text('[data-testid="tree-node"][data-role="select"]'), new RegExp(`rule: ${rule.replace(/[()]/g, "\\$&")}`));
  await inspect("select");
  assert.equal(await text('[data-testid="select-rule"]'), `chosen by ${rule}`);
});

test("a node that wrote only whitespace says so on its card and in the inspector", async () => {
  await openCell("single", 1);
  const card = '[data-testid="tree-node"][data-role="draft"] [data-testid="node-text"]';
  assert.match(await text(card), /^\(\d+ tokens?, whitespace only\)$/);
  await inspect("draft");
  assert.match(await text('[data-testid="inspector-output"]'), /^\(\d+ tokens?, whitespace only\)$/);
});

test("the setup panel folds away and the inspector widens; both stay as left after a reload", async () => {
  const { page } = app;
  await openCell("single", 0);
  const width = (selector: string) => page.$eval(selector, (element) => Math.round(element.getBoundingClientRect().width));
  const treeBefore = await width('[data-testid="tree-view"]');
  const inspectorBefore = await width('[data-testid="panel-right"]');
  await page.click('[data-testid="panel-left-toggle"]');
  await page.waitForSelector('[data-testid="panel-left"][data-collapsed="true"]');
  assert.equal(await page.isVisible('[data-testid="run-setup"]'), false);
  await page.focus('[data-testid="panel-right-resizer"]');
  for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowLeft");
  await page.waitForFunction((before) => document.querySelector('[data-testid="panel-right"]')!.getBoundingClientRect().width >= before + 100, inspectorBefore);
  const treeAfter = await width('[data-testid="tree-view"]');
  assert.ok(treeAfter > treeBefore + 150, `the tree gets the room: ${treeBefore} → ${treeAfter} px`);
  await reloadPage(page);
  await page.waitForSelector('[data-testid="panel-left"][data-collapsed="true"]');
  assert.equal(await width('[data-testid="panel-right"]'), inspectorBefore + 100);
  await page.screenshot({ path: join(screenshots, "panels-folded.png") });
  await page.click('[data-testid="panel-left-toggle"]');
  await page.waitForSelector('[data-testid="panel-left"][data-collapsed="false"]');
  assert.equal(await page.isVisible('[data-testid="run-setup"]'), true);
});
