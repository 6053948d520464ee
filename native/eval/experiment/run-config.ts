// The run request of an experiment's run on one item (the RunConfig itself comes from runs/run-config.ts), written once for the cell and for its pre-pass run: the
// pre-pass generations are the ones the cell asks for first (same seed, sampling policy, lanes and load), so the
// cell replays them from the shared cache instead of generating them again.
import type { Task } from "../../protocol/events.ts";
import { runConfigFrom } from "../../runs/run-config.ts";
import type { ModelConfig, RunConfig } from "../../runs/runner.ts";
import type { ExperimentColumn, ExperimentConfig } from "./config.ts";

export interface ItemRun {
  column: ExperimentColumn;
  item: number;
  /** Repeat r runs the item as if the experiment started with seed + r; the generation cache keys on the seed too. */
  repeat?: number;
  task: Task;
  config: ExperimentConfig;
  /** Items run at once: the models are loaded with sequences for each. */
  concurrency: number;
  /** Actor lanes of each column's strategy: loaded once for the widest. */
  lanes: readonly number[];
  /** The run's folder (its parent), its id and its lane slot among the concurrent items. */
  outDir: string;
  runId: string;
  slot: number;
  signal: AbortSignal;
  /** Parameters in place of the column's (a pre-pass's own). */
  params?: Record<string, unknown>;
  /** The endpoint pool's choice of replica, in place of the column's models. */
  models?: { actor: ModelConfig; critic: ModelConfig };
}

export function itemRunConfig(run: ItemRun): RunConfig {
  const { column, config } = run;
  return runConfigFrom(
    {
      strategy: column.strategy,
      params: run.params ?? column.params,
      actor: run.models?.actor ?? column.actor,
      critic: run.models?.critic ?? column.critic,
      task: run.task,
      seed: config.seed + run.item + (run.repeat ?? 0),
      // One generation at a time within a run: a resumed experiment gives the same results as an uninterrupted one.
      parallel: false,
      maxTotalTokens: config.maxTotalTokens,
    },
    {
      outDir: run.outDir,
      runId: run.runId,
      gpu: config.gpu,
      threads: config.threads,
      ...(config.sampling ? { samplingPolicy: config.sampling } : {}),
      concurrentRuns: run.concurrency,
      lanesAtLeast: Math.max(...run.lanes),
      laneScope: `item-slot-${run.slot}`,
      signal: run.signal,
      keepUnusedCritic: true,
    },
  );
}
