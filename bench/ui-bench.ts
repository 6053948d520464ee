// `npm run bench:ui`: the tree view in real Chromium while a 1,000-node run (500 tokens/s) and a 10,000-node run
// (5,000 tokens/s) stream through the real web bridge (server, SSE, coalescing, store, layout, virtualised tree).
// Reports frame-time percentiles and long tasks; writes bench/results/ui.md and ui.json.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { EventBatcher } from "../native/engine/event-batcher.ts";
import { EngineHost, type EngineProcess } from "../native/engine/host.ts";
import type { FromEngine } from "../native/engine/messages.ts";
import type { NodeRole, RunEvent } from "../native/protocol/events.ts";
import { startWebServer } from "../native/server/server.ts";
import { chromiumPath } from "../test/support/web-app.ts";
import { repoRoot } from "../test/support/models.ts";

const TOKENS_PER_NODE = 8;
/** The runs streamed: 1,000 nodes at a fast model's rate, and 10,000 nodes at ten times that rate, so both take
 * about 16 s and the second shows what a tree ten times larger costs per frame. */
const SIZES = [
  { nodes: 1000, tokensPerSecond: 500 },
  { nodes: 10_000, tokensPerSecond: 5000 },
];

/** A stand-in engine that plays a synthetic run (drafts, critiques, refinements, votes) in real time. */
function replayEngine(NODES: number, TOKENS_PER_SECOND: number, runId: string): EngineProcess {
  let send: (message: FromEngine) => void = () => undefined;
  const batcher = new EventBatcher((id, events) => send({ kind: "event", event: { type: "run-events", runId: id, events } }));
  const play = async () => {
    const model = { path: "/bench.gguf", name: "bench", sizeBytes: 0, sampling: { temperature: 0, maxTokens: 8 } };
    batcher.push(runId, {
      type: "run-started",
      at: Date.now(),
      runId,
      strategy: "synthetic",
      params: {},
      models: { actor: model, critic: model },
      seed: 0,
      task: { question: "replay" },
    });
    const interval = 1000 / TOKENS_PER_SECOND;
    let next = performance.now();
    const candidates: string[] = [];
    for (let i = 1; i <= NODES; i++) {
      const id = `n${i}`;
      const role: NodeRole = i % 10 === 0 ? "vote" : i % 3 === 0 ? "critique" : i % 3 === 1 ? "draft" : "refine";
      const parents =
        role === "draft"
          ? candidates.length
            ? [candidates[Math.floor(candidates.length / 2)]!]
            : []
          : role === "vote"
            ? candidates.slice(-4)
            : [candidates.at(-1) ?? ""].filter(Boolean);
      batcher.push(runId, {
        type: "node-added",
        at: Date.now(),
        nodeId: id,
        parents,
        role,
        step: role,
        iteration: i % 4,
        model: role === "vote" ? null : role === "critique" ? "critic" : "actor",
      });
      for (let t = 0; t < TOKENS_PER_NODE; t++) {
        next += interval;
        const wait = next - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        batcher.push(runId, { type: "token-delta", nodeId: id, text: ` tok${t}` });
      }
      batcher.push(runId, {
        type: "node-completed",
        at: Date.now(),
        nodeId: id,
        text: Array.from({ length: TOKENS_PER_NODE }, (_, t) => ` tok${t}`).join(""),
        answer: role === "critique" ? null : String(i % 7),
        tokensIn: 10,
        tokensOut: TOKENS_PER_NODE,
        wallMs: 16,
        status: "done",
      });
      if (role === "critique") {
        const target = candidates.at(-1);
        if (target)
          batcher.push(runId, {
            type: "score-set",
            at: Date.now(),
            nodeId: target,
            score: {
              value: i % 11,
              verdict: "unknown",
              source: "critic",
              byNodeId: id,
              steps: [
                { index: 0, verdict: "correct", score: 8 },
                { index: 1, verdict: "wrong", score: 2 },
              ],
              firstErrorStep: 1,
            },
          });
      } else if (role !== "vote") candidates.push(id);
    }
    const finished: RunEvent = {
      type: "run-finished",
      at: Date.now(),
      selectedNodeId: candidates.at(-1)!,
      answer: "1",
      correct: null,
      budgets: { selectedPathTokens: 0, totalTokens: NODES * (TOKENS_PER_NODE + 10) },
    };
    batcher.push(runId, finished);
    batcher.flush();
  };
  return {
    pid: process.pid,
    send: (message) => {
      const value =
        message.method === "startRun"
          ? { runId }
          : message.method === "listStrategies" || message.method === "listRuns" || message.method === "listModels"
            ? []
            : message.method === "engineInfo"
              ? { backend: null, runsDir: "", mode: "web", pid: 0 }
              : message.method === "getLoadSettings"
                ? {}
                : null;
      queueMicrotask(() => send({ kind: "response", id: message.id, result: { ok: true, value } }));
      if (message.method === "startRun") setTimeout(() => void play(), 200);
    },
    onMessage: (listener) => (send = listener),
    onExit: () => undefined,
    kill: () => undefined,
  };
}

