// `npm run bench:ui` (second part): the compare grid in real Chromium on a synthetic experiment of 1,000 items ×
// 12 columns, through the real engine and web bridge. Times a grid update — toggling a filter and scrolling the
// virtualised rows — from the input to the DOM committed and laid out (React's render + commit + style/layout),
// median and p95 of repeated updates. Writes bench/results/ui-grid.md and ui-grid.json. Nothing asserts a time.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { startWebApp } from "../test/support/web-app.ts";
import { repoRoot } from "../test/support/models.ts";

const ITEMS = 1000;
const COLUMNS = 12;
const REPEATS = 20;

const dir = join(mkdtempSync(join(tmpdir(), "refinery-grid-bench-")), "exp");
mkdirSync(dir, { recursive: true });
const dataset = join(dir, "..", "tasks.jsonl");
writeFileSync(
  dataset,
  Array.from({ length: ITEMS }, (_, i) =>
    JSON.stringify({ id: `q${i}`, question: `What is ${i} + ${i}? Show your work step by step.`, answer: String(2 * i), level: `L${i % 5}` }),
  ).join("\n"),
);
const columns = Array.from({ length: COLUMNS }, (_, c) => `col-${c}`);
writeFileSync(
  join(dir, "experiment.json"),
  JSON.stringify(
    { dataset, seed: 0, columns: columns.map((name) => ({ name, strategy: "single-pass", actor: { path: "a.gguf" }, critic: { path: "c.gguf" } })) },
    null,
    2,
  ),
);
const lines: string[] = [];
for (let item = 0; item < ITEMS; item++) {
  columns.forEach((column, c) => {
    // Odd items are right in every column, so "only failures" halves the grid.
    const correct = item % 2 === 1 || (item + c) % 4 !== 0;
    lines.push(
      JSON.stringify({
        item,
        itemId: `q${item}`,
        column,
        runId: `r-${item}-${c}`,
        status: "finished",
        correct,
        initialCorrect: correct,
        answer: String(correct ? 2 * item : 2 * item + 1),
        pathTokens: 40 + c,
        totalTokens: 60 + c * 10,
        thoughtTokens: 0,
        wallMs: 100 + c,
        trajectory: [{ tokens: 60 + c * 10, correct, score: null }],
      }),
    );
  });
}
writeFileSync(join(dir, "results.jsonl"), `${lines.join("\n")}\n`);

const app = await startWebApp();
const { page } = app;
await page.click('[data-testid="tab-compare"]');
await page.fill('[data-testid="experiment-path"]', dir);
await page.click('[data-testid="experiment-load"]');
await page.waitForSelector('[data-testid="compare-grid"]', { timeout: 120_000 });
// A string, not a function: tsx's helpers (__name) do not exist in the page. Each sample: the input, then wait
// (polling on message-channel tasks, which are not clamped like nested timers) until the DOM shows the update
// — React may commit a scroll's update in a later task than the input's — then force style and layout.
const timings = (await page.evaluate(`(async () => {
  const channel = new MessageChannel();
  const nextTask = () => new Promise((r) => { channel.port1.onmessage = () => r(); channel.port2.postMessage(0); });
  const sample = async (act, done) => {
    const t0 = performance.now();
    act();
    while (!done()) {
      if (performance.now() - t0 > 5000) throw new Error("the grid did not update within 5 s");
      await nextTask();
    }
    document.body.offsetHeight;
    return performance.now() - t0;
  };
  const pause = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 20)));
  const filter = document.querySelector('[data-testid="filter-failures"]');
  const count = () => document.querySelector('[data-testid="grid-count"]').textContent;
  const scroller = document.querySelector('[data-testid="compare-grid-scroll"]');
  const firstRow = () => document.querySelector('[data-testid="grid-row"]').getAttribute("data-item");
  const out = { filter: [], scroll: [], rows: [] };
  for (let i = 0; i < ${REPEATS}; i++) {
    const before = count();
    out.filter.push(await sample(() => filter.click(), () => count() !== before));
    await pause();
  }
  for (let i = 0; i < ${REPEATS}; i++) {
    const before = firstRow();
    out.scroll.push(await sample(() => { scroller.scrollTop = (i + 1) * 1500; scroller.dispatchEvent(new Event("scroll")); }, () => firstRow() !== before));
    out.rows.push(document.querySelectorAll('[data-testid="grid-row"]').length);
    await pause();
  }
  return out;
})()`)) as { filter: number[]; scroll: number[]; rows: number[] };
await app.close();

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]!, max: s.at(-1)! };
};
const results = {
  date: new Date().toISOString(),
  loadAverage1m: loadavg()[0]!,
  items: ITEMS,
  columns: COLUMNS,
  repeats: REPEATS,
  filterToggleMs: stats(timings.filter),
  scrollMs: stats(timings.scroll),
  rowsInDom: Math.max(...timings.rows),
};
const table = [
  `# Compare grid benchmark (${results.date.slice(0, 10)})`,
  "",
  `A synthetic experiment of ${ITEMS} items × ${COLUMNS} columns loaded through the engine and web bridge into headless Chromium (software rendering). A grid update: input → React render and commit (waited for in the DOM) → style and layout, ${REPEATS} times each. Target: under 16 ms.`,
  "",
  "| update | median | p95 | max |",
  "| --- | --- | --- | --- |",
  `| toggle "only failures" | ${results.filterToggleMs.median.toFixed(1)} ms | ${results.filterToggleMs.p95.toFixed(1)} ms | ${results.filterToggleMs.max.toFixed(1)} ms |`,
  `| scroll 1,500 px | ${results.scrollMs.median.toFixed(1)} ms | ${results.scrollMs.p95.toFixed(1)} ms | ${results.scrollMs.max.toFixed(1)} ms |`,
  "",
  `Rows in the DOM at most: ${results.rowsInDom} of ${ITEMS} (virtualised). Machine load (1 min) at the end: ${results.loadAverage1m.toFixed(2)}.`,
  "",
].join("\n");
mkdirSync(join(repoRoot, "bench", "results"), { recursive: true });
writeFileSync(join(repoRoot, "bench", "results", "ui-grid.md"), table);
writeFileSync(join(repoRoot, "bench", "results", "ui-grid.json"), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(table);
process.exit(0);
