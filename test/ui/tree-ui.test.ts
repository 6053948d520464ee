// The run tree in real Chromium: fitted when a run ends or is opened from the history, joins drawn below all
// their parents, the minimap, jump to node, arrow keys, the inspector's parent links and vote tally, Markdown
// with math (escaped model HTML, a raw view), panning without selecting text, a running node not drawn as failed.
// Scripted runs (MAgICoRe with three hard rounds: 92 nodes) are written by the real runner into the UI's runs
// folder; the Best-of-N and the long single-pass runs are live, on generated GGUFs.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { GenerateRequest } from "../../native/llm/backend.ts";
import { ScriptedBackend, type Script } from "../../native/llm/scripted-backend.ts";
import { executeRun } from "../../native/runs/runner.ts";
import { repoRoot, testModel } from "../support/models.ts";
import { holistic, lastUser } from "../support/scripted-run.ts";
import { artifactsDir, openFromHistory, reloadPage, startWebApp, type WebApp } from "../support/web-app.ts";

let app: WebApp;
let actor: string;
let critic: string;
const runs: Record<"magicore" | "large" | "vote" | "markdown" | "mctsr", string> = { magicore: "", large: "", vote: "", markdown: "", mctsr: "" };

async function scripted(strategy: string, params: Record<string, unknown>, actorScript: Script, criticScript: Script = () => holistic(true, 8)) {
  const result = await executeRun(
    {
      strategy,
      params,
      actor: { path: `scripted-${strategy}-actor` },
      critic: { path: `scripted-${strategy}-critic` },
      task: { question: "Tobias is buying a new pair of shoes. How much money does he have left?", reference: "5" },
      outDir: app.runsDir,
      parallel: false,
    },
    { backends: { actor: new ScriptedBackend(actorScript), critic: new ScriptedBackend(criticScript) } },
  );
  return result.runId;
}

const solution = (n: string) => `Step 1: read.\nStep 2: compute.\nThe answer is ${n}`;
const isReviewer = (r: GenerateRequest) => r.messages[0]!.content.startsWith("Your task is to provide step-by-step feedback");

before(async () => {
  mkdirSync(artifactsDir, { recursive: true });
  actor = await testModel("tinyChat");
  critic = await testModel("tinyCritic");
  app = await startWebApp();
  // Every round's solutions spread over four answers with low step scores: each gate finds the problem hard.
  let drawn = 0;
  runs.magicore = await scripted(
    "magicore",
    { k: 8, maxIterations: 3, rewardMean: 1, rewardStd: 0.5 },
    () => solution(["5", "7", "9", "3"][drawn++ % 4]!),
    (r) => {
      if (isReviewer(r)) return "Step 3 is wrong: recompute.";
      const n = [...lastUser(r).matchAll(/The answer is (\d+)/g)].at(-1)?.[1] ?? "5";
      const score = { "5": 3, "7": 5, "9": 4, "3": 2 }[n] ?? 3;
      return JSON.stringify({
        steps: [6, 5, 4].map((s) => ({ why: "w", verdict: s >= 6 ? "correct" : "wrong", score: s })),
        critique: "c",
        finalCorrect: false,
        score,
      });
    },
  );
  // The same hard problem with 40 samples: more nodes than the tree draws as cards at once.
  runs.large = await scripted(
    "magicore",
    { k: 40, maxIterations: 3, rewardMean: 1, rewardStd: 0.5 },
    () => solution(["5", "7", "9", "3"][drawn++ % 4]!),
    (r) =>
      isReviewer(r)
        ? "Step 3 is wrong: recompute."
        : JSON.stringify({
            steps: [6, 5, 4].map((s) => ({ why: "w", verdict: s >= 6 ? "correct" : "wrong", score: s })),
            critique: "c",
            finalCorrect: false,
            score: 3,
          }),
  );
  let sampled = 0;
  runs.vote = await scripted("self-consistency", { n: 5 }, () => `Final answer: ${["7", "7", "5", "7", "9"][sampled++ % 5]}`);
  // MCTSr's reward samples in call order: the root, the dummy root, then two per iteration.
  const rewards = [40, -80, 30, 98, 20, 60, 45, 70, 55, 10];
  let rewarded = 0;
  let refined = 0;
  runs.mctsr = await scripted(
    "mctsr",
    { iterations: 3 },
    (r) => (lastUser(r).includes("Please refine your answer") ? solution(`${++refined}`) : solution("0")),
    (r) => (/Output a score between \[-100,\+100\]/.test(lastUser(r)) ? JSON.stringify({ analysis: "harsh", score: rewards[rewarded++] }) : "Step 2 is wrong."),
  );
  runs.markdown = await scripted(
    "single-pass",
    {},
    () =>
      "**Area.** The square of the side is $x^2$, and\n\n$$\\frac{a}{b} = 2$$\n\n<img src=x onerror=alert(1)> <script>alert(2)</script> [home](javascript:alert(3))\n\nFinal answer: 5",
  );
});

