// Judges in Chromium, on the real engine with generated models: a pairwise-judged experiment started from the
// compare tab's Grading section shows its judged column and the PeRFICS ranking, a cell opens its tree with the
// judge calls as judge nodes holding their reasoning, and the section is kept across a reload; a rubric jury of two
// shows the jury's line and both judges' calls in a cell's tree; "Evaluate a judge" measures a judge against a small
// human-labelled file and shows its figures, and refuses a file that holds no labels in words.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { artifactsDir, reloadPage, startWebApp, type WebApp } from "../support/web-app.ts";
import { testModel } from "../support/models.ts";

let app: WebApp;
let actor: string;
let judge: string;
const scratch = mkdtempSync(join(tmpdir(), "refinery-judges-ui-"));

before(async () => {
  [actor, judge] = [await testModel("tinyChat"), await testModel("tinyCritic")];
  mkdirSync(artifactsDir, { recursive: true });
  app = await startWebApp();
});

after(async () => {
  await app?.close();
});

const compareText = () => app.page.textContent('[data-testid="compare"]');

test("a pairwise-judged experiment from the Grading section: the judged column, the PeRFICS ranking, a judge node with its reasoning", async () => {
  const { page } = app;
  const dataset = join(scratch, "open.jsonl");
  writeFileSync(dataset, ["Describe a quiet morning.", "Name a good habit."].map((question) => JSON.stringify({ question })).join("\n"));
  await page.click('[data-testid="tab-run"]');
  await page.fill('[data-testid="actor-path"]', actor);
  await page.fill('[data-testid="critic-path"]', actor);
  await page.click('[data-testid="tab-compare"]');
  await page.fill('[data-testid="experiment-dataset"]', dataset);
  await page.fill('[data-testid="experiment-max-tokens"]', "6");
  await page.fill('[data-testid="experiment-out"]', join(scratch, "judged"));
  await page.uncheck('[data-testid="experiment-strategy-self-refine"]');
  await page.fill('[data-testid="experiment-specs"]', "self-consistency:n=2");

  await page.selectOption('[data-testid="experiment-grader"]', "pairwise");
  // A judged grader with no judge is refused by the contract in the form's words (HTTP 422), and nothing starts.
  app.expectedPageErrors.push(/^Failed to load resource: the server responded with a status of 422/);
  await page.click('[data-testid="experiment-start"]');
  await page.waitForFunction(() => /Judges: choose a judge model/.test(document.querySelector('[data-testid="compare"]')?.textContent ?? ""));
  assert.equal(await page.$('[data-testid="experiment-progress"]'), null);

  // "+ judge" starts from the run setup's critic; the judge is then set to the other generated model.
  await page.click('[data-testid="experiment-add-judge"]');
  assert.equal(await page.inputValue('[data-testid="experiment-judge"]'), actor);
  await page.fill('[data-testid="experiment-judge"]', judge);
  await page.fill('[data-testid="experiment-baseline"]', "single-pass");
  await page.fill('[data-testid="experiment-judge-max-tokens"]', "40");
  await page.click('[data-testid="experiment-start"]');
  await page.waitForSelector('[data-testid="experiment-progress"]', { timeout: 120_000 });
  await page.waitForSelector('[data-testid="experiment-progress"][data-state="finished"]', { timeout: 600_000 });
  assert.match((await page.textContent('[data-testid="experiment-progress-text"]')) ?? "", /^finished · 4\/4 cells/);

  // The judged column: W/T/L on both items, the flip rate, judged against the baseline named in the form.
  await page.waitForSelector('[data-testid="aggregate-row"][data-column="self-consistency(n=2)"] [data-testid="column-judged"]');
  const judged = await page.textContent('[data-testid="aggregate-row"][data-column="self-consistency(n=2)"] [data-testid="column-judged"]');
  assert.match(judged ?? "", /^pairwise vs single-pass \(judge tinyCritic\): \d\/\d\/\d W\/T\/L on \d items/);
  assert.match(judged ?? "", /position flips/);
  assert.equal(await page.$('[data-testid="aggregate-row"][data-column="single-pass"] [data-testid="column-judged"]'), null, "the baseline is not judged");

  // PeRFICS: the baseline is a tie against itself, a ½ win rate; the judged column is ranked on its win rate, or left
  // out, saying so, when no verdict of its judge could be read; the judged drafts have no gain.
  const ranked = await page.$$eval('[data-testid="perfics-row"]', (rows) => rows.map((r) => (r as HTMLElement).dataset.column));
  const unranked = await page.$$eval('[data-testid="perfics-unranked"]', (rows) => rows.map((r) => [(r as HTMLElement).dataset.column, r.textContent]));
  assert.deepEqual([...ranked, ...unranked.map(([column]) => column)].sort(), ["self-consistency(n=2)", "single-pass"]);
  assert.ok(ranked.includes("single-pass"));
  if (/W\/T\/L on 0 items/.test(judged ?? "")) assert.match(unranked[0]?.[1] ?? "", /no readable judge verdict/);
  assert.match((await page.textContent('[data-testid="perfics-note"]')) ?? "", /gain over the draft left out/);
  await page.selectOption('[data-testid="perfics-preset"]', "latency-bound");
  assert.equal(await page.inputValue('[data-testid="perfics-weight-cost"]'), "0.6");
  await page.fill('[data-testid="perfics-weight-quality"]', "-1");
  assert.match((await page.textContent('[data-testid="perfics-error"]')) ?? "", /the quality weight must be a number of 0 or more, got -1/);
  assert.equal(await page.$('[data-testid="perfics-table"]'), null);
  await page.fill('[data-testid="perfics-weight-quality"]', "1");
  await page.waitForSelector('[data-testid="perfics-table"]');
  // The exported HTML report carries the same: the judged line and the ranking under every preset.
  await page.click('[data-testid="export-start"]');
  await page.waitForSelector('[data-testid="export-file"][data-format="html"]');
  const report = readFileSync(join(scratch, "judged", "exports", "report.html"), "utf8");
  assert.match(report, /pairwise vs single-pass \(judge tinyCritic\)/);
  assert.match(report, /Cost-aware ranking \(PeRFICS\)/);
  for (const preset of ["personal computer", "batch job", "latency-bound"]) assert.ok(report.includes(`>${preset}<br>`), preset);
  assert.match(report, /<tr data-perfics-column="single-pass">/);
  await page.locator('[data-testid="perfics"]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, "compare-judged.png") });

  // One click on a judged cell opens its tree: the judge's two calls (both orders) are judge nodes, and the
  // inspector shows what the judge wrote, reasoning first.
  // The grid's columns are the experiment's: single-pass, then self-consistency(n=2).
  const firstRow = (await page.$$('[data-testid="grid-row"]'))[0]!;
  const [baselineCell, judgedCell] = await firstRow.$$('[data-testid="grid-cell"]');
  assert.equal(await baselineCell!.$('[data-testid="grid-judged"]'), null);
  assert.match((await (await judgedCell!.$('[data-testid="grid-judged"]'))?.textContent()) ?? "", /^ · ((win|tie|loss) vs single-pass|judge: unreadable)$/);
  await judgedCell!.click();
  await page.waitForSelector('[data-testid="tree-node"][data-role="judge"]');
  const steps = await page.$$eval('[data-testid="tree-node"][data-role="judge"] .node-role', (nodes) => nodes.map((n) => n.textContent));
  assert.deepEqual(steps, ["judge/tinyCritic: candidate first", "judge/tinyCritic: baseline first"]);
  await page.click('[data-testid="tree-node"][data-role="judge"]');
  await page.check('[data-testid="inspector-raw"]');
  assert.match((await page.textContent('[data-testid="inspector-output"]')) ?? "", /^\s*\{\s*"reasoning"\s*:\s*"/);

  // The Grading section is kept across a reload, as the rest of the experiment form is.
  await reloadPage(page);
  await page.click('[data-testid="tab-compare"]');
  assert.equal(await page.inputValue('[data-testid="experiment-grader"]'), "pairwise");
  assert.equal(await page.inputValue('[data-testid="experiment-judge"]'), judge);
  assert.equal(await page.inputValue('[data-testid="experiment-baseline"]'), "single-pass");
  assert.equal(await page.inputValue('[data-testid="experiment-judge-max-tokens"]'), "40");
});

test("a rubric jury of two from the Grading section: the jury's line under the column, each judge's call a judge node of the cell", async () => {
  const { page } = app;
  // The form is as the first test left it (kept across the reload): one column, a new folder, a rubric jury.
  await page.fill('[data-testid="experiment-specs"]', "");
  await page.fill('[data-testid="experiment-out"]', join(scratch, "jury"));
  await page.selectOption('[data-testid="experiment-grader"]', "rubric");
  assert.equal(await page.$('[data-testid="experiment-baseline"]'), null, "a baseline is asked for pairwise only");
  await page.click('[data-testid="experiment-add-judge"]');
  assert.deepEqual(await page.$$eval('[data-testid="experiment-judge"]', (inputs) => inputs.map((i) => (i as HTMLInputElement).value)), [judge, actor]);
  assert.match((await page.textContent('[data-testid="experiment-judges"]')) ?? "", /^jury:/);
  await page.click('[data-testid="experiment-start"]');
  // The first experiment's progress is still on screen, finished: wait for this one's.
  await page.waitForFunction(
    () => /^finished · 2\/2 cells/.test(document.querySelector('[data-testid="experiment-progress-text"]')?.textContent ?? ""),
    undefined,
    { timeout: 600_000 },
  );

  const judged = await page.textContent('[data-testid="aggregate-row"][data-column="single-pass"] [data-testid="column-judged"]');
  assert.match(judged ?? "", /^rubric \(jury tinyCritic, tinyChat\): mean rating (\d+\.\d\d|–)\/10 \[.*\] on \d items/);
  const firstRow = (await page.$$('[data-testid="grid-row"]'))[0]!;
  const [cell] = await firstRow.$$('[data-testid="grid-cell"]');
  assert.match((await (await cell!.$('[data-testid="grid-judged"]'))?.textContent()) ?? "", /^ · (rating \d+(\.\d)?\/10|judge: unreadable)$/);
  await cell!.click();
  await page.waitForSelector('[data-testid="tree-node"][data-role="judge"]');
  const steps = await page.$$eval('[data-testid="tree-node"][data-role="judge"] .node-role', (nodes) => nodes.map((n) => n.textContent));
  assert.deepEqual([...steps].sort(), ["judge/tinyChat: rubric", "judge/tinyCritic: rubric"]);
  await page.click('[data-testid="tab-compare"]');
});

test("a judge is evaluated against human labels from the compare tab: accuracy, κ, flip rate and length bias", async () => {
  const { page } = app;
  await page.click('[data-testid="judge-eval"] summary');
  // A file without labels is refused in the call, saying what was expected.
  const unlabelled = join(scratch, "open.jsonl");
  await page.fill('[data-testid="judge-eval-judge"]', judge);
  await page.fill('[data-testid="judge-eval-dataset"]', unlabelled);
  await page.click('[data-testid="judge-eval-start"]');
  await page.waitForSelector('[data-testid="compare"] .error');
  assert.match((await compareText()) ?? "", /open\.jsonl:1: not a human-labelled record \(pairwise: LLMBar's/);
  assert.equal(await page.$('[data-testid="judge-eval-row"]'), null);

  const labelled = join(scratch, "pairs.jsonl");
  writeFileSync(
    labelled,
    [
      { question: "Say hi.", answer_a: "Hi there, friend!", answer_b: "Hi.", human: "A" },
      { question: "Name a colour.", answer_a: "Red.", answer_b: "A deep, warm red.", human: "B" },
      { question: "Count to two.", answer_a: "One, two.", answer_b: "1 2", human: "tie" },
    ]
      .map((row) => JSON.stringify(row))
      .join("\n"),
  );
  await page.fill('[data-testid="judge-eval-dataset"]', labelled);
  await page.fill('[data-testid="judge-eval-max-tokens"]', "40");
  await page.click('[data-testid="judge-eval-start"]');
  await page.waitForSelector('[data-testid="judge-eval-row"][data-state="finished"]', { timeout: 600_000 });
  const figures = await page.$$eval('[data-testid="judge-eval-figure"]', (items) =>
    Object.fromEntries(items.map((i) => [(i as HTMLElement).dataset.figure, i.textContent])),
  );
  assert.deepEqual(Object.keys(figures), ["accuracy", "kappa", "flip-rate", "length-bias", "readable"]);
  assert.match(figures.accuracy!, /^accuracy on the 2 pairs people did not tie: (\d+\.\d%|–)$/);
  assert.match(figures["flip-rate"]!, /^position flips: (\d+\.\d%|–)$/);
  // People preferred the longer answer in both decisive pairs.
  assert.match(figures["length-bias"]!, /^prefers the longer answer \(people\): (\d+\.\d%|–) \(100\.0%\)$/);
  assert.match(figures.readable!, /^readable in both orders: [0-3]\/3$/);
  assert.match((await page.textContent('[data-testid="judge-eval-row"]')) ?? "", /tinyCritic/);
  await page.locator('[data-testid="judge-eval"]').screenshot({ path: join(artifactsDir, "judge-eval.png") });
});
