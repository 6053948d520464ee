// The compare view in Chromium: an experiment's aggregates, plot and grid; filters; a cell opens its run's tree;
// an experiment started from the UI on generated models, paused and resumed, filling the grid as it goes.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ScriptedBackend } from "../../native/llm/scripted-backend.ts";
import { readExperimentConfig, readResults, runExperiment, summarize } from "../../native/eval/experiment.ts";
import { htmlReport, readManifests } from "../../native/eval/report.ts";
import { readDataset } from "../../native/eval/dataset.ts";
import { artifactsDir, startWebApp, type WebApp } from "../support/web-app.ts";
import { repoRoot, testModel } from "../support/models.ts";

let app: WebApp;
const dir = join(mkdtempSync(join(tmpdir(), "refinery-compare-")), "exp");

before(async () => {
  const dataset = join(dir, "..", "tasks.jsonl");
  writeFileSync(
    dataset,
    Array.from({ length: 8 }, (_, i) => JSON.stringify({ id: `q${i}`, question: `What is ${i} + ${i}?`, answer: `#### ${2 * i}` })).join("\n"),
  );
  // The single pass is right on even items; self-consistency's samples also fix items 1 and 3.
  const actor = new ScriptedBackend((request) => {
    const n = Number(/What is (\d+)/.exec(request.messages.at(-1)!.content)?.[1] ?? 0);
    const right = n % 2 === 0 || ((n === 1 || n === 3) && request.temperature === 0.8);
    return `Step 1\nThe answer is ${right ? 2 * n : 2 * n + 1}`;
  });
  const critic = new ScriptedBackend(() => JSON.stringify({ critique: "ok", correct: true, score: 8 }));
  await runExperiment(
    dir,
    {
      dataset,
      columns: [
        { name: "single", strategy: "single-pass", actor: { path: "a" }, critic: { path: "c" } },
        { name: "sc", strategy: "self-consistency", params: { n: 3 }, actor: { path: "a" }, critic: { path: "c" } },
      ],
      seed: 1,
    },
    { deps: { backends: { actor, critic } } },
  );
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
  // Each column's name, then the sampling its runs used, then its items and accuracy.
  assert.match(aggregates[0]!, /^singlepaper · actor T 0\.7 · critic no generations8 *50\.0%/);
  assert.match(aggregates[1]!, /^scpaper · actor T 0\.8 · critic no generations8 *75\.0%.*\+25\.0 pts2\/6\/0/);
  assert.equal((await page.$$('[data-testid="grid-row"]')).length, 8);
  await page.check('[data-testid="filter-differ"]');
  assert.equal((await page.$$('[data-testid="grid-row"]')).length, 2, "only items 1 and 3 differ");
  await page.uncheck('[data-testid="filter-differ"]');
  await page.check('[data-testid="filter-failures"]');
  assert.equal((await page.$$('[data-testid="grid-row"]')).length, 4);
  await page.uncheck('[data-testid="filter-failures"]');
  await page.waitForSelector('[data-testid="compare-plot"] circle');
  // Each point filled with its column's legend colour (not black), tick values on both axes, no label on another.
  const plot = (await page.evaluate(`(() => {
    const svg = document.querySelector('[data-testid="compare-plot"]');
    const legend = Object.fromEntries([...document.querySelectorAll('[data-testid="plot-legend"] [data-column]')].slice(0, 2).map((e) => [e.dataset.column, e.dataset.colour]));
    const points = [...svg.querySelectorAll("circle")].map((c) => ({ column: c.dataset.column, fill: c.getAttribute("fill"), computed: getComputedStyle(c).fill }));
    const labels = [...svg.querySelectorAll('[data-testid="plot-label"]')].map((t) => { const b = t.getBBox(); return { text: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height }; });
    const ticks = [...svg.querySelectorAll("text.tick")].map((t) => t.textContent);
    return { legend, points, labels, ticks };
  })()`)) as {
    legend: Record<string, string>;
    points: Array<{ column: string; fill: string; computed: string }>;
    labels: Array<{ text: string; x: number; y: number; w: number; h: number }>;
    ticks: string[];
  };
  assert.deepEqual(
    plot.points.map((p) => p.column),
    ["single", "sc"],
  );
  for (const point of plot.points) {
    assert.equal(point.fill, plot.legend[point.column], `${point.column}: the legend's colour`);
    assert.notEqual(point.computed, "rgb(0, 0, 0)");
  }
  assert.notEqual(plot.points[0]!.fill, plot.points[1]!.fill);
  // The sc column draws the sampling frontier, so the token axis is logarithmic: no 0 tick, but token ticks.
  assert.ok(
    plot.ticks.includes("0%") && plot.ticks.includes("100%") && plot.ticks.some((t) => /^\d+k?$/.test(t)),
    `ticks on both axes: ${plot.ticks.join(" ")}`,
  );
  const [a, b] = plot.labels;
  assert.ok(a && b && (a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y), `labels overlap: ${JSON.stringify(plot.labels)}`);
  // Cells show the answer each run extracted and whether it is right: item 1 is wrong alone, right with samples.
  const cells = await page.$$eval('[data-testid="grid-row"][data-item="1"] [data-testid="grid-cell"]', (tds) =>
    tds.map((td) => [td.getAttribute("data-verdict"), td.querySelector('[data-testid="grid-answer"]')?.textContent]),
  );
  assert.deepEqual(cells, [
    ["wrong", "3"],
    ["right", "2"],
  ]);
  // An item's row unfolds its question and reference answer.
  assert.equal(await page.$('[data-testid="grid-item-detail"]'), null);
  await page.click('[data-testid="grid-row"][data-item="3"] [data-testid="grid-expand"]');
  assert.equal(await page.textContent('[data-testid="grid-item-detail"] [data-testid="grid-question"]'), "What is 3 + 3?");
  assert.match((await page.textContent('[data-testid="grid-item-detail"] [data-testid="grid-reference"]'))!, /\b6\b/);
  await page.click('[data-testid="grid-row"][data-item="3"] [data-testid="grid-expand"]');
  assert.equal(await page.$('[data-testid="grid-item-detail"]'), null);
  // No empty inspector on this tab: the compare view has the width.
  assert.equal(await page.$("aside.right"), null);
  // The screenshot shows the results from the top, the forms folded away.
  await page.evaluate(`document.querySelector('[data-testid="new-experiment"]').open = false; document.querySelector('[data-testid="compare"]').scrollTop = 0`);
  await page.screenshot({ path: join(artifactsDir, "compare-view.png") });
  await page.evaluate(`document.querySelector('[data-testid="new-experiment"]').open = true`);
  // Export report: the four files next to the experiment, their paths listed.
  await page.click('[data-testid="export-start"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="export-file"]').length === 4);
  const exported = await page.$$eval('[data-testid="export-file"]', (lis) =>
    lis.map((li) => [li.getAttribute("data-format"), li.querySelector('[data-testid="export-path"]')?.textContent ?? ""]),
  );
  assert.deepEqual(
    exported.map(([format]) => format),
    ["html", "csv", "jsonl", "pairs"],
  );
  const file = Object.fromEntries(exported) as Record<string, string>;
  for (const path of Object.values(file)) assert.equal(dirname(path), join(dir, "exports"));
  const csv = readFileSync(file.csv!, "utf8").trim().split("\n");
  assert.equal(
    csv[0],
    "item,itemId,column,repeat,status,correct,initialCorrect,answer,pathTokens,totalTokens,thoughtTokens,wallMs,cachedGenerations,runId,failure",
  );
  assert.equal(csv.length, 17, "a header and 16 cells");
  const jsonl = readFileSync(file.jsonl!, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { item: number; column: string; answer: string });
  assert.deepEqual(
    jsonl.slice(0, 4).map((c) => [c.item, c.column, c.answer]),
    [
      [0, "single", "0"],
      [0, "sc", "0"],
      [1, "single", "3"],
      [1, "sc", "2"],
    ],
  );
  const pairs = readFileSync(file.pairs!, "utf8").split("\n").filter(Boolean);
  // Every sample of an item is right or every one wrong here: no pair of answers, and the listing says so.
  const pairsLine = await page.textContent('[data-testid="export-file"][data-format="pairs"]');
  assert.match(pairsLine!, new RegExp(`· ${pairs.length} pairs?\\) download$`));
  const html = readFileSync(file.html!, "utf8");
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /aria-label="accuracy against tokens"/);
  // Web mode: each file downloads from the page with the session's cookie; the report also opens in a new tab.
  const csvLink = await page.getAttribute('[data-testid="export-file"][data-format="csv"] [data-testid="file-download"]', "href");
  assert.equal(await page.evaluate(async (href) => (await fetch(href)).text(), csvLink!), readFileSync(file.csv!, "utf8"));
  const [tab] = await Promise.all([
    page.context().waitForEvent("page"),
    page.click('[data-testid="export-file"][data-format="html"] [data-testid="file-open"]'),
  ]);
  await tab.waitForLoadState();
  assert.match(await tab.content(), /aria-label="accuracy against tokens"/);
  await tab.close();
  await page.screenshot({ path: join(artifactsDir, "compare-export.png") });
  await page.selectOption('[data-testid="compare-baseline"]', "sc");
  await page.waitForFunction(() => /0\/6\/2/.test(document.querySelector('[data-testid="aggregate-row"][data-column="single"]')?.textContent ?? ""));
  await page.click('[data-testid="grid-row"]:nth-child(2) [data-testid="grid-cell"]:nth-child(3)');
  await page.waitForSelector('[data-testid="tree-node"][data-role="vote"]');
  assert.equal((await page.$$('[data-testid="tree-node"][data-role="draft"]')).length, 3);
});

