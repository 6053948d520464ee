// Experiments: a dataset slice × columns (a strategy with its parameters and an actor/critic pair), each cell a
// full run with its own log. results.jsonl is the checkpoint — one line per finished cell, synced — so a killed
// experiment resumes where it stopped and never redoes a finished cell; a cell cut short is run again from scratch.
import { closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { answersMatch, referenceAnswer } from "./answers.ts";
import { readDataset } from "./dataset.ts";
import { executeRun, type ModelConfig, type RunDeps } from "../runs/runner.ts";
import type { GpuChoice } from "../llm/runtime.ts";
import { bootstrapInterval, mean, pairedComparison, paretoFrontier, transitions, type PairedComparison, type Transitions } from "./stats.ts";

export interface ExperimentColumn {
  name: string;
  strategy: string;
  params?: Record<string, unknown>;
  actor: ModelConfig;
  critic: ModelConfig;
}

export interface ExperimentConfig {
  dataset: string;
  limit?: number;
  offset?: number;
  columns: ExperimentColumn[];
  seed: number;
  gpu?: GpuChoice;
  threads?: number;
  maxTotalTokens?: number;
}

export interface CellResult {
  item: number;
  itemId: string;
  column: string;
  runId: string;
  status: "finished" | "failed";
  correct: boolean | null;
  /** The first draft's correctness: the "before" of the refinement transition. */
  initialCorrect: boolean | null;
  answer: string | null;
  pathTokens: number;
  totalTokens: number;
  wallMs: number;
  failure?: string;
}

export interface ExperimentProgress {
  done: number;
  total: number;
  etaSeconds: number;
  tokensPerSecond: number;
}

export class ExperimentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExperimentError";
  }
}

export function readResults(dir: string): CellResult[] {
  const path = join(dir, "results.jsonl");
  if (!existsSync(path)) return [];
  const results: CellResult[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      results.push(JSON.parse(line) as CellResult);
    } catch {
      // a line cut by a crash: that cell runs again
    }
  }
  return results;
}

export async function runExperiment(
  dir: string,
  config: ExperimentConfig,
  options: { signal?: AbortSignal; onProgress?: (progress: ExperimentProgress) => void; deps?: RunDeps } = {},
): Promise<CellResult[]> {
  const names = new Set(config.columns.map((c) => c.name));
  if (names.size !== config.columns.length) throw new ExperimentError("column names must be unique");
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, "experiment.json");
  if (existsSync(configPath)) {
    const existing = readFileSync(configPath, "utf8");
    if (existing !== `${JSON.stringify(config, null, 2)}\n`) throw new ExperimentError(`${dir} holds a different experiment; resume it with its own settings or use another folder`);
  } else {
    writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  }
  const tasks = await readDataset(config.dataset, { limit: config.limit, offset: config.offset });
  const done = new Set(readResults(dir).map((r) => `${r.item}|${r.column}`));
  const cells = tasks.flatMap((task, item) => config.columns.map((column) => ({ task, item, column }))).filter((c) => !done.has(`${c.item}|${c.column.name}`));
  const total = tasks.length * config.columns.length;
  let finished = total - cells.length;
  const started = performance.now();
  let tokens = 0;
  const fd = openSync(join(dir, "results.jsonl"), "a");
  try {
    for (const { task, item, column } of cells) {
      if (options.signal?.aborted) break;
      const runId = `${column.name}--${String(item).padStart(4, "0")}`;
      // A run folder without a checkpoint line was cut short: start that cell again from nothing.
      rmSync(join(dir, "runs", runId), { recursive: true, force: true });
      const cellStart = performance.now();
      const result = await executeRun(
        {
          strategy: column.strategy,
          params: column.params,
          actor: column.actor,
          critic: column.critic,
          task,
          seed: config.seed + item,
          outDir: join(dir, "runs"),
          runId,
          gpu: config.gpu,
          threads: config.threads,
          // One generation at a time: a resumed experiment gives the same results as an uninterrupted one.
          parallel: false,
          maxTotalTokens: config.maxTotalTokens,
          signal: options.signal,
        },
        options.deps,
      );
      const { state } = result;
      if (state.failure?.code === "cancelled") break;
      const firstDraft = state.order.map((id) => state.nodes[id]!).find((n) => n.role === "draft");
      const reference = task.reference;
      const cell: CellResult = {
        item,
        itemId: task.id ?? String(item),
        column: column.name,
        runId,
        status: state.status === "finished" ? "finished" : "failed",
        correct: state.correct,
        initialCorrect: firstDraft && reference !== undefined ? answersMatch(firstDraft.answer, referenceAnswer(reference)) : null,
        answer: state.answer,
        pathTokens: state.budgets?.selectedPathTokens ?? 0,
        totalTokens: state.budgets?.totalTokens ?? state.order.reduce((s, id) => s + state.nodes[id]!.tokensIn + state.nodes[id]!.tokensOut, 0),
        wallMs: Math.round(performance.now() - cellStart),
        ...(state.failure ? { failure: state.failure.reason } : {}),
      };
      writeSync(fd, `${JSON.stringify(cell)}\n`);
      fdatasyncSync(fd);
      finished++;
      tokens += cell.totalTokens;
      const elapsed = (performance.now() - started) / 1000;
      const rate = (finished - (total - cells.length)) / elapsed;
      options.onProgress?.({ done: finished, total, etaSeconds: rate > 0 ? (total - finished) / rate : Number.NaN, tokensPerSecond: tokens / elapsed });
    }
  } finally {
    closeSync(fd);
  }
  return readResults(dir);
}