after(async () => {
  await app?.close();
});

/** A fresh page (nothing left from the test before), then the run opened from the history and fitted. */
async function reopen(runId: string) {
  const { page } = app;
  await reloadPage(page);
  await openFromHistory(page, runId);
  await page.waitForSelector(`[data-testid="tree-view"][data-run-id="${runId}"][data-fitted="true"]`);
}

/** Node boxes and the tree's frame, in page pixels, once the view shows the fitted tree (the frame says so). */
async function boxes() {
  const { page } = app;
  await page.waitForSelector('[data-testid="tree-view"][data-fitted="true"]');
  // No named functions inside: the test runner's transform would refer to a helper the page does not have.
  return page.evaluate(() => ({
    frame: document.querySelector('[data-testid="tree-view"]')!.getBoundingClientRect().toJSON() as DOMRect,
    nodes: [...document.querySelectorAll('[data-testid="tree-node"]')].map((n) => ({
      id: n.getAttribute("data-node-id")!,
      role: n.getAttribute("data-role")!,
      ...(n.getBoundingClientRect().toJSON() as DOMRect),
    })),
    count: document.querySelector('[data-testid="tree-count"]')!.textContent!,
    minimap: document.querySelector('[data-testid="tree-minimap"]')!.getBoundingClientRect().toJSON() as DOMRect,
  }));
}

function assertAllInside(layout: Awaited<ReturnType<typeof boxes>>, expected: number) {
  assert.match(layout.count, new RegExp(`^${expected} nodes · ${expected} drawn`), layout.count);
  assert.equal(layout.nodes.length, expected);
  const { frame } = layout;
  for (const n of layout.nodes)
    assert.ok(
      n.left >= frame.left && n.top >= frame.top && n.right <= frame.right && n.bottom <= frame.bottom,
      `${n.id} ${JSON.stringify(n)} is outside the frame ${JSON.stringify(frame)}`,
    );
  const map = layout.minimap;
  for (const n of layout.nodes) assert.ok(n.right <= map.left || n.bottom <= map.top, `${n.id} lies under the minimap`);
}