async function measure(NODES: number, TOKENS_PER_SECOND: number) {
  const runId = `bench-${NODES}-nodes`;
  const runsDir = mkdtempSync(join(tmpdir(), "refinery-ui-bench-"));
  const host = new EngineHost({ spawn: () => replayEngine(NODES, TOKENS_PER_SECOND, runId), runsDir });
  const server = await startWebServer({ host, staticDir: join(repoRoot, "dist/renderer") });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on("pageerror", (e) => console.error("page error:", e.message));
  page.on("console", (m) => m.type() === "error" && console.error("console:", m.text()));
  await page.goto(server.url);
  // A string, not a function: tsx's helpers (__name) do not exist in the page.
  await page.evaluate(`(() => {
  const w = window;
  w.frames_ = [];
  w.longTasks = [];
  new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ type: "longtask", buffered: false });
  let last = performance.now();
  const tick = (now) => {
    w.frames_.push(now - last);
    last = now;
    if (!w.benchStop) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`);
  await page.fill('[data-testid="actor-path"]', "/bench.gguf");
  await page.fill('[data-testid="question"]', "replay");
  const started = Date.now();
  await page.click('[data-testid="start-run"]');
  await page.waitForFunction((n) => (document.querySelector('[data-testid="tree-count"]')?.textContent ?? "").startsWith(`${n} nodes`), NODES, {
    timeout: 300_000,
    polling: 500,
  });
  const elapsed = (Date.now() - started) / 1000;
  const { frames, longTasks, drawn } = (await page.evaluate(`(() => {
  window.benchStop = true;
  return { frames: window.frames_.slice(5), longTasks: window.longTasks, drawn: document.querySelectorAll('[data-testid="tree-node"]').length };
})()`)) as { frames: number[]; longTasks: number[]; drawn: number };
  if (NODES === 1000) await page.screenshot({ path: join(repoRoot, "bench", "results", "ui-1000-nodes.png") }).catch(() => undefined);
  await browser.close();
  host.dispose();
  await server.close();

  const sorted = [...frames].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  return {
    nodes: NODES,
    tokensPerSecond: TOKENS_PER_SECOND,
    seconds: elapsed,
    frames: frames.length,
    frameMs: { p50: pct(50), p95: pct(95), p99: pct(99), max: sorted.at(-1) },
    longTasks: { count: longTasks.length, maxMs: longTasks.length ? Math.max(...longTasks) : 0, over50ms: longTasks.filter((d) => d > 50).length },
    nodesDrawnAtEnd: drawn,
  };
}

const runs = [];
for (const { nodes, tokensPerSecond } of SIZES) runs.push(await measure(nodes, tokensPerSecond));
const results = { date: new Date().toISOString(), runs };
const table = [
  `# UI benchmark (${results.date.slice(0, 10)})`,
  "",
  "Synthetic runs streamed through the web bridge into headless Chromium (software rendering), one page each.",
  "",
  "| nodes | tokens/s | seconds | frame time p50 | p95 | p99 | max | long tasks (>50 ms) | longest task | cards in the DOM at the end (0: the fitted tree is drawn as an overview) |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ...runs.map(
    (r) =>
      `| ${r.nodes} | ${r.tokensPerSecond} | ${r.seconds.toFixed(1)} | ${r.frameMs.p50.toFixed(1)} ms | ${r.frameMs.p95.toFixed(1)} ms | ${r.frameMs.p99.toFixed(1)} ms | ${r.frameMs.max!.toFixed(1)} ms | ${r.longTasks.over50ms} | ${r.longTasks.maxMs.toFixed(0)} ms | ${r.nodesDrawnAtEnd} |`,
  ),
  "",
].join("\n");
mkdirSync(join(repoRoot, "bench", "results"), { recursive: true });
writeFileSync(join(repoRoot, "bench", "results", "ui.md"), table);
writeFileSync(join(repoRoot, "bench", "results", "ui.json"), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(table);
process.exit(0);
