// The README's screenshots of real runs, taken on the bundled demo pair in real Chromium against the real engine:
// a demo experiment (the four columns bench:demo measures, on the first items of the demo test split) in the compare
// view, then Self-Refine and step-critique on an item the single pass gets wrong, as the tree and the inspector show
// them. Writes docs/screenshots/demo-*.png; nothing here is scripted, so the pictures show what the models do.
//   node scripts/build.mjs renderer && node --import tsx scripts/demo-screenshots.ts [--items 20]
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readDataset } from "../native/eval/dataset.ts";
import { readResults } from "../native/eval/experiment/checkpoint.ts";
import { buildExperimentConfig } from "../native/eval/experiment/config.ts";
import { runExperiment } from "../native/eval/experiment/scheduler.ts";
import { bundledDemoDataset, bundledDemoModel, demoCriticFor } from "../native/llm/bundled-demo.ts";
import { startWebApp } from "../test/support/web-app.ts";
import { DEMO_COLUMNS, demoPair } from "./train-demo/measure.ts";
import { repoRoot } from "./train-demo/settings.ts";

const { values } = parseArgs({ options: { items: { type: "string", default: "20" } } });
const out = join(repoRoot, "docs/screenshots");
mkdirSync(out, { recursive: true });
const dir = join(mkdtempSync(join(tmpdir(), "refinery-demo-shots-")), "experiment");

// The experiment first, in this process: the compare view loads its folder.
const pairs = [demoPair(bundledDemoModel, demoCriticFor(bundledDemoModel))];
const config = await buildExperimentConfig({ dataset: bundledDemoDataset, limit: Number(values.items), strategies: DEMO_COLUMNS, pairs, seed: 1 });
await runExperiment(dir, config, { concurrency: 1, onProgress: (p) => process.stderr.write(`\rexperiment: ${p.done}/${p.total} cells`) });
process.stderr.write("\n");
const results = readResults(dir);
const wrong = results.find((r) => r.column === "single-pass" && r.correct === false);
const items = await readDataset(bundledDemoDataset);
const item = items[wrong?.item ?? 0]!;
console.log(`runs on item ${item.id}: ${item.question}`);

const app = await startWebApp({ bundledModels: true });
const { page } = app;
try {
  // The fresh setup holds the demo pair already; the item the single pass got wrong replaces its first item.
  await page.waitForFunction((path) => (document.querySelector('[data-testid="actor-path"]') as HTMLInputElement | null)?.value === path, bundledDemoModel, {
    timeout: 120_000,
  });
  await page.waitForSelector('[data-testid="engine-status"][data-status="ready"]', { timeout: 120_000 });
  await page.fill('[data-testid="question"]', item.question);
  await page.fill('[data-testid="reference"]', item.reference ?? "");

  async function runStrategy(strategy: string, params: Record<string, string>, shot: string) {
    await page.selectOption('[data-testid="strategy-select"]', strategy);
    for (const [name, value] of Object.entries(params)) await page.fill(`[data-testid="param-${name}"]`, value);
    const previous = (await page.$('[data-testid="run-header"] .run-id')) ? await page.textContent('[data-testid="run-header"] .run-id') : null;
    await page.click('[data-testid="start-run"]');
    await page.waitForFunction(
      (old) => {
        const header = document.querySelector('[data-testid="run-header"]');
        return header?.querySelector(".run-id")?.textContent !== old && header?.getAttribute("data-status") === "finished";
      },
      previous,
      { timeout: 300_000 },
    );
    await page.screenshot({ path: join(out, `${shot}-tree.png`) });
  }

  await runStrategy("self-refine", { maxIterations: "2" }, "demo-self-refine");
  await runStrategy("step-critique", {}, "demo-step-critique");
  // The step critique opened in the inspector: each step's verdict and reason.
  await page.click('[data-testid="tree-node"][data-role="critique"]');
  await page.waitForSelector('[data-testid="inspector"]');
  await page.screenshot({ path: join(out, "demo-inspector-critique.png") });

  await page.click('[data-testid="tab-compare"]');
  await page.fill('[data-testid="experiment-path"]', dir);
  await page.click('[data-testid="experiment-load"]');
  await page.waitForSelector('[data-testid="compare-plot"] circle');
  await page.evaluate(`document.querySelector('[data-testid="new-experiment"]').open = false; document.querySelector('[data-testid="compare"]').scrollTop = 0`);
  await page.screenshot({ path: join(out, "demo-compare.png") });
} finally {
  await app.close();
}
console.log(`screenshots in ${out}`);