test("a finished Best-of-N run opens fitted: every node inside the tree's frame; the counter sits outside it", async () => {
  const { page } = app;
  await page.waitForSelector('[data-testid="engine-status"][data-status="ready"]');
  await page.fill('[data-testid="actor-path"]', actor);
  await page.fill('[data-testid="critic-path"]', critic);
  await page.selectOption('[data-testid="strategy-select"]', "best-of-n");
  await page.fill('[data-testid="param-n"]', "4");
  await page.fill('[data-testid="question"]', "What is 2 + 3?");
  await page.fill('[data-testid="max-tokens"]', "24");
  await page.click('[data-testid="start-run"]');
  await page.waitForSelector('[data-testid="run-header"][data-status="finished"]', { timeout: 120_000 });
  const layout = await boxes();
  assertAllInside(layout, 9);
  const counter = await page.$eval('[data-testid="tree-count"]', (e) => e.getBoundingClientRect().bottom);
  assert.ok(counter <= layout.frame.top, "the counter is in the toolbar above the nodes' area");
  // The counter explains itself on hover; the legend says what each line and a faded card mean.
  assert.match(
    (await page.getAttribute('[data-testid="tree-count"]', "title"))!,
    /^9 nodes laid out \(a folded subtree's hidden nodes not counted\); 9 of them are inside the frame and drawn as cards; /,
  );
  await page.click('[data-testid="tree-legend"] summary');
  const legend = await page.$$eval('[data-testid="legend-entry"]', (entries) =>
    entries.map((li) => [
      li.querySelector("line")?.getAttribute("class") ?? "",
      getComputedStyle(li.querySelector("line") ?? li).strokeDasharray,
      li.textContent?.trim(),
    ]),
  );
  assert.deepEqual(
    legend.map(([line, , text]) => [line, text]),
    [
      ["edge primary", "grew from (its first parent)"],
      ["edge extra", "also read (a vote's, selection's or distill's other inputs)"],
      ["edge primary on-path", "the path to the chosen answer"],
      ["", "faded card: pruned by the search, or later than the replay step"],
    ],
  );
  assert.notEqual(legend[1]![1], "none", "the legend's dashed sample is drawn dashed, as the tree's");
  await page.click('[data-testid="tree-legend"] summary');
  await page.screenshot({ path: join(repoRoot, "docs/screenshots/tree-fit-best-of-n.png"), clip: { x: 320, y: 0, width: 760, height: 900 } });
  // The selection lists its candidates, each a link, with the critic's score.
  await page.click('[data-testid="tree-node"][data-role="select"]');
  const candidates = await page.$$eval('[data-testid="inspector-candidates"] [data-testid="node-link"]', (links) => links.map((l) => l.textContent));
  assert.deepEqual(candidates, ["n1", "n2", "n3", "n4"]);
  assert.equal(
    await page.textContent('[data-testid="select-rule"]'),
    "chosen by the highest critic score (argmax, as DSPy's BestOfN and the papers); the verdict does not count",
  );
  assert.equal((await page.$$('[data-testid="inspector-candidates"] [data-testid="score-badge"]')).length, 4);
});

test("panning by dragging the background moves the tree and selects no text", async () => {
  const { page } = app;
  const frame = (await page.$('[data-testid="tree-view"]'))!;
  const box = (await frame.boundingBox())!;
  const before = await page.$eval(".tree-canvas", (e) => (e as HTMLElement).style.transform);
  // From the frame's corner (the fit leaves a margin) across the cards' text.
  await page.mouse.move(box.x + 4, box.y + 4);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + 4 + i * 40, box.y + 4 + i * 25);
  assert.equal(await page.$eval('[data-testid="tree-view"]', (e) => getComputedStyle(e).userSelect), "none", "no text selection while dragging");
  await page.mouse.up();
  assert.equal(await page.evaluate(() => window.getSelection()?.toString() ?? ""), "");
  assert.notEqual(await page.$eval(".tree-canvas", (e) => (e as HTMLElement).style.transform), before, "the view moved");
  await page.click('[data-testid="tree-fit"]');
  assertAllInside(await boxes(), 9);
});

test("a running node is not coloured as failed; cancelled, the run shows its whole tree fitted", async () => {
  const { page } = app;
  await page.selectOption('[data-testid="strategy-select"]', "single-pass");
  await page.fill('[data-testid="question"]', "Write a long story.");
  await page.fill('[data-testid="max-tokens"]', "3600");
  await page.click('[data-testid="start-run"]');
  const status = '[data-testid="tree-node"][data-status="running"] .node-status';
  await page.waitForSelector(status);
  const colours = await page.$eval(status, (e) => ({ text: getComputedStyle(e).color, border: getComputedStyle(e.closest(".node-card")!).borderTopColor }));
  const bad = "rgb(192, 57, 43)";
  assert.notEqual(colours.text, bad);
  assert.notEqual(colours.border, bad);
  assert.equal(colours.text, "rgb(47, 111, 222)", "running is the accent blue");
  assert.equal(await page.getAttribute('[data-testid="tree-view"]', "data-fitted"), "false", "follow mode, not the fit, while it runs");
  await page.click('[data-testid="cancel-run"]');
  await page.waitForSelector('[data-testid="run-header"][data-status="cancelled"]');
  await page.waitForSelector('[data-testid="tree-view"][data-fitted="true"]');
});

