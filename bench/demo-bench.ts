// The demo pair measured through Refinery itself on the demo world's test split: an experiment (single-pass greedy,
// self-consistency n=8, critic-guided, step-critique) and the critic on the ProcessBench-layout export, with each
// step's verdict checked against the recomputed labels. Writes bench/results/demo.md and demo.json; the targets
// are checked by scripts/train-demo/check-targets.ts.
//   npm run bench:demo [-- --limit 200 --model resources/models/refinery-demo-arithmetic.gguf]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { evaluateProcessBench, readProcessBench } from "../native/eval/critic-eval.ts";
import { buildExperimentConfig } from "../native/eval/experiment/config.ts";
import { runExperiment } from "../native/eval/experiment/scheduler.ts";
import { summarize } from "../native/eval/experiment/summary.ts";
import type { ModelBackend } from "../native/llm/backend.ts";
import { LlamaBackend } from "../native/llm/llama-backend.ts";
import { openRuntime } from "../native/llm/runtime.ts";
import { parseVerdict } from "../native/strategies/verdicts.ts";
import { DATASET_PATH, DEMO_MODEL_FILE, MODEL_DIR, PROCESSBENCH_PATH, repoRoot } from "../scripts/train-demo/settings.ts";
import { demoTable, type DemoFigures } from "../scripts/train-demo/targets.ts";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: join(MODEL_DIR, DEMO_MODEL_FILE) },
    limit: { type: "string", default: "200" },
    out: { type: "string", default: join(repoRoot, ".cache/demo-bench") },
    results: { type: "string", default: join(repoRoot, "bench/results") },
    seed: { type: "string", default: "1" },
    /** Comma-separated column names: a quick look at a training snapshot (the targets need all four). */
    columns: { type: "string" },
  },
});
const limit = Number(values.limit);
const started = performance.now();

const ALL_COLUMNS = [
  { name: "single-pass", strategy: "single-pass" },
  { name: "self-consistency(n=8)", strategy: "self-consistency", params: { n: 8 } },
  { name: "critic-guided", strategy: "critic-guided" },
  { name: "step-critique", strategy: "step-critique" },
];
const COLUMNS = values.columns ? ALL_COLUMNS.filter((c) => values.columns!.split(",").includes(c.name)) : ALL_COLUMNS;

// Greedy actor (self-consistency keeps its own 0.8), greedy critic; budgets sized to the demo's short solutions.
const model = values.model;
const pair = {
  actor: { path: model, sampling: { temperature: 0, maxTokens: 160 } },
  critic: { path: model, sampling: { temperature: 0, maxTokens: 400 } },
};
const dir = join(values.out, `experiment-${limit}-${COLUMNS.map((c) => c.strategy).join("+")}`);
mkdirSync(dir, { recursive: true });
const config = await buildExperimentConfig({ dataset: DATASET_PATH, limit, strategies: COLUMNS, pairs: [pair], seed: Number(values.seed) });
process.stderr.write(`experiment: ${limit} items × ${COLUMNS.length} columns in ${dir}\n`);
const results = await runExperiment(dir, config, {
  concurrency: 1,
  onProgress: (p) => process.stderr.write(`\r${p.done}/${p.total} cells`),
});
process.stderr.write("\n");
const summary = summarize(
  results,
  COLUMNS.map((c) => c.name),
  "single-pass",
);

// The critic: ProcessBench's first-error F1 through Refinery's evaluator, and each step's verdict against its label.
const items = (await readProcessBench(PROCESSBENCH_PATH, limit)) as Array<Awaited<ReturnType<typeof readProcessBench>>[number]>;
const stepLabels = (JSON.parse(readFileSync(PROCESSBENCH_PATH, "utf8")) as Array<{ step_labels: boolean[] }>).slice(0, limit).map((i) => i.step_labels);
const runtime = await openRuntime({ gpu: "auto" });
const backend = new LlamaBackend(runtime, await runtime.loadModel(model, { sequences: 1 }), "critic-eval");
const verdictTexts: string[] = [];
const recording: ModelBackend = Object.assign(Object.create(backend) as ModelBackend, {
  generate: async (request: Parameters<ModelBackend["generate"]>[0]) => {
    const result = await backend.generate(request);
    verdictTexts.push(result.text);
    return result;
  },
});
const processBench = await evaluateProcessBench(items, recording, { temperature: 0, maxTokens: 400 });
let stepsRight = 0;
let stepsTotal = 0;
verdictTexts.forEach((text, i) => {
  const verdict = parseVerdict(text, true);
  const labels = stepLabels[i]!;
  labels.forEach((ok, s) => {
    stepsTotal++;
    const said = verdict.steps?.[s]?.verdict;
    if (said !== undefined && (said === "correct") === ok) stepsRight++;
  });
});

const figures: DemoFigures = {
  model,
  items: limit,
  columns: summary.columns.map((c) => ({
    column: c.column,
    accuracy: c.accuracy,
    interval: c.interval,
    failed: c.failed,
    meanTotalTokens: c.meanTotalTokens,
    ...(c.versusBaseline
      ? { difference: c.versusBaseline.difference, pValue: c.versusBaseline.pValue, wins: c.versusBaseline.wins, losses: c.versusBaseline.losses }
      : {}),
    ...(c.transitions ? { harmRate: c.transitions.harmRate, fixRate: c.transitions.fixRate } : {}),
  })),
  critic: {
    items: processBench.rows.length,
    stepAccuracy: stepsTotal ? stepsRight / stepsTotal : 0,
    steps: stepsTotal,
    f1: processBench.f1,
    erroneousAccuracy: processBench.erroneousAccuracy,
    correctAccuracy: processBench.correctAccuracy,
    unparseable: processBench.unparseable,
  },
  seconds: Math.round((performance.now() - started) / 1000),
};
mkdirSync(values.results, { recursive: true });
writeFileSync(join(values.results, "demo.json"), `${JSON.stringify(figures, null, 2)}\n`);
writeFileSync(join(values.results, "demo.md"), demoTable(figures));
process.stdout.write(demoTable(figures));
process.exit(0);
