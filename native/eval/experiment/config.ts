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
import type { GraderKind } from "../../protocol/experiment-results.ts";
import { CHECKLIST_CALLS, type ChecklistCalls, GRADER_KINDS } from "../judges/graders.ts";

export interface ExperimentColumn {
  name: string;
  strategy: string;
  params?: Record<string, unknown>;
  actor: ModelConfig;
  critic: ModelConfig;
  /** Run only for the sampling frontier (`--frontier n`): not a column of the tables, the plots' points or the grid. */
  frontierOnly?: true;
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

/** A judge model grades each cell's answer after the cells ran (open-ended tasks, where no checker can). */
export interface JudgingConfig {
  grader: GraderKind;
  /** The jury, in order (one judge or several). */
  judges: ModelConfig[];
  /** Pairwise: the column every other column is compared with, or "reference" (the item's reference answer). */
  baseline?: string;
  /** Tokens a judge may write per call (its reasoning and verdict); omitted: 768. */
  maxTokens?: number;
  /** Checklist: every criterion in one structured call (omitted) or one call per criterion. */
  checklistCalls?: ChecklistCalls;
}

export interface ExperimentConfig {
  dataset: string;
  limit?: number;
  offset?: number;
  fields?: FieldMapping;
  skipMalformed?: boolean;
  columns: ExperimentColumn[];
  seed: number;
  /** Seeds each (item, column) runs with (seed, seed + 1, …); omitted: 1. */
  repeats?: number;
  /** Samples of the hidden self-consistency column added for the frontier (its column is marked frontierOnly). */
  frontier?: number;
  gpu?: GpuChoice;
  threads?: number;
  maxTotalTokens?: number;
  /** Omitted: "paper" (each strategy's documented temperatures). */
  sampling?: SamplingPolicy;
  judging?: JudgingConfig;
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
  repeats?: number;
  /** n: add a hidden n-sample self-consistency column per model pair, used only for the sampling frontier. */
  frontier?: number;
  gpu?: GpuChoice;
  threads?: number;
  maxTotalTokens?: number;
  sampling?: SamplingPolicy;
  /** Judges (model specs, a jury when several) and the grader they use; baseline for pairwise grading. */
  judging?: { grader: string; judges: readonly string[]; baseline?: string; maxTokens?: number; checklistCalls?: string };
}

/** The judging part of a request, checked against the experiment's columns. */
export function judgingConfig(request: NonNullable<ExperimentRequest["judging"]>, columns: readonly ExperimentColumn[]): JudgingConfig {
  const grader = request.grader as GraderKind;
  if (!GRADER_KINDS.includes(grader)) throw new ExperimentError(`the grader must be one of ${GRADER_KINDS.join(", ")}, got '${request.grader}'`);
  if (!request.judges.length) throw new ExperimentError(`the ${grader} grader needs at least one judge model (--judge <model>)`);
  if (request.baseline !== undefined && grader !== "pairwise")
    throw new ExperimentError(`a baseline is for the pairwise grader; the ${grader} grader judges each answer alone`);
  const checklistCalls = request.checklistCalls as ChecklistCalls | undefined;
  if (checklistCalls !== undefined && grader !== "checklist")
    throw new ExperimentError(`checklist calls are for the checklist grader; the ${grader} grader has no criteria to split`);
  if (checklistCalls !== undefined && !CHECKLIST_CALLS.includes(checklistCalls))
    throw new ExperimentError(`checklist calls must be ${CHECKLIST_CALLS.join(" or ")}, got '${request.checklistCalls}'`);
  const names = columns.map((c) => c.name);
  if (request.baseline !== undefined && request.baseline !== "reference" && !names.includes(request.baseline))
    throw new ExperimentError(`the pairwise baseline must be one of the columns (${names.join(", ")}) or "reference", got '${request.baseline}'`);
  // Without a baseline named: the first column when there are others to compare with it, else the reference answers.
  const baseline = grader === "pairwise" ? (request.baseline ?? (columns.length > 1 ? names[0]! : "reference")) : undefined;
  return {
    grader,
    judges: request.judges.map((path) => ({ path })),
    ...(baseline ? { baseline } : {}),
    ...(request.maxTokens ? { maxTokens: request.maxTokens } : {}),
    ...(checklistCalls ? { checklistCalls } : {}),
  };
}

export async function buildExperimentConfig(request: ExperimentRequest): Promise<ExperimentConfig> {
  if (request.judging && request.repeats && request.repeats > 1)
    throw new ExperimentError(`judges grade one seed per cell: run a judged experiment with one repeat (got ${request.repeats})`);
  const strategies = await Promise.all(
    request.strategies.map(async (column): Promise<StrategyColumn> => {
      if ("preset" in column) return columnFromPreset(column.preset);
      return { name: column.name ?? specName(column.strategy, column.params), strategy: column.strategy, ...(column.params ? { params: column.params } : {}) };
    }),
  );
  const columns = columnsFor(strategies, request.pairs);
  return {
    dataset: request.dataset,
    ...(request.limit ? { limit: request.limit } : {}),
    ...(request.offset ? { offset: request.offset } : {}),
    ...(request.fields ? { fields: request.fields } : {}),
    ...(request.skipMalformed ? { skipMalformed: true } : {}),
    columns: [...columns, ...frontierColumns(request.frontier, request.pairs)],
    seed: request.seed ?? 0,
    // One repeat is left out, so experiment.json of experiments started before repeats still matches on resume.
    ...(request.repeats && request.repeats > 1 ? { repeats: request.repeats } : {}),
    ...(request.frontier ? { frontier: request.frontier } : {}),
    ...(request.gpu ? { gpu: request.gpu } : {}),
    ...(request.threads ? { threads: request.threads } : {}),
    ...(request.maxTotalTokens ? { maxTotalTokens: request.maxTotalTokens } : {}),
    // Paper is the default and is left out, so experiment.json of earlier experiments still matches on resume.
    ...(request.sampling && request.sampling.kind !== "paper" ? { sampling: request.sampling } : {}),
    ...(request.judging ? { judging: judgingConfig(request.judging, columns) } : {}),
  };
}

/** What the hidden frontier column is called: a name no strategy spec produces, so it cannot meet a shown column's. */
export function frontierColumnName(n: number, pair: ModelPair, pairs: number): string {
  const base = `sampling frontier (self-consistency, n=${n})`;
  return pairs > 1 ? `${base} @ ${pairLabel(pair)}` : base;
}

/** `--frontier n`: an n-sample self-consistency column per pair, run only to draw the sampling frontier. */
function frontierColumns(n: number | undefined, pairs: readonly ModelPair[]): ExperimentColumn[] {
  if (!n) return [];
  if (!Number.isInteger(n) || n < 2) throw new ExperimentError(`the frontier needs at least 2 samples per item (got ${n})`);
  return pairs.map((pair) => ({
    name: frontierColumnName(n, pair, pairs.length),
    strategy: "self-consistency",
    params: { n },
    actor: pair.actor,
    critic: pair.critic,
    frontierOnly: true as const,
  }));
}

/** The columns the tables, plots and grid show: every column but the frontier's hidden ones. */
export function shownColumns(config: Pick<ExperimentConfig, "columns">): string[] {
  return config.columns.filter((c) => !c.frontierOnly).map((c) => c.name);
}

/** How an experiment is summarized: its repeats, and the hidden columns that only feed the frontier. */
export function summaryOptions(config: Pick<ExperimentConfig, "columns" | "repeats">): { repeats: number; frontierOnly: string[] } {
  return { repeats: config.repeats ?? 1, frontierOnly: config.columns.filter((c) => c.frontierOnly).map((c) => c.name) };
}
