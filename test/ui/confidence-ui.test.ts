// The confidence strip in real Chromium against the real engine: a DeepConf run on a scripted actor whose traces
// carry known per-token confidence; every trace's card draws the strip with its unsure stretch outlined, the
// inspector draws it wide with its numbers, and a filtered trace says why it was dropped.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runExperiment } from "../../native/eval/experiment.ts";
import { ScriptedBackend } from "../../native/llm/scripted-backend.ts";
import { repoRoot } from "../support/models.ts";
import { startWebApp, type WebApp } from "../support/web-app.ts";

let app: WebApp;
const experimentDir = join(mkdtempSync(join(tmpdir(), "refinery-confidence-")), "exp");

// Twenty words; trace 0 is unsure over words 9–12, the others are sure throughout but less so.
const words = "Step one adds two and two. Then we check the sum once more and it holds. The answer is 4";
const confidence = (call: number) => Array.from({ length: 20 }, (_, i) => (call === 0 ? (i >= 8 && i < 12 ? 1 : 18) : 10 - call));

before(async () => {
  const dataset = join(experimentDir, "..", "tasks.jsonl");
  mkdirSync(experimentDir, { recursive: true });
  writeFileSync(dataset, JSON.stringify({ question: "What is 2 + 2?", answer: "4" }));
  let calls = 0;
  const actor = new ScriptedBackend(() => ({ text: words, confidence: confidence(calls++) }));
  await runExperiment(
    experimentDir,
    {
      dataset,
      columns: [
        {
          name: "deepconf",
          strategy: "deepconf",
          params: { mode: "offline", n: 4, keepPercent: 50, window: 4, measure: "tail" },
          actor: { path: "a" },
          critic: { path: "a" },
        },
      ],
      seed: 1,
    },
    { deps: { backends: { actor, critic: actor } } },
  );
  app = await startWebApp();
  await app.page.waitForSelector('[data-testid="engine-status"][data-status="ready"]');
});

after(async () => {
  await app?.close();
});

test("DeepConf traces draw their confidence strip on the card and in the inspector, the unsure stretch outlined", async () => {
  const { page } = app;
  const runId = "deepconf--0000";
  await page.evaluate(
    ([dir, id]) => {
      window.location.hash = `#experiment=${encodeURIComponent(dir!)}&run=${id}&cell=1`;
    },
    [experimentDir, runId],
  );
  await page.waitForSelector(`[data-testid="tree-view"][data-run-id="${runId}"][data-fitted="true"]`);
  const strips = await page.$$eval('[data-testid="tree-node"][data-role="draft"]', (cards) =>
    cards.map((card) => {
      const strip = card.querySelector('[data-testid="confidence-strip"]');
      return strip ? [strip.querySelectorAll(".confidence-bin").length, Number(strip.getAttribute("data-low"))] : null;
    }),
  );
  // 20 tokens in 20 bins; the first trace's four unsure tokens are its lowest bins; flat traces mark none.
  assert.deepEqual(strips, [
    [20, 4],
    [20, 0],
    [20, 0],
    [20, 0],
  ]);
  await page.click('[data-testid="tree-node"][data-node-id="n1"]');
  await page.waitForSelector('[data-testid="inspector-confidence"] [data-testid="confidence-strip"]');
  const title = (await page.getAttribute('[data-testid="inspector-confidence"] [data-testid="confidence-strip"]', "title")) ?? "";
  assert.match(title, /^confidence over 20 tokens: mean 14\.60 \(top-20 −mean log p\); lowest at token 9, token 10, token 11, token 12$/);
  await page.screenshot({ path: join(repoRoot, "docs/screenshots/confidence-strip.png") });
});