test("start an experiment from the UI with the run setup's models, pause and resume it, watch the grid fill, filter by a dataset field", async () => {
  const { page } = app;
  const [actor, critic] = [await testModel("tinyChat"), await testModel("tinyCritic")];
  const dataset = join(dir, "..", "levels.jsonl");
  writeFileSync(
    dataset,
    Array.from({ length: 4 }, (_, i) => JSON.stringify({ question: `What is ${i} + 1?`, answer: String(i + 1), level: i < 3 ? "easy" : "hard" })).join("\n"),
  );
  const out = join(dir, "..", "from-ui");
  await page.click('[data-testid="tab-run"]');
  await page.fill('[data-testid="actor-path"]', actor);
  await page.fill('[data-testid="critic-path"]', critic);
  await page.fill('[data-testid="max-tokens"]', "6");
  await page.click('[data-testid="tab-compare"]');
  // Two model pairs: the setup's, then the same two models the other way round.
  await page.click('[data-testid="experiment-add-pair"]');
  await page.click('[data-testid="tab-run"]');
  await page.fill('[data-testid="actor-path"]', critic);
  await page.fill('[data-testid="critic-path"]', actor);
  await page.click('[data-testid="tab-compare"]');
  await page.click('[data-testid="experiment-add-pair"]');
  assert.deepEqual(await page.$$eval('[data-testid="experiment-pair"]', (pairs) => pairs.map((p) => p.textContent?.replace("×", "").trim())), [
    "tinyChat.gguf + tinyCritic.gguf",
    "tinyCritic.gguf + tinyChat.gguf",
  ]);
  await page.fill('[data-testid="experiment-dataset"]', dataset);
  // The experiment's own max tokens: the run tab's value does not carry over.
  await page.fill('[data-testid="experiment-max-tokens"]', "6");
  assert.equal(await page.textContent('[data-testid="experiment-budget-unit"]'), "evaluated prompt + generated tokens");
  await page.fill('[data-testid="experiment-limit"]', "4");
  await page.fill('[data-testid="experiment-out"]', out);
  await page.uncheck('[data-testid="experiment-strategy-self-refine"]');
  // A column from a preset file (the CLI's --strategy @file.json).
  const preset = join(dir, "..", "sc2.json");
  writeFileSync(preset, JSON.stringify({ name: "sc2", pipeline: { strategy: "self-consistency", params: { n: 2 } } }));
  await page.fill('[data-testid="experiment-specs"]', `@${preset}`);
  await page.click('[data-testid="experiment-start"]');
  await page.waitForSelector('[data-testid="experiment-progress"], [data-testid="compare"] .error', { timeout: 120_000 });
  assert.ok(await page.$('[data-testid="experiment-progress"]'), `the experiment did not start: ${await page.textContent('[data-testid="compare"]')}`);
  // Pause at once: the cell in flight (if one started) finishes, then nothing new starts.
  await page.click('[data-testid="experiment-pause"]', { timeout: 5_000 }).catch(async (error: Error) => {
    throw new Error(`${error.message}\nprogress: ${await page.textContent('[data-testid="experiment-progress"]').catch(() => "none")}`);
  });
  await page.waitForFunction(
    () => /paused · \d+\/16 cells · 0 running/.test(document.querySelector('[data-testid="experiment-progress-text"]')?.textContent ?? ""),
    undefined,
    { timeout: 120_000 },
  );
  const pausedAt = await page.textContent('[data-testid="experiment-progress-text"]');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await page.textContent('[data-testid="experiment-progress-text"]'), pausedAt, "nothing runs while paused");
  const doneWhilePaused = Number(/(\d+)\/16 cells/.exec(pausedAt ?? "")![1]);
  // The recent-experiments entry says the same while paused (not "0 cells · running").
  await page.waitForFunction(
    (done) =>
      [...document.querySelectorAll('[data-testid="recent-experiment"]')].some((b) => b.textContent === `from-ui · 4 columns · ${done}/16 cells · paused`),
    doneWhilePaused,
  );
  assert.ok(doneWhilePaused < 16);
  await page.click('[data-testid="experiment-pause"]');
  // The grid fills in while it runs, before the experiment is over.
  await page.waitForFunction(
    () =>
      document.querySelectorAll('[data-testid="grid-cell"]').length >= 1 &&
      document.querySelector('[data-testid="experiment-progress"]')?.getAttribute("data-state") === "running",
    undefined,
    { timeout: 120_000 },
  );
  await page.waitForSelector('[data-testid="experiment-progress"][data-state="finished"]', { timeout: 300_000 });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="grid-row"]').length === 4);
  // The aggregates pair all four items once the last cell is in.
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="aggregate-row"] td:nth-child(2)')].every((td) => td.textContent === "4"));
  assert.deepEqual(await page.$$eval('[data-testid="aggregate-row"]', (rows) => rows.map((r) => r.getAttribute("data-column"))), [
    "single-pass @ tinyChat+tinyCritic",
    "sc2 @ tinyChat+tinyCritic",
    "single-pass @ tinyCritic+tinyChat",
    "sc2 @ tinyCritic+tinyChat",
  ]);
  await page.waitForSelector('[data-testid="dynamics-plot"] circle');
  // The two sc2 columns draw the sampling frontier (pass@k, an oracle, and maj@k) behind the points.
  assert.deepEqual(await page.$$eval('[data-testid="frontier-curve"]', (lines) => lines.map((l) => l.getAttribute("data-measure"))), [
    "passAtK",
    "majAtK",
    "passAtK",
    "majAtK",
  ]);
  assert.match((await page.textContent('[data-testid="frontier-legend"]'))!, /sc2 @ tinyChat\+tinyCritic pass@k \(oracle\)/);
  assert.equal((await page.$$('[data-testid="plot-interval"]')).length, 4, "every column with its interval");
  assert.match(
    (await page.textContent('[data-testid="aggregate-row"][data-column="single-pass @ tinyChat+tinyCritic"] [data-testid="versus-frontier"]'))!,
    /pts$/,
  );
  assert.equal((await page.$$('[data-testid="column-sampling"]')).length, 4);
  await page.waitForSelector('[data-testid="difficulty-panel"] [data-testid="difficulty-bin"]');
  await page.selectOption('[data-testid="filter-field"]', "level");
  assert.deepEqual(
    await page.$$eval('[data-testid="field-breakdown"] tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent)),
    ["3", "1"],
    "accuracy by level: 3 easy items, 1 hard",
  );
  await page.selectOption('[data-testid="filter-field-value"]', "hard");
  assert.equal((await page.$$('[data-testid="grid-row"]')).length, 1);
  assert.equal(await page.textContent('[data-testid="grid-count"]'), "1 of 4 items");
  await page.screenshot({ path: join(artifactsDir, "compare-experiment-from-ui.png"), fullPage: true });
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid="recent-experiment"]')].some((b) =>
      /^from-ui · 4 columns · 16\/16 cells · finished$/.test(b.textContent ?? ""),
    ),
  );
  const results = readFileSync(join(out, "results.jsonl"), "utf8").trim().split("\n");
  assert.equal(results.length, 16, "every cell checkpointed once");
});

