// Dataset pre-passes: a strategy that needs statistics over the whole dataset before any item runs (MAgICoRE's
// dataset-wide reward mean and std) declares a cheap run per item; its results become parameters of every cell of
// that column. They are kept in prepass.json, so a resumed experiment gives its cells the same parameters.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { GenerationCache } from "../../llm/generation-cache.ts";
import type { Task } from "../../protocol/events.ts";
import type { RunState } from "../../protocol/state.ts";
import { executeRun, type RunDeps } from "../../runs/runner.ts";
import { itemRunConfig } from "./run-config.ts";
import { getStrategy } from "../../strategies/registry.ts";
import { resolveStrategyParams } from "../../strategies/types.ts";
import type { ExperimentColumn, ExperimentConfig } from "./config.ts";

export interface PrepassSetting {
  dir: string;
  config: ExperimentConfig;
  tasks: readonly Task[];
  concurrency: number;
  lanes: readonly number[];
  signal: AbortSignal;
  cache?: GenerationCache;
  deps?: RunDeps;
  /** Columns with cells still to run: a finished column needs no pre-pass. */
  unfinished: ReadonlySet<string>;
}

type Saved = Record<string, Record<string, number>>;

const savedPath = (dir: string) => join(dir, "prepass.json");
const readSaved = (dir: string): Saved => (existsSync(savedPath(dir)) ? (JSON.parse(readFileSync(savedPath(dir), "utf8")) as Saved) : {});

async function runPrepass(column: ExperimentColumn, params: Record<string, unknown>, setting: PrepassSetting): Promise<RunState[] | null> {
  const states: RunState[] = [];
  for (const [item, task] of setting.tasks.entries()) {
    const result = await executeRun(
      itemRunConfig({
        column,
        item,
        task,
        config: setting.config,
        concurrency: setting.concurrency,
        lanes: setting.lanes,
        outDir: join(setting.dir, "prepass"),
        runId: `${column.name}--${String(item).padStart(4, "0")}`,
        slot: 0,
        signal: setting.signal,
        params,
      }),
      { ...setting.deps, generationCache: setting.deps?.generationCache ?? setting.cache },
    );
    if (result.state.failure?.code === "cancelled") return null;
    states.push(result.state);
  }
  return states;
}

/**
 * The columns with their pre-pass parameters filled in (columns that need none unchanged); null when the
 * experiment was stopped during a pre-pass.
 */
export async function withDatasetStatistics(columns: readonly ExperimentColumn[], setting: PrepassSetting): Promise<ExperimentColumn[] | null> {
  const saved = readSaved(setting.dir);
  const out: ExperimentColumn[] = [];
  for (const column of columns) {
    const strategy = getStrategy(column.strategy);
    const prepass = strategy.datasetPrepass;
    const params = resolveStrategyParams(strategy, column.params ?? {});
    if (!prepass?.needed(params) || !setting.unfinished.has(column.name)) {
      out.push(column);
      continue;
    }
    let stats = saved[column.name];
    if (!stats) {
      const states = await runPrepass(column, prepass.params(params), setting);
      if (!states) return null;
      stats = prepass.fold(states, params);
      saved[column.name] = stats;
      writeFileSync(savedPath(setting.dir), `${JSON.stringify(saved, null, 2)}\n`);
    }
    out.push({ ...column, params: { ...column.params, ...stats } });
  }
  return out;
}