test("a MAgICoRe run from the history opens fitted, with every vote and gate below all its parents", async () => {
  const { page } = app;
  await reopen(runs.magicore);
  const layout = await boxes();
  assertAllInside(layout, 92);
  const top = new Map(layout.nodes.map((n) => [n.id, n]));
  const joins = layout.nodes.filter((n) => n.role === "vote" || n.role === "select");
  assert.equal(joins.length, 4, "three gates and the weighted vote");
  for (const join of joins) {
    await page.click('[data-testid="tree-fit"]');
    const parentIds = await parentsInInspector(join.id);
    assert.ok(parentIds.length >= 2, `${join.id} has several parents`);
    for (const id of parentIds) assert.ok(join.top > top.get(id)!.bottom, `${join.id} is below its parent ${id}`);
  }
  await page.click('[data-testid="tree-fit"]');
  await page.screenshot({ path: join(repoRoot, "docs/screenshots/tree-magicore.png"), clip: { x: 320, y: 0, width: 760, height: 900 } });
});

/** Selects the node through jump-to-node and reads its parents from the inspector's links. */
async function parentsInInspector(id: string): Promise<string[]> {
  const { page } = app;
  await page.fill('[data-testid="tree-jump"]', id);
  await page.press('[data-testid="tree-jump"]', "Enter");
  await page.waitForFunction((want) => document.querySelector('[data-testid="inspector"] h3')?.textContent?.startsWith(`${want} `), id);
  return page.$$eval('[data-testid="inspector-parents"] [data-testid="node-link"]', (links) => links.map((l) => l.getAttribute("data-node-id")!));
}

test("jump to node centres and selects it; an unknown id says so; the minimap moves the view", async () => {
  const { page } = app;
  await page.fill('[data-testid="tree-jump"]', "n40");
  await page.press('[data-testid="tree-jump"]', "Enter");
  await page.waitForSelector('[data-node-id="n40"].selected');
  const frame = (await page.$eval('[data-testid="tree-view"]', (e) => e.getBoundingClientRect().toJSON())) as DOMRect;
  const node = (await page.$eval('[data-node-id="n40"]', (e) => e.getBoundingClientRect().toJSON())) as DOMRect;
  assert.ok(Math.abs(node.left + node.width / 2 - (frame.left + frame.width / 2)) < 2, "centred across");
  assert.ok(Math.abs(node.top + node.height / 2 - (frame.top + frame.height / 2)) < 2, "centred down");
  await page.fill('[data-testid="tree-jump"]', "n999");
  await page.press('[data-testid="tree-jump"]', "Enter");
  assert.equal(await page.textContent('[data-testid="tree-jump-message"]'), "There is no node n999 in this run.");

  await page.click('[data-testid="tree-fit"]');
  const before = await page.$eval(".tree-canvas", (e) => (e as HTMLElement).style.transform);
  // Zoom in, then click the minimap's top-left corner: the view moves there.
  const frameBox = (await (await page.$('[data-testid="tree-view"]'))!.boundingBox())!;
  await page.mouse.move(frameBox.x + frameBox.width / 2, frameBox.y + frameBox.height / 2);
  for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -400);
  const zoomed = await page.$eval(".tree-canvas", (e) => (e as HTMLElement).style.transform);
  assert.notEqual(zoomed, before);
  const map = (await (await page.$('[data-testid="tree-minimap"]'))!.boundingBox())!;
  const viewBefore = (await (await page.$('[data-testid="minimap-view"]'))!.boundingBox())!;
  await page.mouse.click(map.x + 3, map.y + 3);
  const viewAfter = (await (await page.$('[data-testid="minimap-view"]'))!.boundingBox())!;
  assert.ok(viewAfter.x < viewBefore.x || viewAfter.y < viewBefore.y, "the view's rectangle moved to the corner clicked");
  assert.ok(await page.$('[data-node-id="n1"]'), "the first sample, top left, is drawn");
});

test("arrow keys move between parent, child and siblings; Enter opens the node in the inspector", async () => {
  const { page } = app;
  await page.click('[data-testid="tree-fit"]');
  await page.click('[data-node-id="n1"]');
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute("data-node-id") ?? null);
  assert.equal(await focused(), "n1");
  await page.keyboard.press("ArrowDown");
  const child = await focused();
  assert.ok(child && child !== "n1", "a child of n1");
  assert.deepEqual(await parentsInInspectorOf(child), ["n1"]);
  await page.keyboard.press("ArrowUp");
  assert.equal(await focused(), "n1");
  await page.keyboard.press("ArrowRight");
  const sibling = await focused();
  assert.ok(sibling && sibling !== "n1");
  await page.keyboard.press("ArrowLeft");
  assert.equal(await focused(), "n1");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Enter");
  await page.waitForFunction((want) => document.querySelector('[data-testid="inspector"] h3')?.textContent?.startsWith(`${want} `), sibling);
});