test("the standalone HTML report opens from a file with no server and its grid filters work", async () => {
  const config = readExperimentConfig(dir)!;
  const results = readResults(dir);
  const file = join(dir, "report.html");
  writeFileSync(
    file,
    htmlReport(
      config,
      summarize(
        results,
        config.columns.map((c) => c.name),
      ),
      results,
      { manifests: readManifests(dir, results) },
    ),
  );
  const page = await app.browser.newPage();
  const requests: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  await page.goto(`file://${file}`);
  const visibleRows = () => page.$$eval("#grid tr", (rows) => rows.slice(1).filter((r) => (r as HTMLElement).style.display !== "none").length);
  assert.equal(await visibleRows(), 8);
  await page.check("#only-differ");
  assert.equal(await visibleRows(), 2);
  await page.uncheck("#only-differ");
  await page.check("#only-failures");
  assert.equal(await visibleRows(), 4);
  assert.ok(await page.$('svg[aria-label="score and accuracy by candidate"]'));
  assert.deepEqual(
    requests.filter((url) => !url.startsWith("file://")),
    [],
    "nothing fetched from anywhere",
  );
  await page.close();
});

test("an experiment whose engine was killed is marked failed and resumes from the UI without redoing finished cells", async () => {
  const { page } = app;
  const dataset = join(dir, "..", "crash.jsonl");
  // Field names the built-in adapters do not know: mapped in the form.
  writeFileSync(dataset, Array.from({ length: 5 }, (_, i) => JSON.stringify({ q: `What is ${i} + 2?`, gold: String(i + 2) })).join("\n"));
  const out = join(dir, "..", "crash-exp");
  await page.click('[data-testid="tab-compare"]');
  // Drop the two pairs of the previous test: this one runs with the setup's models.
  while (await page.$('[data-testid="experiment-pair"] button')) await page.click('[data-testid="experiment-pair"] button');
  await page.fill('[data-testid="experiment-dataset"]', dataset);
  await page.fill('[data-testid="experiment-limit"]', "5");
  await page.fill('[data-testid="experiment-out"]', out);
  await page.fill('[data-testid="experiment-specs"]', "");
  await page.fill('[data-testid="experiment-fields"]', "question=text");
  await page.check('[data-testid="experiment-strategy-best-of-n"]');
  await page.click('[data-testid="experiment-start"]');
  // A mapping that matches nothing: every record is reported by line, nothing starts.
  await page.waitForFunction(() =>
    /5 malformed records \(line 1: no question \(looked for text\)/.test(document.querySelector('[data-testid="compare"]')?.textContent ?? ""),
  );
  assert.equal(existsSync(out), false);
  await page.fill('[data-testid="experiment-fields"]', "question=q, reference=gold");
  await page.click('[data-testid="experiment-start"]');
  const results = join(out, "results.jsonl");
  const lines = () => (existsSync(results) ? readFileSync(results, "utf8").trim().split("\n").filter(Boolean) : []);
  for (let i = 0; i < 600 && lines().length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  const before = lines().length;
  assert.ok(before >= 2 && before < 10, `killed after ${before} cells`);
  process.kill(app.host.enginePid!, "SIGKILL");
  await page.waitForSelector('[data-testid="experiment-progress"][data-state="failed"]');
  assert.match((await page.textContent('[data-testid="experiment-progress-text"]'))!, /engine process stopped; start the experiment again to resume it/);
  await page.click('[data-testid="tab-run"]');
  await page.click('[data-testid="tab-compare"]');
  // Only the folder: the same experiment, resumed.
  await page.fill('[data-testid="experiment-dataset"]', "");
  assert.equal(await page.textContent('[data-testid="experiment-start"]'), "Resume");
  await page.click('[data-testid="experiment-start"]');
  await page.waitForSelector('[data-testid="experiment-progress"][data-state="finished"]', { timeout: 300_000 });
  const cells = lines().map((l) => JSON.parse(l) as { runId: string });
  assert.equal(cells.length, 10);
  assert.equal(new Set(cells.map((c) => c.runId)).size, 10, "no cell done twice");
});

test("the critic is evaluated from the compare tab: ProcessBench to the end, RealCritic cancelled midway", async () => {
  const { page } = app;
  const shared = join(repoRoot, "../shared/data");
  await page.click('[data-testid="tab-compare"]');
  await page.click('[data-testid="critic-eval"] summary');
  await page.selectOption('[data-testid="critic-eval-mode"]', "processbench");
  await page.fill('[data-testid="critic-eval-dataset"]', join(shared, "processbench/gsm8k.json"));
  await page.fill('[data-testid="critic-eval-limit"]', "3");
  await page.click('[data-testid="critic-eval-start"]');
  await page.waitForSelector('[data-testid="critic-eval-row"][data-state="finished"]', { timeout: 300_000 });
  assert.match(
    (await page.textContent('[data-testid="critic-eval-row"][data-state="finished"] [data-testid="critic-eval-summary"]'))!,
    /erroneous [\d.–%]+ · correct [\d.–%]+ · F1 [\d.–%]+ · \d unparseable.*rows in .*critic-evals.*\.json/,
  );
  await page.selectOption('[data-testid="critic-eval-mode"]', "realcritic");
  await page.fill('[data-testid="critic-eval-dataset"]', join(shared, "realcritic/arc-challenge.jsonl"));
  await page.fill('[data-testid="critic-eval-limit"]', "200");
  await page.click('[data-testid="critic-eval-start"]');
  await page.waitForFunction(
    () => /\b[1-9]\d*\/200/.test(document.querySelector('[data-testid="critic-eval-row"][data-state="running"]')?.textContent ?? ""),
    undefined,
    { timeout: 300_000 },
  );
  await page.click('[data-testid="critic-eval-cancel"]');
  await page.waitForSelector('[data-testid="critic-eval-row"][data-state="cancelled"]', { timeout: 120_000 });
  // A file of the wrong kind is refused before anything runs.
  await page.fill('[data-testid="critic-eval-dataset"]', join(shared, "tasks/gsm8k_test.jsonl"));
  await page.click('[data-testid="critic-eval-start"]');
  await page.waitForFunction(() => /not a RealCritic item/.test(document.querySelector('[data-testid="compare"]')?.textContent ?? ""));
  await page.screenshot({ path: join(artifactsDir, "critic-eval.png") });
  // Each ProcessBench row opens as a tree: the stored solution and the critique the critic wrote; the address
  // names the evaluation's row, so the link pasted back opens it again.
  const finished = '[data-testid="critic-eval-row"][data-state="finished"]';
  await page.click(`${finished} [data-testid="critic-eval-items"] summary`);
  assert.equal((await page.$$(`${finished} [data-testid="critic-eval-item"]`)).length, 3);
  await page.click(`${finished} [data-testid="critic-eval-item-open"]`);
  await page.waitForSelector('[data-testid="run-header"][data-run-id="item-0001"][data-status="finished"]');
  const link = await page.evaluate(() => location.hash);
  assert.match(link, /critic-eval=.*critic-evals/);
  for (const attempt of ["clicked", "pasted link"]) {
    await page.waitForSelector('[data-testid="run-header"][data-run-id="item-0001"][data-status="finished"]');
    const roles = await page.$$eval('[data-testid="tree-node"]', (cards) =>
      cards.map((c) => `${c.getAttribute("data-role")} ${c.querySelector(".node-role")?.textContent}`),
    );
    assert.deepEqual(roles, ["draft draft/stored-solution", "critique critique/stepwise"], attempt);
    await page.click('[data-testid="back-to-experiment"]');
    await page.waitForSelector('[data-testid="critic-eval"]');
    if (attempt === "pasted link") break;
    // Away from the run (the run tab with none shown), then the link: the row is loaded from the address alone.
    await page.evaluate(() => (window.location.hash = "#tab=run"));
    await page.waitForSelector('[data-testid="run-header"]', { state: "detached" });
    await page.evaluate((hash) => (window.location.hash = hash), link);
  }
});

test("every input on the compare tab and in the dataset picker has a visible label; the picker counts all items and searches them", async () => {
  const { page } = app;
  await page.click('[data-testid="tab-compare"]');
  const unlabelled =
    await page.evaluate(`[...document.querySelectorAll('[data-testid="compare"] input, [data-testid="compare"] select, [data-testid="compare"] textarea, .dataset input, .dataset select')]
    .filter((el) => ![...el.labels].some((label) => label.textContent.replace(el.textContent ?? "", "").trim().length > 0))
    .map((el) => el.getAttribute("data-testid") ?? el.outerHTML.slice(0, 80))`);
  assert.deepEqual(unlabelled, []);
  // The critic-eval table has no empty trailing column.
  assert.ok(await page.$('[data-testid="critic-eval-results"]'), "the previous test left evaluations in the table");
  const headers = await page.$$eval('[data-testid="critic-eval-results"] thead th', (ths) => ths.map((th) => th.textContent));
  assert.deepEqual(headers, ["mode", "dataset", "progress", "result"]);
  // MATH-500: all 500 items counted (no preview cap), a search filters them by text.
  const file = join(repoRoot, "../shared/data/tasks/math500_test.json");
  await page.click(".dataset summary");
  await page.fill('[data-testid="dataset-path"]', file);
  await page.click('[data-testid="dataset-load"]');
  await page.waitForSelector('[data-testid="dataset-count"]');
  assert.equal(await page.textContent('[data-testid="dataset-count"]'), "500 items");
  assert.equal((await page.$$('[data-testid="dataset-item"] option:not([disabled])')).length, 500);
  const tasks = await readDataset(file);
  const expected = tasks.filter((t) => `${t.id ?? ""} ${t.question} ${t.reference ?? ""}`.toLowerCase().includes("hexagon"));
  assert.ok(expected.length > 0 && expected.length < 500);
  await page.fill('[data-testid="dataset-search"]', "Hexagon");
  assert.equal(await page.textContent('[data-testid="dataset-count"]'), `${expected.length} of 500 items match`);
  const options = await page.$$eval('[data-testid="dataset-item"] option:not([disabled])', (os) => os.map((o) => o.textContent ?? ""));
  assert.equal(options.length, expected.length);
  await page.selectOption('[data-testid="dataset-item"]', { index: 1 });
  assert.equal(await page.inputValue('[data-testid="question"]'), expected[0]!.question);
  await page.screenshot({ path: join(artifactsDir, "dataset-search.png") });
});

test("the run form's dataset picker refuses a file with a malformed record, pointing at its own checkbox, which then skips it", async () => {
  const { page } = app;
  const file = join(mkdtempSync(join(tmpdir(), "refinery-malformed-")), "tasks.jsonl");
  writeFileSync(
    file,
    `${JSON.stringify({ question: "What is 1 + 1?", answer: "2" })}\n{not json\n${JSON.stringify({ question: "What is 2 + 2?", answer: "4" })}\n`,
  );
  await page.fill('[data-testid="dataset-path"]', file);
  await page.click('[data-testid="dataset-load"]');
  const banner = '[data-testid="errors-setup"]';
  await page.waitForSelector(banner);
  assert.match((await page.textContent(banner)) ?? "", /1 malformed record \(line 2: .*\); fix it or tick "skip malformed records"/);
  assert.ok(await page.isVisible('[data-testid="dataset-skip-malformed"]'), "the checkbox the message names is next to the file field");
  await page.check('[data-testid="dataset-skip-malformed"]');
  await page.click('[data-testid="dataset-load"]');
  await page.fill('[data-testid="dataset-search"]', "");
  await page.waitForFunction(() => document.querySelector('[data-testid="dataset-count"]')?.textContent === "2 items");
  assert.equal(await page.$(banner), null, "the message about the file goes once it reads");
});
