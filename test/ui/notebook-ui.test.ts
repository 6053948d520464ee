// The app as a research notebook, in real Chromium against the real engine: a run says which run it is (models,
// parameters, seed, sampling, date, duration, task), the history list tells runs apart (date, models, duration,
// search, filters) and deletes into the trash after a confirmation.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { runExperiment } from "../../native/eval/experiment.ts";
import { ScriptedBackend } from "../../native/llm/scripted-backend.ts";
import { repoRoot, testModel } from "../support/models.ts";
import { openFromHistory, reloadPage, startWebApp, type WebApp } from "../support/web-app.ts";

let app: WebApp;
let actor: string;
let critic: string;
const screenshots = join(repoRoot, "docs/screenshots");
const experimentDir = join(mkdtempSync(join(tmpdir(), "refinery-notebook-")), "exp");

/** A small finished experiment (scripted models): two columns over three items. */
async function writeExperiment() {
  const dataset = join(experimentDir, "..", "tasks.jsonl");
  writeFileSync(dataset, [1, 2, 3].map((i) => JSON.stringify({ question: `What is ${i} + ${i}?`, answer: `#### ${2 * i}` })).join("\n"));
  const actorBackend = new ScriptedBackend((request) => `The answer is ${2 * Number(/What is (\d+)/.exec(request.messages.at(-1)!.content)?.[1] ?? 0)}`);
  const criticBackend = new ScriptedBackend(() => JSON.stringify({ critique: "ok", correct: true, score: 8 }));
  await runExperiment(
    experimentDir,
    {
      dataset,
      columns: [
        { name: "single", strategy: "single-pass", actor: { path: "a" }, critic: { path: "c" } },
        { name: "sc", strategy: "self-consistency", params: { n: 2 }, actor: { path: "a" }, critic: { path: "c" } },
      ],
      seed: 1,
    },
    { deps: { backends: { actor: actorBackend, critic: criticBackend } } },
  );
}