/** The parents of a node the keyboard focus is on, from the page (without moving the selection). */
async function parentsInInspectorOf(id: string): Promise<string[]> {
  const { page } = app;
  await page.keyboard.press("Enter");
  await page.waitForFunction((want) => document.querySelector('[data-testid="inspector"] h3')?.textContent?.startsWith(`${want} `), id);
  return page.$$eval('[data-testid="inspector-parents"] [data-testid="node-link"]', (links) => links.map((l) => l.getAttribute("data-node-id")!));
}

test("a vote's inspector shows the tally, and its parents are links to those nodes", async () => {
  const { page } = app;
  await reopen(runs.vote);
  await page.click('[data-testid="tree-node"][data-role="vote"]');
  await page.waitForSelector('[data-testid="inspector-tally"]');
  const rows = await page.$$eval('[data-testid="tally-row"]', (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
  assert.deepEqual(rows, [
    ["7", "3", "60%", "n1n2n4"],
    ["5", "1", "20%", "n3"],
    ["9", "1", "20%", "n5"],
  ]);
  const layout = await boxes();
  const vote = layout.nodes.find((n) => n.role === "vote")!;
  for (const n of layout.nodes) if (n !== vote) assert.ok(vote.top > n.bottom, `the vote is below ${n.id}`);
  await page.screenshot({ path: join(repoRoot, "docs/screenshots/tree-inspector-vote.png"), clip: { x: 320, y: 0, width: 1120, height: 900 } });
  await page.click('[data-testid="inspector-parents"] [data-testid="node-link"][data-node-id="n3"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="inspector"] h3')?.textContent?.startsWith("n3 "));
  await page.waitForSelector('[data-node-id="n3"].selected');
});

test("a weighted vote's tally shows each answer's weight", async () => {
  const { page } = app;
  await reopen(runs.magicore);
  await page.fill('[data-testid="tree-jump"]', "n92");
  await page.press('[data-testid="tree-jump"]', "Enter");
  await page.waitForSelector('[data-testid="inspector-tally"]');
  assert.match((await page.textContent('[data-testid="inspector-tally"] thead')) ?? "", /answer\s*votes\s*weight/);
  const shares = await page.$$eval('[data-testid="tally-row"] td:nth-child(3)', (tds) => tds.map((td) => Number.parseInt(td.textContent ?? "", 10)));
  assert.ok(shares.length >= 2 && shares.every((s, i) => i === 0 || s <= shares[i - 1]!), `ranked by weight: ${shares.join(", ")}`);
});

test("node text renders as Markdown with math; model HTML stays text; the raw toggle shows the source", async () => {
  const { page } = app;
  await reopen(runs.markdown);
  await page.click('[data-testid="tree-node"][data-node-id="n1"]');
  const output = '[data-testid="inspector-output"]';
  await page.waitForSelector(`${output} .katex`);
  assert.ok(await page.$(`${output} strong`), "bold");
  assert.ok(await page.$(`${output} .katex-display`), "display math");
  assert.equal(await page.$(`${output} img`), null, "no image element from the model's HTML");
  assert.equal(await page.$(`${output} script`), null);
  assert.equal(await page.$(`${output} a`), null, "links are not followed");
  assert.match((await page.textContent(output)) ?? "", /<img src=x onerror=alert\(1\)>/, "the HTML is shown as text");
  assert.ok(await page.$('[data-node-id="n1"] [data-testid="node-text"] .katex'), "math on the card too");
  assert.ok(await page.evaluate(() => document.fonts.ready.then(() => document.fonts.check("16px KaTeX_Main"))), "KaTeX's fonts load from the app's own files");
  await page.screenshot({ path: join(artifactsDir, "tree-markdown.png") });
  await page.check('[data-testid="inspector-raw"]');
  await page.waitForSelector(`${output}[data-format="raw"]`);
  assert.match((await page.textContent(output)) ?? "", /The square of the side is \$x\^2\$/);
  assert.equal(await page.$(`${output} .katex`), null);
  await page.uncheck('[data-testid="inspector-raw"]');
  await page.waitForSelector(`${output} .katex`);
});

test("replaying an MCTSr run dims every later node (critiques and the final selection too); Q · n has a row of its own", async () => {
  const { page } = app;
  await reopen(runs.mctsr);
  await page.focus('[data-testid="search-slider"]');
  await page.keyboard.press("Home");
  await page.waitForSelector('[data-testid="search-stat"]');
  const nodes = await page.$$eval('[data-testid="tree-node"]', (cards) =>
    cards.map((card) => ({
      id: card.getAttribute("data-node-id"),
      role: card.getAttribute("data-role"),
      iteration: Number(card.querySelector(".node-iter")?.textContent?.slice(1)),
      later: card.classList.contains("later"),
    })),
  );
  const laterOnes = nodes.filter((n) => n.iteration > 1);
  assert.ok(laterOnes.some((n) => n.role === "critique") && laterOnes.some((n) => n.role === "select"), JSON.stringify(nodes));
  for (const n of laterOnes) assert.ok(n.later, `${n.id} (${n.role}, iteration ${n.iteration}) is dimmed at iteration 1`);
  assert.ok(
    nodes.filter((n) => n.iteration === 0 && n.role === "critique").every((n) => !n.later),
    "the first rewards are there",
  );
  const stats = await page.$$eval('[data-testid="search-stat"]', (tabs) =>
    tabs.map((tab) => {
      const head = tab.closest(".node-card")!.querySelector(".node-head")!;
      const title = head.querySelector(".node-role") as HTMLElement;
      return {
        insideHead: head.contains(tab),
        aboveHead: tab.getBoundingClientRect().bottom <= head.getBoundingClientRect().top + 1,
        truncated: title.scrollWidth > title.clientWidth,
      };
    }),
  );
  assert.ok(stats.length >= 2);
  for (const stat of stats) assert.deepEqual(stat, { insideHead: false, aboveHead: true, truncated: false });
  await page.screenshot({ path: join(artifactsDir, "tree-mctsr-replay.png") });
  await page.keyboard.press("End");
  assert.equal(await page.$$eval(".node-card.later", (cards) => cards.length), 0, "the final view dims nothing");
});

test("a run too large for cards opens fitted as an overview: a click selects a node, zooming in brings the cards back", async () => {
  const { page } = app;
  await reopen(runs.large);
  await page.waitForSelector('[data-testid="tree-overview"]');
  const count = (await page.textContent('[data-testid="tree-count"]'))!;
  const [total, drawn] = [...count.matchAll(/(\d+) (?:nodes|drawn)/g)].map((m) => Number(m[1]));
  assert.ok(total! > 300 && drawn === total, `every node of a large run in view: ${count}`);
  assert.match(count, /overview/);
  assert.equal((await page.$$('[data-testid="tree-node"]')).length, 0, "no cards while the overview is drawn");
  // The canvas is painted: some pixels differ from the background.
  const painted = await page.$eval('[data-testid="tree-overview"]', (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) inked++;
    return inked;
  });
  assert.ok(painted > 1000, `the overview draws the nodes (${painted} pixels)`);
  // A click on the first node's box (from the tree's own layout, through jump-to-node's centring) selects it.
  const frame = (await (await page.$('[data-testid="tree-view"]'))!.boundingBox())!;
  const transform = await page.$eval(".tree-canvas", (el) => (el as HTMLElement).style.transform);
  const [x, y, k] = [...transform.matchAll(/-?[\d.]+/g)].map((m) => Number(m[0]));
  const first = await page.evaluate(() => document.querySelector(".tree-canvas")!.getAttribute("data-first-node"));
  assert.ok(first, "the canvas names where its first node is drawn");
  const [nx, ny] = first!.split(",").map(Number);
  await page.mouse.click(frame.x + x! + (nx! + 10) * k!, frame.y + y! + (ny! + 10) * k!);
  await page.waitForFunction(() => document.querySelector('[data-testid="inspector"] h3')?.textContent?.startsWith("n1 "));
  // Zoomed in on one part, the cards come back.
  for (let i = 0; i < 12; i++) await page.mouse.wheel(0, -400);
  await page.waitForSelector('[data-testid="tree-node"]');
  assert.equal(await page.$('[data-testid="tree-overview"]'), null);
});
