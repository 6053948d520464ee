// The confidence strip on the canvas overview, in real Chromium against the real engine: a DeepConf run of 300
// scripted traces (more nodes than the tree draws as cards), each sure for its first half and unsure at the
// end. The canvas is read back at the first trace's box: its body keeps the node's own colour, the bottom of the
// box is green where the trace was sure and red where it was not. Rendered at four device pixels per CSS pixel, so
// a box a dozen pixels wide has whole pixels inside each part.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { executeRun } from "../../native/runs/runner.ts";
import { ScriptedBackend } from "../../native/llm/scripted-backend.ts";
import { NODE_HEIGHT } from "../../renderer/layout/tree-layout.ts";
import { openFromHistory, startWebApp, type WebApp } from "../support/web-app.ts";

let app: WebApp;
let runId = "";

// Twenty words: sure (18) for the first ten, unsure (1) for the last ten (a box shows two to four bins). Answers spread over four values,
// so no trace's vote share colours its box green.
const words = (call: number) => `Step one adds two and two. Then we check the sum once more and it holds. The answer is ${4 + (call % 4)}`;
const confidence = Array.from({ length: 20 }, (_, i) => (i < 10 ? 18 : 1));

before(async () => {
  app = await startWebApp();
  let calls = 0;
  const actor = new ScriptedBackend(() => ({ text: words(calls++), confidence }));
  const result = await executeRun(
    {
      strategy: "deepconf",
      params: { mode: "offline", n: 300, keepPercent: 50, window: 4, measure: "tail" },
      actor: { path: "scripted-overview-actor" },
      critic: { path: "scripted-overview-actor" },
      task: { question: "What is 2 + 2?", reference: "4" },
      outDir: app.runsDir,
      parallel: false,
    },
    { backends: { actor, critic: actor } },
  );
  runId = result.runId;
});

after(async () => {
  await app?.close();
});

test("the overview paints each box's confidence strip: green where the trace was sure, red where it was not", async () => {
  const page = await app.browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 4 });
  try {
    await page.goto(app.server.url);
    await page.waitForSelector('[data-testid="app"][data-restored="true"]');
    await openFromHistory(page, runId);
    await page.waitForSelector(`[data-testid="tree-view"][data-run-id="${runId}"][data-fitted="true"]`);
    await page.waitForSelector('[data-testid="tree-overview"]');
    const transform = await page.$eval(".tree-canvas", (el) => (el as HTMLElement).style.transform);
    const [x, y, k] = [...transform.matchAll(/-?[\d.]+(?:e-?\d+)?/g)].map((m) => Number(m[0]));
    const [nx, ny] = (await page.evaluate(() => document.querySelector(".tree-canvas")!.getAttribute("data-first-node")))!.split(",").map(Number);
    // Layout points inside the first box: its body, and the strip's first and last bins.
    const points = [
      [nx! + 120, ny! + 28],
      [nx! + 40, ny! + NODE_HEIGHT - 28],
      [nx! + 200, ny! + NODE_HEIGHT - 28],
    ].map(([px, py]) => [Math.floor((x! + px! * k!) * 4), Math.floor((y! + py! * k!) * 4)]);
    const [body, sure, unsure] = await page.$eval(
      '[data-testid="tree-overview"]',
      (canvas, at) => at.map(([px, py]) => [...(canvas as HTMLCanvasElement).getContext("2d")!.getImageData(px!, py!, 1, 1).data]),
      points,
    );
    const green = ([r, g, b]: number[]) => g! > r! + 40 && g! > b! + 40;
    const red = ([r, g, b]: number[]) => r! > g! + 90 && r! > b! + 90;
    assert.ok(green(sure!), `the sure stretch is green: rgba(${sure})`);
    assert.ok(red(unsure!), `the unsure end is red: rgba(${unsure})`);
    assert.ok(!green(body!) && !red(body!), `the box's body keeps the node's colour: rgba(${body})`);
  } finally {
    await page.close();
  }
});