before(async () => {
  await writeExperiment();
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
async function runToEnd(options: {
  strategy: string;
  question: string;
  reference?: string;
  seed?: string;
  maxTokens?: string;
  /** Parameters with a list of choices, by name. */
  choices?: Record<string, string>;
  criticMaxTokens?: string;
}) {
  const { page } = app;
  await page.fill('[data-testid="actor-path"]', actor);
  await page.fill('[data-testid="critic-path"]', critic);
  await page.selectOption('[data-testid="strategy-select"]', options.strategy);
  for (const [name, value] of Object.entries(options.choices ?? {})) await page.selectOption(`[data-testid="param-${name}"]`, value);
  await page.fill('[data-testid="question"]', options.question);
  await page.fill('[data-testid="reference"]', options.reference ?? "");
  await page.fill('[data-testid="seed"]', options.seed ?? "0");
  await page.fill('[data-testid="max-tokens"]', options.maxTokens ?? "8");
  await page.fill('[data-testid="critic-max-tokens"]', options.criticMaxTokens ?? "");
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
  // The critic writes the feedback: with the actor's own (the paper's default) the critic is never called, and the
  // run, like `refinery run`, names the actor in its place.
  const runId = await runToEnd({
    strategy: "self-refine",
    choices: { feedbackModel: "critic" },
    criticMaxTokens: "16",
    question: "What is 12 + 30? Answer with a number.",
    reference: "42",
    seed: "7",
  });
  assert.equal(await page.getAttribute('[data-testid="run-header"]', "data-status"), "finished");
  assert.match(await text('[data-testid="run-actor"]'), new RegExp(`^actor ${basename(actor)} \\(temp [\\d.]+, max 8 tokens\\)$`));
  assert.match(await text('[data-testid="run-critic"]'), new RegExp(`^critic ${basename(critic)} \\(temp [\\d.]+, max 16 tokens\\)$`));
  assert.match(await text('[data-testid="run-params"]'), /maxIterations=\d+/);
  assert.equal(await text('[data-testid="run-seed"]'), "seed 7");
  const date = await page.getAttribute('[data-testid="run-date"]', "datetime");
  assert.ok(Math.abs(Date.parse(date!) - Date.now()) < 10 * 60_000, `the run's date is today's, not ${date}`);
  assert.match(
    await text('[data-testid="run-progress"]'),
    /^(\d+)\/\1 nodes done · \d+ tokens generated · took [\d.]+ (ms|s|min \d+ s) · tokens \d+ path \/ \d+ total$/,
  );
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
  // A single pass never calls the critic: its run names the actor alone; the self-refine run before it names both.
  const metaOf = (runId: string) => text(`[data-testid="history-item"][data-run-id="${runId}"] [data-testid="history-meta"]`);
  const when = "^\\w+ \\d+, [\\d:]+( [AP]M)? · [\\d.]+ (ms|s) · ";
  assert.match(await metaOf(singlePass), new RegExp(`${when}${basename(actor).replace(".", "\\.")}$`));
  const listed = () => page.$$eval('[data-testid="history-item"]', (items) => items.map((item) => item.getAttribute("data-run-id")));
  const all = await listed();
  assert.equal(all.length, 2);
  assert.equal(all[0], singlePass, "newest first");
  assert.match(await metaOf(all[1]!), new RegExp(`${when}${basename(actor).replace(".", "\\.")} \\+ ${basename(critic).replace(".", "\\.")}$`));
  await page.selectOption('[data-testid="history-sort"]', "oldest");
  assert.deepEqual(await listed(), [...all].reverse());
  await page.fill('[data-testid="history-search"]', "prime");
  assert.deepEqual(await listed(), [singlePass]);
  await page.fill('[data-testid="history-search"]', "");
  await page.selectOption('[data-testid="history-filter-strategy"]', "self-refine");
  assert.deepEqual(await listed(), [all[1]]);
  assert.match(await text('[data-testid="history"] h3'), /^Runs \(1 of 2\)/);
  // The filters and the sort are in the address, so a reload (or the link) shows the same list.
  assert.match(await page.evaluate(() => window.location.hash), /filter-strategy=self-refine&sort=oldest/);
  await reloadPage(page);
  await page.waitForSelector('[data-testid="history-item"]');
  assert.deepEqual(await listed(), [all[1]]);
  assert.equal(await page.inputValue('[data-testid="history-filter-strategy"]'), "self-refine");
  assert.equal(await page.inputValue('[data-testid="history-sort"]'), "oldest");
  await page.selectOption('[data-testid="history-filter-strategy"]', "");
  await page.selectOption('[data-testid="history-sort"]', "newest");
  // The list sits below the setup in the sidebar: scrolled into view for the picture.
  await page.$eval('[data-testid="history"]', (element) => element.scrollIntoView());
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

const shownRun = () => app.page.getAttribute('[data-testid="run-header"]', "data-run-id");
const address = () => app.page.evaluate(() => decodeURIComponent(window.location.hash));
const waitForRun = (runId: string) => app.page.waitForSelector(`[data-testid="run-header"][data-status="finished"][data-run-id="${runId}"]`);

test("the address keeps tab, run, node and experiment: restored on reload, a pasted link switches runs, back and forward work", async () => {
  const { page } = app;
  const first = (await page.getAttribute('[data-testid="history-item"]', "data-run-id"))!;
  const second = await runToEnd({ strategy: "single-pass", question: "What is 5 + 5?" });
  assert.equal(await address(), `#run=${second}`);
  await openFromHistory(page, first);
  assert.equal(await address(), `#run=${first}`);
  await page.click('[data-testid="tree-node"][data-node-id="n1"]');
  await page.waitForFunction(() => window.location.hash.includes("node=n1"));
  assert.equal(await address(), `#run=${first}&node=n1`);

  await reloadPage(page);
  assert.equal(await shownRun(), first);
  assert.equal(await page.getAttribute('[data-testid="tree-node"][data-node-id="n1"]', "aria-selected"), "true");
  assert.equal(await page.isVisible('[data-testid="inspector"]'), true);

  // Back: the run shown before this one (selecting a node made no entry of its own); forward: this one again.
  await page.goBack();
  await waitForRun(second);
  await page.goForward();
  await waitForRun(first);

  // A pasted link switches runs in the page, without a reload.
  await page.evaluate(() => Object.assign(window, { notReloaded: true }));
  await page.evaluate((runId) => {
    window.location.hash = `#run=${runId}`;
  }, second);
  await waitForRun(second);
  assert.equal(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), true);

  // The Compare tab and its open experiment survive a reload.
  await page.click('[data-testid="tab-compare"]');
  await page.fill('[data-testid="experiment-path"]', experimentDir);
  await page.click('[data-testid="experiment-load"]');
  await page.waitForSelector('[data-testid="compare-grid"]');
  assert.equal(await address(), `#tab=compare&experiment=${experimentDir}&run=${second}`);
  // The experiment form too: what was typed into it is there after the reload.
  await page.fill('[data-testid="experiment-specs"]', "best-of-n:n=8");
  await page.fill('[data-testid="experiment-limit"]', "7");
  await reloadPage(page);
  await page.waitForSelector('[data-testid="compare-grid"]');
  assert.equal(await page.getAttribute('[data-testid="tab-compare"]', "class"), "active");
  assert.deepEqual(
    [await page.inputValue('[data-testid="experiment-specs"]'), await page.inputValue('[data-testid="experiment-limit"]')],
    ["best-of-n:n=8", "7"],
  );

  // A grid cell's run: the address names it as the experiment's; a reload shows it again; "back to the experiment".
  await page.click('[data-testid="grid-row"][data-item="0"] [data-testid="grid-cell"]:nth-child(3)');
  await page.waitForSelector('[data-testid="back-to-experiment"]');
  const cellRun = (await shownRun())!;
  assert.match(cellRun, /^sc--/);
  assert.equal(await address(), `#experiment=${experimentDir}&run=${cellRun}&cell=1`);
  await reloadPage(page);
  await page.waitForSelector(`[data-testid="run-header"][data-run-id="${cellRun}"]`);
  await page.waitForSelector('[data-testid="tree-node"][data-role="vote"]');
  await page.click('[data-testid="back-to-experiment"]');
  await page.waitForSelector('[data-testid="compare-grid"]');
  assert.equal(await address(), `#tab=compare&experiment=${experimentDir}&run=${cellRun}&cell=1`);
  await page.goBack();
  await page.waitForSelector('[data-testid="back-to-experiment"]');
  assert.equal(await shownRun(), cellRun);
});

test("progress you can see: a streaming node counts tokens, time and rate; the header counts the run; Start waits for the run", async () => {
  const { page } = app;
  await page.click('[data-testid="tab-run"]');
  await page.fill('[data-testid="actor-path"]', actor);
  await page.fill('[data-testid="critic-path"]', critic);
  await page.selectOption('[data-testid="strategy-select"]', "single-pass");
  await page.fill('[data-testid="question"]', "Write a long story about a lighthouse.");
  await page.fill('[data-testid="max-tokens"]', "3600");
  await page.fill('[data-testid="critic-max-tokens"]', "77");
  const before = await shownRun();
  await page.click('[data-testid="start-run"]');
  await page.waitForFunction((old) => {
    const id = document.querySelector('[data-testid="run-header"]')?.getAttribute("data-run-id");
    return id && id !== old;
  }, before);
  // A second click cannot start a duplicate while this run starts or runs.
  assert.equal(await page.isDisabled('[data-testid="start-run"]'), true);
  await page.waitForSelector('[data-testid="tree-node"][data-status="running"]');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="node-live"]')?.getAttribute("data-tokens")) > 20);
  await page.click('[data-testid="tree-node"][data-status="running"]');
  // The rate appears once tokens have come for a while; the count keeps growing.
  await page.waitForFunction(() => /tok\/s$/.test(document.querySelector('[data-testid="inspector-live"]')?.textContent ?? ""));
  assert.match(await text('[data-testid="node-live"]'), /^\d+ tok · [\d.]+ (ms|s|min \d+ s) · [\d.]+ tok\/s$/);
  assert.match(await text('[data-testid="inspector-live"]'), /^\d+ tok · [\d.]+ (ms|s|min \d+ s) · [\d.]+ tok\/s$/);
  const seen = Number(await page.getAttribute('[data-testid="inspector-live"]', "data-tokens"));
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="inspector-live"]')?.getAttribute("data-tokens")) > n, seen);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="run-progress"]')?.getAttribute("data-tokens")) > 0);
  assert.match(await text('[data-testid="run-progress"]'), /^0\/1 nodes done · \d+ tokens generated · elapsed [\d.]+ (ms|s)$/);
  assert.equal(await page.isDisabled('[data-testid="start-run"]'), true);
  await page.screenshot({ path: join(screenshots, "run-progress.png") });
  await page.click('[data-testid="cancel-run"]');
  await page.waitForSelector('[data-testid="run-header"][data-status="cancelled"]');
  assert.equal(await page.isDisabled('[data-testid="start-run"]'), false);
  // The critic's budget went with the run, beside the actor's.
  assert.match(await text('[data-testid="run-critic"]'), /max 77 tokens\)$/);
  assert.match(await text('[data-testid="run-actor"]'), /max 3600 tokens\)$/);
});

