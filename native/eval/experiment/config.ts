// An experiment's configuration: a dataset slice × columns (a strategy with its parameters and an actor/critic
// pair). One builder serves the CLI and the engine, so both write the same experiment.json for the same request.
import type { SamplingPolicy } from "../../protocol/sampling-policy.ts";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { loadDataset, type FieldMapping } from "../dataset.ts";
import type { ModelConfig } from "../../runs/runner.ts";
import { specLabel } from "../../protocol/model-spec.ts";
import type { GpuChoice } from "../../llm/runtime.ts";
import { specName } from "../../protocol/strategy-spec.ts";
import { presetToRun, readPreset } from "../../strategies/pipeline.ts";

export interface ExperimentColumn {
  name: string;
  strategy: string;
  params?: Record<string, unknown>;
  actor: ModelConfig;
  critic: ModelConfig;
}

export interface ModelPair {
  actor: ModelConfig;
  critic: ModelConfig;
}

/** What a pair is called in column names: the actor file, "+ critic" when the critic is another file. */
export function pairLabel(pair: ModelPair): string {
  const name = (path: string) => specLabel(path);
  return pair.critic.path === pair.actor.path ? name(pair.actor.path) : `${name(pair.actor.path)}+${name(pair.critic.path)}`;
}

/**
 * Columns for strategies × model pairs. With one pair the strategy names stand alone; with several each column
 * is "<strategy> @ <pair>". Names are made unique (#2, #3…) so two spellings of one strategy can sit side by side.
 */
export function columnsFor(
  strategies: ReadonlyArray<{ name: string; strategy: string; params?: Record<string, unknown> }>,
  pairs: readonly ModelPair[],
): ExperimentColumn[] {
  if (!strategies.length) throw new ExperimentError("an experiment needs at least one strategy");
  if (!pairs.length) throw new ExperimentError("an experiment needs at least one actor model");
  const seen = new Map<string, number>();
  return pairs.flatMap((pair) =>
    strategies.map((s) => {
      const base = pairs.length > 1 ? `${s.name} @ ${pairLabel(pair)}` : s.name;
      const count = (seen.get(base) ?? 0) + 1;
      seen.set(base, count);
      return {
        name: count > 1 ? `${base}#${count}` : base,
        strategy: s.strategy,
        ...(s.params ? { params: s.params } : {}),
        actor: pair.actor,
        critic: pair.critic,
      };
    }),
  );
}

export interface ExperimentConfig {
  dataset: string;
  limit?: number;
  offset?: number;
  fields?: FieldMapping;
  skipMalformed?: boolean;
  columns: ExperimentColumn[];
  seed: number;
  gpu?: GpuChoice;
  threads?: number;
  maxTotalTokens?: number;
  /** Omitted: "paper" (each strategy's documented temperatures). */
  sampling?: SamplingPolicy;
}

export class ExperimentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExperimentError";
  }
}

export function readExperimentConfig(dir: string): ExperimentConfig | null {
  try {
    return JSON.parse(readFileSync(join(dir, "experiment.json"), "utf8")) as ExperimentConfig;
  } catch {
    return null;
  }
}

/** The experiment's slice of its dataset, as configured (malformed records skipped only if it says so). */
export function loadExperimentDataset(config: ExperimentConfig, options: { skipMalformed?: boolean } = {}) {
  return loadDataset(config.dataset, {
    limit: config.limit,
    offset: config.offset,
    fields: config.fields,
    skipMalformed: options.skipMalformed ?? config.skipMalformed,
  });
}

/** A column before it is paired with models: a strategy with parameters, named. */
export interface StrategyColumn {
  name: string;
  strategy: string;
  params?: Record<string, unknown>;
}

/** A preset file (a strategy with parameters, or a pipeline) as a column named by the preset. */
export async function columnFromPreset(path: string): Promise<StrategyColumn> {
  const preset = await readPreset(path);
  const { strategy, params } = presetToRun(preset);
  return { name: preset.name, strategy, params };
}

/** What a new experiment is asked for, from the CLI's flags or the engine's request. */
export interface ExperimentRequest {
  dataset: string;
  limit?: number;
  offset?: number;
  fields?: FieldMapping;
  skipMalformed?: boolean;
  /** Strategies (named or not) and preset files, each run with each pair. */
  strategies: ReadonlyArray<{ preset: string } | { name?: string; strategy: string; params?: Record<string, unknown> }>;
  pairs: readonly ModelPair[];
  seed?: number;
  gpu?: GpuChoice;
  threads?: number;
  maxTotalTokens?: number;
  sampling?: SamplingPolicy;
}

export async function buildExperimentConfig(request: ExperimentRequest): Promise<ExperimentConfig> {
  const strategies = await Promise.all(
    request.strategies.map(async (column): Promise<StrategyColumn> => {
      if ("preset" in column) return columnFromPreset(column.preset);
      return { name: column.name ?? specName(column.strategy, column.params), strategy: column.strategy, ...(column.params ? { params: column.params } : {}) };
    }),
  );
  return {
    dataset: request.dataset,
    ...(request.limit ? { limit: request.limit } : {}),
    ...(request.offset ? { offset: request.offset } : {}),
    ...(request.fields ? { fields: request.fields } : {}),
    ...(request.skipMalformed ? { skipMalformed: true } : {}),
    columns: columnsFor(strategies, request.pairs),
    seed: request.seed ?? 0,
    ...(request.gpu ? { gpu: request.gpu } : {}),
    ...(request.threads ? { threads: request.threads } : {}),
    ...(request.maxTotalTokens ? { maxTotalTokens: request.maxTotalTokens } : {}),
    // Paper is the default and is left out, so experiment.json of earlier experiments still matches on resume.
    ...(request.sampling && request.sampling.kind !== "paper" ? { sampling: request.sampling } : {}),
  };
}
