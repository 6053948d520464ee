// Test-time scaling methods against self-consistency at the same budget, on the bundled demo pair (its actor, and its
// critic as the step scorer) over the demo arithmetic items: one experiment with a hidden self-consistency frontier column
// (`--frontier`), so every method is read against majority voting at its own mean tokens per item.
// Writes bench/results/tts.md and tts.json.
//   npm run bench:tts [-- --limit 24 --frontier 64 --model resources/models/refinery-demo-arithmetic.gguf]
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildExperimentConfig, shownColumns, summaryOptions } from "../native/eval/experiment/config.ts";
import { runExperiment } from "../native/eval/experiment/scheduler.ts";
import { summarize } from "../native/eval/experiment/summary.ts";
import { demoCriticFor } from "../native/llm/bundled-demo.ts";
import { runDir } from "../native/runs/paths.ts";
import { replayRunLog } from "../native/runs/run-log.ts";
import { DATASET_PATH, DEMO_MODEL_FILE, MODEL_DIR, repoRoot } from "../scripts/train-demo/settings.ts";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: join(MODEL_DIR, DEMO_MODEL_FILE) },
    /** Default: the bundled critic beside the bundled actor, else the actor plays both roles (demoCriticFor). */
    critic: { type: "string" },
    limit: { type: "string", default: "24" },
    /**
     * Samples of the hidden self-consistency column every method is read against: 64 (8n) reaches past the tokens
     * the step searches spend at n = 8 (about 5.5 times self-consistency's), so each is read at a measured budget.
     */
    frontier: { type: "string", default: "64" },
    /** Samples (or beams, or traces) per item of every method: the matched nominal budget. */
    n: { type: "string", default: "8" },
    seed: { type: "string", default: "1" },
    threads: { type: "string", default: "1" },
    out: { type: "string", default: join(repoRoot, ".cache/tts-bench") },
    results: { type: "string", default: join(repoRoot, "bench/results") },
  },
});
const whole = (name: string, text: string, least: number) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < least) throw new Error(`--${name} takes a whole number of at least ${least}, got '${text}'`);
  return value;
};
const limit = whole("limit", values.limit, 1);
const frontier = whole("frontier", values.frontier, 2);
const n = whole("n", values.n, 2);
const threads = whole("threads", values.threads, 1);
statSync(values.model, { throwIfNoEntry: false }) ??
  (() => {
    throw new Error(`no model at ${values.model}: pass --model <file.gguf>`);
  })();