test("Enter in the dataset field loads the file instead of starting a run; a message goes once its field changes", async () => {
  const { page } = app;
  const runsBefore = (await page.$$('[data-testid="history-item"]')).length;
  const dataset = join(experimentDir, "..", "picker.jsonl");
  writeFileSync(dataset, [JSON.stringify({ question: "What is 1 + 1?", answer: "2" }), JSON.stringify({ question: "What is 2 + 2?", answer: "4" })].join("\n"));
  await page.click(".dataset summary");
  await page.fill('[data-testid="dataset-path"]', dataset);
  await page.press('[data-testid="dataset-path"]', "Enter");
  await page.waitForSelector('[data-testid="dataset-count"]');
  assert.equal(await text('[data-testid="dataset-count"]'), "2 items");
  assert.equal((await page.$$('[data-testid="history-item"]')).length, runsBefore, "no run started");
  // A file that cannot be read is said once; typing another path takes the message away.
  await page.fill('[data-testid="dataset-path"]', `${dataset}.missing`);
  await page.press('[data-testid="dataset-path"]', "Enter");
  await page.waitForSelector('[data-testid="errors-setup"]');
  await page.fill('[data-testid="dataset-path"]', dataset);
  await page.waitForSelector('[data-testid="errors-setup"]', { state: "detached" });
  // An empty task is refused, and the message goes once the task is filled in.
  await page.fill('[data-testid="actor-path"]', actor);
  await page.fill('[data-testid="critic-path"]', critic);
  await page.fill('[data-testid="question"]', "   ");
  await page.click('[data-testid="start-run"]');
  await page.waitForSelector('[data-testid="errors-setup"]');
  assert.match(await text('[data-testid="errors-setup"]'), /the task is empty/);
  await page.fill('[data-testid="question"]', "What is 3 + 3?");
  await page.waitForSelector('[data-testid="errors-setup"]', { state: "detached" });
});
