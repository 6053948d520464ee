// A thinking node in real Chromium: the run log of a Self-Refine run whose models think (scripted "<think>"
// outputs written through the real runner into the UI's runs folder) is opened from the history; its nodes
// show the thought folded with its length, open it on click, and the inspector shows thought and answer.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ScriptedBackend } from "../../native/llm/scripted-backend.ts";
import { executeRun } from "../../native/runs/runner.ts";
import { holistic, isCritique } from "../support/scripted-run.ts";
import { repoRoot } from "../support/models.ts";
import { openFromHistory, reloadPage, startWebApp, type WebApp } from "../support/web-app.ts";

let app: WebApp;
let runId: string;

before(async () => {
  app = await startWebApp();
  const actor = new ScriptedBackend((_request, call) =>
    call === 0
      ? "<think>Tom starts with 3 apples. He buys 4 more, so 3 + 4. That is 8? No: 3 + 4 = 7.</think>Tom has 3 + 4 = 7 apples. Final answer: 7"
      : "<think>The feedback agrees; keep the sum.</think>3 + 4 = 7. Final answer: 7",
  );
  const critic = new ScriptedBackend((request) =>
    isCritique(request) ? `<think>Check the sum: 3 + 4 is 7, the solution says 7.</think>${holistic(true, 9, "The sum is right.")}` : "",
  );
  const result = await executeRun(
    {
      strategy: "self-refine",
      params: { maxIterations: 1, feedbackModel: "critic", stopScore: 10, feedbackFormat: "json" },
      actor: { path: "scripted-thinking-actor" },
      critic: { path: "scripted-thinking-critic" },
      task: { question: "Tom has 3 apples and buys 4 more. How many apples does he have?", reference: "7" },
      outDir: app.runsDir,
      parallel: false,
    },
    { backends: { actor, critic } },
  );
  runId = result.runId;
});

after(async () => {
  await app?.close();
});

test("a thinking node shows its thought folded, opens it, and the inspector shows thought and answer apart", async () => {
  const { page } = app;
  await reloadPage(page);
  await openFromHistory(page, runId);
  const draft = '[data-testid="tree-node"][data-node-id="n1"]';
  await page.waitForSelector(`${draft} [data-testid="node-thought"][data-open="false"]`);
  assert.match((await page.textContent(`${draft} [data-testid="thought-toggle"]`)) ?? "", /▸ thought · 22 tok/);
  assert.equal(await page.$(`${draft} [data-testid="node-thought-text"]`), null, "folded: the thought's text is not shown");
  assert.match((await page.textContent(`${draft} [data-testid="node-text"]`)) ?? "", /^Tom has 3 \+ 4 = 7 apples/);

  await page.click(`${draft} [data-testid="thought-toggle"]`);
  await page.waitForSelector(`${draft} [data-testid="node-thought"][data-open="true"]`);
  assert.match((await page.textContent(`${draft} [data-testid="node-thought-text"]`)) ?? "", /That is 8\? No: 3 \+ 4 = 7\./);

  await page.click(draft);
  await page.waitForSelector('[data-testid="inspector-thought"]');
  assert.match((await page.textContent('[data-testid="inspector-thought"]')) ?? "", /^Tom starts with 3 apples/);
  assert.match((await page.textContent('[data-testid="inspector-output"]')) ?? "", /^Tom has 3 \+ 4 = 7 apples\. Final answer: 7$/);
  assert.match((await page.textContent('[data-testid="inspector-tokens"]')) ?? "", /prompt \d+ evaluated · 0 reused · thought 22 · answer 11/);
  assert.match((await page.textContent('[data-testid="inspector-answer"]')) ?? "", /^7$/);

  const critique = '[data-testid="tree-node"][data-node-id="n2"]';
  assert.match(
    (await page.textContent(`${critique} [data-testid="thought-toggle"]`)) ?? "",
    /▸ thought · \d+ tok/,
    "the critic's thinking phase is on its node too",
  );
  await page.screenshot({ path: join(repoRoot, "docs/screenshots/thinking-node.png") });
});
