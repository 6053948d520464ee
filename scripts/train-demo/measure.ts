// Measures a demo model through Refinery itself: an experiment on the demo test split (greedy actor and critic;
// self-consistency samples at its own 0.8) and the critic on the ProcessBench-layout export, each step's verdict
// checked against the recomputed labels. The bench and the model test both call this.
import { readFileSync } from "node:fs";
import { evaluateProcessBench, readProcessBench } from "../../native/eval/critic-eval.ts";
import { buildExperimentConfig } from "../../native/eval/experiment/config.ts";
import { runExperiment } from "../../native/eval/experiment/scheduler.ts";
import { summarize } from "../../native/eval/experiment/summary.ts";
import type { ModelBackend } from "../../native/llm/backend.ts";
import { demoCriticFor } from "../../native/llm/bundled-demo.ts";
import { LlamaBackend } from "../../native/llm/llama-backend.ts";
import { openRuntime } from "../../native/llm/runtime.ts";
import { parseVerdict } from "../../native/strategies/verdicts.ts";
import { DATASET_PATH, PROCESSBENCH_PATH } from "./settings.ts";
import type { DemoFigures } from "./targets.ts";

export const DEMO_COLUMNS = [
  { name: "single-pass", strategy: "single-pass" },
  { name: "self-consistency(n=8)", strategy: "self-consistency", params: { n: 8 } },
  { name: "critic-guided", strategy: "critic-guided" },
  { name: "step-critique", strategy: "step-critique" },
];

/** The demo critic's greedy budget, sized to its verdicts (the critic evaluation runs it too). */
const CRITIC_SAMPLING = { temperature: 0, maxTokens: 400 };

/** The demo pair's greedy budgets, sized to its short solutions and verdicts: the bench, the model test and the screenshots run this pair. */
export function demoPair(actor: string, critic: string) {
  return {
    actor: { path: actor, sampling: { temperature: 0, maxTokens: 160 } },
    critic: { path: critic, sampling: CRITIC_SAMPLING },
  };
}

export interface MeasureOptions {
  /** The actor's GGUF. */
  model: string;
  /** The critic's GGUF; when left out, demoCriticFor's. */
  critic?: string;
  limit: number;
  /** The experiment's folder (resumable: finished cells are not run again). */
  dir: string;
  columns?: string[];
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function measureDemo(options: MeasureOptions): Promise<DemoFigures> {
  const started = performance.now();
  const critic = options.critic ?? demoCriticFor(options.model);
  const columns = options.columns ? DEMO_COLUMNS.filter((c) => options.columns!.includes(c.name)) : DEMO_COLUMNS;
  const pairs = [demoPair(options.model, critic)];
  const config = await buildExperimentConfig({ dataset: DATASET_PATH, limit: options.limit, strategies: columns, pairs, seed: options.seed ?? 1 });
  const results = await runExperiment(options.dir, config, { concurrency: 1, onProgress: (p) => options.onProgress?.(p.done, p.total) });
  const summary = summarize(
    results,
    columns.map((c) => c.name),
    "single-pass",
  );

  const criticFigures = await measureCritic(critic, options.limit);

  return {
    model: options.model,
    criticModel: critic,
    items: options.limit,
    columns: summary.columns.map((c) => ({
      column: c.column,
      accuracy: c.accuracy,
      interval: c.interval,
      failed: c.failed,
      meanTotalTokens: c.meanTotalTokens,
      answered: results.filter((r) => r.column === c.column && r.answer !== null).length / Math.max(1, c.items),
      ...(c.versusBaseline
        ? { difference: c.versusBaseline.difference, pValue: c.versusBaseline.pValue, wins: c.versusBaseline.wins, losses: c.versusBaseline.losses }
        : {}),
      ...(c.transitions ? { harmRate: c.transitions.harmRate, fixRate: c.transitions.fixRate } : {}),
    })),
    critic: criticFigures,
    seconds: Math.round((performance.now() - started) / 1000),
  };
}

/** The critic alone on the ProcessBench-layout export: first-error F1 (critic-eval's own figures) and step accuracy. */
export async function measureCritic(critic: string, limit: number): Promise<DemoFigures["critic"]> {
  const items = await readProcessBench(PROCESSBENCH_PATH, limit);
  const stepLabels = (JSON.parse(readFileSync(PROCESSBENCH_PATH, "utf8")) as Array<{ step_labels: boolean[] }>).map((i) => i.step_labels);
  const runtime = await openRuntime({ gpu: "auto" });
  const backend = new LlamaBackend(runtime, await runtime.loadModel(critic, { sequences: 1 }), "critic-eval");
  const verdicts: string[] = [];
  // The evaluator's own calls, recorded: their verdicts are the step-level figures too.
  const recording: ModelBackend = Object.assign(Object.create(backend) as ModelBackend, {
    generate: async (request: Parameters<ModelBackend["generate"]>[0]) => {
      const result = await backend.generate(request);
      verdicts.push(result.text);
      return result;
    },
  });
  const processBench = await evaluateProcessBench(items, recording, CRITIC_SAMPLING);
  let right = 0;
  let total = 0;
  verdicts.forEach((text, i) => {
    const steps = parseVerdict(text, true).steps ?? [];
    stepLabels[i]!.forEach((ok, s) => {
      total++;
      const said = steps[s]?.verdict;
      if (said !== undefined && (said === "correct") === ok) right++;
    });
  });

  return {
    items: processBench.rows.length,
    stepAccuracy: total ? right / total : 0,
    // What a critic that calls every step correct would score: the share of right steps in the export.
    allCorrectBaseline: total ? stepLabels.slice(0, items.length).flat().filter(Boolean).length / total : 0,
    steps: total,
    f1: processBench.f1,
    erroneousAccuracy: processBench.erroneousAccuracy,
    correctAccuracy: processBench.correctAccuracy,
    unparseable: processBench.unparseable,
  };
}