export interface ColumnSummary {
  column: string;
  items: number;
  accuracy: number;
  interval: [number, number];
  failed: number;
  meanPathTokens: number;
  meanTotalTokens: number;
  meanWallMs: number;
  versusBaseline: PairedComparison | null;
  transitions: Transitions | null;
}

export interface ExperimentSummary {
  baseline: string;
  columns: ColumnSummary[];
  /** Accuracy against mean total tokens; the frontier is what the PDR paper plots. */
  pareto: Array<{ id: string; tokens: number; accuracy: number }>;
}

export function summarize(results: readonly CellResult[], columns: readonly string[], baseline = columns[0]!): ExperimentSummary {
  // Only items every column finished are compared, so the pairs line up.
  const byColumn = new Map(columns.map((c) => [c, new Map(results.filter((r) => r.column === c).map((r) => [r.item, r]))]));
  const items = [...(byColumn.get(baseline)?.keys() ?? [])].filter((item) => columns.every((c) => byColumn.get(c)!.has(item))).sort((a, b) => a - b);
  const correctOf = (column: string) => items.map((item) => byColumn.get(column)!.get(item)!.correct === true);
  const summaries = columns.map((column): ColumnSummary => {
    const cells = items.map((item) => byColumn.get(column)!.get(item)!);
    const correct = correctOf(column);
    const initial = cells.map((c) => c.initialCorrect);
    return {
      column,
      items: cells.length,
      accuracy: mean(correct.map(Number)),
      interval: bootstrapInterval(correct.map(Number), { seed: 7 }),
      failed: cells.filter((c) => c.status === "failed").length,
      meanPathTokens: mean(cells.map((c) => c.pathTokens)),
      meanTotalTokens: mean(cells.map((c) => c.totalTokens)),
      meanWallMs: mean(cells.map((c) => c.wallMs)),
      versusBaseline: column === baseline ? null : pairedComparison(correctOf(baseline), correct),
      transitions: initial.every((v) => v !== null) && cells.length ? transitions(initial as boolean[], correct) : null,
    };
  });
  return {
    baseline,
    columns: summaries,
    pareto: paretoFrontier(summaries.map((s) => ({ id: s.column, tokens: s.meanTotalTokens, accuracy: s.accuracy }))),
  };
}
