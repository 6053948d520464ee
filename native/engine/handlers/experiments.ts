// Datasets and experiments: preview a dataset, start (or resume) one in the background, pause/resume/stop it, list and load experiment folders.
import { parseSamplingPolicy } from "../../protocol/sampling-policy.ts";
import { repeatsOf } from "../../protocol/cell-key.ts";
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Task } from "../../protocol/events.ts";
import { readDataset as readTasks } from "../../eval/dataset.ts";
import type { ExperimentInfo, ExperimentListing, ExperimentProgressEvent, ExportedFile } from "../../protocol/contract.ts";
import { exportExperiment as writeExports } from "../../eval/report.ts";
import {
  autoConcurrency,
  breakdownByField,
  buildExperimentConfig,
  ExperimentControl,
  ExperimentError,
  experimentCoverage,
  loadExperimentDataset,
  prepareExperiment,
  readExperimentConfig,
  readResults,
  runExperiment,
  summarizedResults,
  shownColumns,
  summaryOptions,
  type CellResult,
  type ExperimentConfig,
  type SummarizedResults,
} from "../../eval/experiment.ts";
import { plannedMemory } from "../../eval/experiment/planned-memory.ts";
import { readJudgements } from "../../eval/experiment/judging.ts";
import { judgedMark } from "../../eval/report.ts";
import { newRunId } from "../../runs/runner.ts";
import { sourceFor } from "../../llm/sources/registry.ts";
import { getStrategy } from "../../strategies/registry.ts";
import { resolveStrategyParams } from "../../strategies/types.ts";
import { JOB_KINDS } from "../../protocol/job-kinds.ts";
import { checkRoleModels, engineRuntime, type EngineContext, type ExperimentEntry, type ExperimentItems, type Input } from "./context.ts";

type GridCell = ExperimentInfo["results"][number];
// A checkpoint line as the grid gets it, made once per line read (the poll after a new cell reuses the others).
const gridCells = new WeakMap<CellResult, GridCell>();

function gridCell(cell: CellResult): GridCell {
  let made = gridCells.get(cell);
  if (!made) {
    const { trajectory, ...rest } = cell;
    made = { ...rest, candidates: trajectory?.length ?? 0 };
    gridCells.set(cell, made);
  }
  return made;
}

export async function loadExperiment(ctx: EngineContext, { path, baseline }: Input<"loadExperiment">): Promise<ExperimentInfo> {
  const config = readExperimentConfig(path);
  if (!config) throw new Error(`${path} is not an experiment folder (no experiment.json)`);
  const columns = shownColumns(config);
  if (baseline !== undefined && !columns.includes(baseline)) throw new Error(`no column '${baseline}' in this experiment`);
  const summarized = summarizedResults(path, columns, baseline ?? columns[0], summaryOptions(config));
  const dataset = await datasetFields(ctx, config);
  // The compare view polls while cells finish: between two appends the answer is the one already built.
  let view = ctx.experimentViews.get(summarized);
  if (view?.fields !== dataset) {
    view = { fields: dataset, info: experimentView(path, config, summarized, dataset) };
    ctx.experimentViews.set(summarized, view);
  }
  return { ...view.info, progress: ctx.experiments.get(resolve(path))?.progress ?? null };
}

function experimentView(
  path: string,
  config: ExperimentConfig,
  { results, summary }: SummarizedResults,
  items: ExperimentItems | null,
): Omit<ExperimentInfo, "progress"> {
  const dataset = items?.fields ?? null;
  const columns = shownColumns(config);
  return {
    path: resolve(path),
    columns,
    dataset: config.dataset,
    results: results.map(gridCell),
    summary,
    itemFields: Object.fromEntries((dataset ?? []).map((fields, item) => [item, fields])),
    itemTexts: Object.fromEntries((items?.texts ?? []).map((text, item) => [item, text])),
    breakdowns: dataset ? breakdownByField(results, columns, dataset) : [],
    coverage: experimentCoverage(path, config, results),
    plannedMemory: plannedMemory(path, results),
    judgedMarks: Object.fromEntries(readJudgements(path).map((cell) => [`${cell.item}|${cell.column}`, judgedMark(cell)])),
  };
}

/** Whether an experiment's last report leaves it running, by the job table's rule for its end. */
function isRunning(entry: ExperimentEntry | undefined): entry is ExperimentEntry {
  return entry !== undefined && !JOB_KINDS.experiment.ends(entry.progress);
}