// Every method gets n samples (traces, beams); the step searches stop at 8 steps (demo solutions have at most 5
// and an answer line). DeepConf's window is 16 tokens: demo traces are ~60 tokens, and the paper's 2048 would make
// every trace one group (its mean).
const columns = [
  { name: `self-consistency(n=${n})`, strategy: "self-consistency", params: { n } },
  { name: `weighted-best-of-n(n=${n})`, strategy: "weighted-best-of-n", params: { n } },
  { name: `beam-search(n=${n})`, strategy: "beam-search", params: { n, beamWidth: 4, maxIterations: 8 } },
  { name: `dvts(n=${n})`, strategy: "dvts", params: { n, beamWidth: 4, maxIterations: 8 } },
  { name: `deepconf-offline(n=${n})`, strategy: "deepconf", params: { mode: "offline", n, keepPercent: 50, window: 16 } },
  { name: `deepconf-online(n=${n})`, strategy: "deepconf", params: { mode: "online", n, warmup: n / 2, keepPercent: 50, window: 16 } },
];
const critic = values.critic ?? demoCriticFor(values.model);
const pair = {
  actor: { path: values.model, sampling: { maxTokens: 160 } },
  critic: { path: critic, sampling: { temperature: 0, maxTokens: 400 } },
};
const dir = join(values.out, `experiment-${limit}-n${n}-f${frontier}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const started = performance.now();
const config = await buildExperimentConfig({ dataset: DATASET_PATH, limit, strategies: columns, pairs: [pair], seed: Number(values.seed), frontier, threads });
const results = await runExperiment(dir, config, {
  concurrency: 1,
  onProgress: (p) => process.stderr.write(`\r${p.done}/${p.total} cells`),
});
process.stderr.write("\n");
const seconds = Math.round((performance.now() - started) / 1000);
const shown = shownColumns(config);
const summary = summarize(results, shown, shown[0], summaryOptions(config));
const sc = summary.columns[0]!;
// Past the frontier's most tokens, the comparison reads self-consistency at its largest k: the method had more.
const frontierTokens = summary.frontier.find((f) => f.hidden)?.points.at(-1)?.meanTokens ?? 0;

const rows = summary.columns.map((c) => ({
  column: c.column,
  items: c.items,
  accuracy: c.accuracy,
  interval: c.interval,
  failed: c.failed,
  tokensPerItem: c.meanTotalTokens,
  tokensVsSelfConsistency: c.meanTotalTokens / sc.meanTotalTokens,
  versusSelfConsistency: c.versusBaseline ? { difference: c.versusBaseline.difference, wins: c.versusBaseline.wins, losses: c.versusBaseline.losses } : null,
  atSameBudget: c.versusFrontier
    ? {
        budget: c.versusFrontier.budget,
        selfConsistencyAccuracy: c.versusFrontier.frontierAccuracy,
        difference: c.versusFrontier.difference,
        beyondFrontier: c.versusFrontier.budget > frontierTokens,
      }
    : null,
}));

// A step search only differs from sampling when a beam is extended past its first step: a model that writes a
// whole solution without the "\n\n" step delimiter finishes every beam in one step, and then beam search and DVTS
// are n samples with the same final pick. Counted from the runs' own trees, so the table says when that happened.
const searches = [];
for (const column of columns.filter((c) => c.strategy === "beam-search" || c.strategy === "dvts")) {
  let extended = 0;
  const cells = results.filter((r) => r.column === column.name && r.status === "finished");
  for (const cell of cells) {
    const { state } = await replayRunLog(join(runDir(join(dir, "runs"), cell.runId), "events.jsonl"));
    const nodes = Object.values(state.nodes);
    if (nodes.some((node) => node.role === "draft" && node.parents.some((id) => state.nodes[id]?.role === "draft"))) extended++;
  }
  searches.push({ column: column.name, items: cells.length, extendedPastFirstStep: extended });
}
const figures = {
  model: values.model,
  critic,
  dataset: DATASET_PATH,
  items: limit,
  n,
  frontier,
  frontierTokens,
  seed: Number(values.seed),
  seconds,
  rows,
  searches,
};

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "—");
const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}` : "—");
const md = [
  "# Test-time scaling on the demo model",
  "",
  `\`npm run bench:tts\`: ${limit} items of \`resources/datasets/demo-arithmetic.jsonl\`, actor \`${values.model.replace(`${repoRoot}/`, "")}\`, critic \`${critic.replace(`${repoRoot}/`, "")}\`,`,
  `n = ${n} samples/beams/traces per method, seed ${values.seed}, ${threads} thread(s), ${seconds} s in all. "SC at same budget" is the hidden`,
  `${frontier}-sample self-consistency column's majority vote (maj@k) read at the method's own tokens per item (interpolated in log tokens).`,
  "",
  "| method | accuracy [95% CI] | tokens/item | tokens × SC(n) | vs SC(n), points (wins/losses) | SC at same budget | difference |",
  "|---|---|---|---|---|---|---|",
  ...rows.map(
    (r) =>
      `| ${r.column} | ${pct(r.accuracy)} [${pct(r.interval[0])}, ${pct(r.interval[1])}]${r.failed ? ` (${r.failed} failed)` : ""} | ${r.tokensPerItem.toFixed(0)} | ${r.tokensVsSelfConsistency.toFixed(2)} | ${r.versusSelfConsistency ? `${signed(r.versusSelfConsistency.difference)} (${r.versusSelfConsistency.wins}/${r.versusSelfConsistency.losses})` : "baseline"} | ${r.atSameBudget ? `${pct(r.atSameBudget.selfConsistencyAccuracy)}${r.atSameBudget.beyondFrontier ? "*" : ""}` : "—"} | ${r.atSameBudget ? signed(r.atSameBudget.difference) : "—"} |`,
  ),
  "",
  ...searches.map((s) => `${s.column}: a beam went past its first step on ${s.extendedPastFirstStep}/${s.items} items.`),
  "",
  ...(rows.some((r) => r.atSameBudget?.beyondFrontier)
    ? [
        `\\* past the frontier's largest budget (${frontierTokens.toFixed(0)} tokens/item at k = ${frontier}): self-consistency read at k = ${frontier}, with fewer tokens than the method.`,
        "",
      ]
    : []),
].join("\n");
mkdirSync(values.results, { recursive: true });
writeFileSync(join(values.results, "tts.json"), `${JSON.stringify(figures, null, 2)}\n`);
writeFileSync(join(values.results, "tts.md"), md);
process.stdout.write(md);
process.exit(0);