export async function startExperiment(ctx: EngineContext, input: Input<"startExperiment">): Promise<{ path: string; total: number; done: number }> {
  const path = resolve(input.out ?? join(ctx.options.runsDir, "..", "experiments", newRunId("experiment")));
  if (isRunning(ctx.experiments.get(path))) throw new ExperimentError(`${path} is already running`);
  const config = readExperimentConfig(path) ?? (await newExperimentConfig(ctx, input));
  // Refuse a malformed dataset or a folder holding another experiment in the call itself; once it answers, the
  // folder loads (the UI opens it at once).
  const prepared = await prepareExperiment(path, config);
  // No model loaded here: each endpoint's concurrency decides (the experiment's endpoint pool).
  const remoteOnly = config.columns.every((c) => !sourceFor(c.actor.path).loadsLocally && !sourceFor(c.critic.path).loadsLocally);
  const concurrency = input.concurrency ?? (remoteOnly ? undefined : autoConcurrency((await engineRuntime(ctx)).report.active));
  const control = new ExperimentControl();
  const total = prepared.tasks.length * config.columns.length * repeatsOf(config);
  const entry = {
    control,
    progress: {
      type: "experiment-progress" as const,
      path,
      state: "running" as const,
      done: 0,
      total,
      running: 0,
      etaSeconds: null,
      tokensPerSecond: 0,
      cacheHits: 0,
      skippedRecords: 0,
    } as ExperimentProgressEvent,
  };
  ctx.experiments.set(path, entry);
  ctx.jobs.add("experiment", path, () => control.stop());
  const publish = (update: Partial<ExperimentProgressEvent>) => {
    entry.progress = { ...entry.progress, ...update };
    ctx.options.emit(entry.progress);
  };
  const done = readResults(path).length;
  publish({ done });
  void runExperiment(path, config, {
    prepared,
    control,
    concurrency,
    cache: input.cache ?? true,
    onProgress: (p) =>
      publish({
        state: p.paused ? "paused" : "running",
        done: p.done,
        total: p.total,
        running: p.running,
        etaSeconds: Number.isFinite(p.etaSeconds) ? p.etaSeconds : null,
        tokensPerSecond: p.tokensPerSecond,
        cacheHits: p.cacheHits,
        skippedRecords: p.skippedRecords.length,
        ...(p.endpoints
          ? { endpoints: p.endpoints.map(({ endpoint, done, running, tokensPerSecond, down }) => ({ endpoint, done, running, tokensPerSecond, down })) }
          : {}),
      }),
  })
    .then((results) => publish({ state: control.signal.aborted ? "stopped" : "finished", done: results.length, running: 0 }))
    .catch((error: Error) => publish({ state: "failed", running: 0, error: error.message }))
    .finally(() => ctx.jobs.finish(path));
  return { path, total, done };
}

async function newExperimentConfig(ctx: EngineContext, input: Input<"startExperiment">): Promise<ExperimentConfig> {
  if (!input.dataset || !input.columns || !input.pairs) throw new ExperimentError("a new experiment needs a dataset, at least one strategy and an actor model");
  const pairs = input.pairs.map((pair) => ({ actor: pair.actor, critic: pair.critic ?? { path: pair.actor.path } }));
  const config = await buildExperimentConfig({
    ...input,
    sampling: input.sampling === undefined ? undefined : parseSamplingPolicy(input.sampling, "sampling"),
    dataset: resolve(input.dataset),
    strategies: input.columns,
    pairs,
    gpu: ctx.options.gpu,
    threads: ctx.options.threads,
  });
  for (const column of config.columns) resolveStrategyParams(getStrategy(column.strategy), column.params ?? {});
  for (const pair of pairs) await checkRoleModels(pair);
  return config;
}

export async function controlExperiment(
  ctx: EngineContext,
  { path, action }: Input<"controlExperiment">,
): Promise<{ state: ExperimentProgressEvent["state"] }> {
  const entry = ctx.experiments.get(resolve(path));
  if (!entry || !isRunning(entry)) throw new Error(`no experiment is running in ${path}`);
  if (action === "pause") entry.control.pause();
  else if (action === "resume") entry.control.resume();
  else entry.control.stop();
  return { state: action === "stop" ? "stopped" : entry.control.paused ? "paused" : "running" };
}

export async function exportExperiment(_ctx: EngineContext, { path, baseline, formats }: Input<"exportExperiment">): Promise<{ files: ExportedFile[] }> {
  return { files: await writeExports(path, formats, baseline) };
}

export async function listExperiments(ctx: EngineContext, _input: Input<"listExperiments">): Promise<ExperimentListing[]> {
  const root = resolve(ctx.options.runsDir, "..", "experiments");
  const names = await readdir(root).catch(() => [] as string[]);
  const paths = new Set([...names.map((name) => join(root, name)), ...ctx.experiments.keys()]);
  const listings: ExperimentListing[] = [];
  for (const path of paths) {
    const config = readExperimentConfig(path);
    if (!config) continue;
    const modified = await stat(join(path, "experiment.json")).then(
      (s) => s.mtime,
      () => new Date(0),
    );
    const results = await stat(join(path, "results.jsonl")).then(
      (s) => s.mtime,
      () => modified,
    );
    const progress = ctx.experiments.get(path)?.progress;
    const checkpointed = readResults(path).length;
    listings.push({
      path,
      dataset: config.dataset,
      columns: shownColumns(config),
      // While this engine runs it, its own count: the checkpoint lags the cells in flight.
      done: progress ? Math.max(progress.done, checkpointed) : checkpointed,
      total: progress?.total ?? null,
      modifiedAt: new Date(Math.max(results.getTime(), modified.getTime())).toISOString(),
      state: progress?.state ?? null,
    });
  }
  return listings.sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt));
}

/**
 * An experiment's dataset fields for the grid's filter and breakdowns, read once per version of the file: the
 * compare view reloads several times a second while an experiment runs. A dataset moved away only loses them.
 */
async function datasetFields(ctx: EngineContext, config: ExperimentConfig): Promise<ExperimentItems | null> {
  const mtime = await stat(config.dataset).then(
    (s) => s.mtimeMs,
    () => null,
  );
  if (mtime === null) return null;
  const key = JSON.stringify([config.dataset, config.limit, config.offset, config.fields, mtime]);
  let fields = ctx.datasetFieldCache.get(key);
  if (!fields) {
    fields = loadExperimentDataset(config, { skipMalformed: true }).then(
      (d) => ({ fields: d.fields, texts: d.tasks.map((task) => ({ question: task.question, reference: task.reference ?? null })) }),
      () => null,
    );
    ctx.datasetFieldCache.clear();
    ctx.datasetFieldCache.set(key, fields);
  }
  return fields;
}

export async function readDataset(_ctx: EngineContext, { path, limit, skipMalformed }: Input<"readDataset">): Promise<Task[]> {
  return readTasks(path, { ...(limit ? { limit } : {}), ...(skipMalformed ? { skipMalformed } : {}) });
}
