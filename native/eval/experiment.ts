// Experiments: a dataset slice × columns (a strategy with its parameters and an actor/critic pair), each cell a
// full run with its own log. results.jsonl is the checkpoint — one line per finished cell, synced — so a killed
// experiment resumes where it stopped and never redoes a finished cell; a cell cut short is run again, getting its
// finished generations back from the experiment's generation cache. Items run concurrently on parallel sequences
// when asked; pausing lets the cells in flight finish and starts no new one until resumed.
import { createHash } from "node:crypto";
import { closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { candidateIsCorrect } from "./checkers.ts";
import { loadDataset, type FieldMapping, type MalformedRecord } from "./dataset.ts";
import { executeRun, type ModelConfig, type RunDeps } from "../runs/runner.ts";
import { GenerationCache } from "../llm/generation-cache.ts";
import { specLabel } from "../llm/model-spec.ts";
import { EndpointPool, type EndpointLease, type EndpointStats } from "./endpoint-pool.ts";
import type { GpuChoice } from "../llm/runtime.ts";
import type { Task } from "../protocol/events.ts";
import { latestScore, type RunState } from "../protocol/state.ts";
import { getStrategy } from "../strategies/registry.ts";
import { resolveStrategyParams } from "../strategies/types.ts";
import { bootstrapInterval, mean, pairedComparison, paretoFrontier, transitions, type PairedComparison, type Transitions } from "./stats.ts";

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
export function columnsFor(strategies: ReadonlyArray<{ name: string; strategy: string; params?: Record<string, unknown> }>, pairs: readonly ModelPair[]): ExperimentColumn[] {
  if (!strategies.length) throw new ExperimentError("an experiment needs at least one strategy");
  if (!pairs.length) throw new ExperimentError("an experiment needs at least one actor model");
  const seen = new Map<string, number>();
  return pairs.flatMap((pair) =>
    strategies.map((s) => {
      const base = pairs.length > 1 ? `${s.name} @ ${pairLabel(pair)}` : s.name;
      const count = (seen.get(base) ?? 0) + 1;
      seen.set(base, count);
      return { name: count > 1 ? `${base}#${count}` : base, strategy: s.strategy, ...(s.params ? { params: s.params } : {}), actor: pair.actor, critic: pair.critic };
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
}

/** One candidate answer of a run (a draft, revision or distillate) in the order the run produced them. */
export interface TrajectoryPoint {
  iteration: number;
  /** All tokens the run had spent when this candidate was complete. */
  tokens: number;
  correct: boolean | null;
  /** The critic's latest score for this candidate (0–10), if it was scored. */
  score: number | null;
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
  /** Generations replayed from the cache instead of generated (their tokens still count in the totals). */
  cachedGenerations?: number;
  trajectory?: TrajectoryPoint[];
  failure?: string;
}

export interface ExperimentProgress {
  done: number;
  total: number;
  running: number;
  paused: boolean;
  etaSeconds: number;
  tokensPerSecond: number;
  cacheHits: number;
  skippedRecords: MalformedRecord[];
  /** Cells and throughput per endpoint, when the experiment spreads over several. */
  endpoints?: EndpointStats[];
}

export class ExperimentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExperimentError";
  }
}

/** Pause, resume and stop an experiment from outside (the CLI's keys, the UI's buttons). */
export class ExperimentControl {
  private readonly controller = new AbortController();
  private gate: { promise: Promise<void>; resolve: () => void } | null = null;
  private readonly listeners = new Set<() => void>();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get paused(): boolean {
    return this.gate !== null;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  pause(): void {
    if (this.gate || this.signal.aborted) return;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.gate = { promise, resolve };
    this.listeners.forEach((l) => l());
  }

  resume(): void {
    const gate = this.gate;
    this.gate = null;
    gate?.resolve();
    if (gate) this.listeners.forEach((l) => l());
  }

  /** Stops after the cells in flight are cancelled; the experiment resumes from its checkpoint later. */
  stop(): void {
    this.controller.abort();
    this.resume();
  }

  async whenRunning(): Promise<void> {
    while (this.gate) await this.gate.promise;
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

export function readExperimentConfig(dir: string): ExperimentConfig | null {
  try {
    return JSON.parse(readFileSync(join(dir, "experiment.json"), "utf8")) as ExperimentConfig;
  } catch {
    return null;
  }
}

const CANDIDATE_ROLES = new Set(["draft", "refine", "distill"]);

/** The run's candidates in the order it produced them, each with the tokens spent so far, checked and scored. */
export async function runTrajectory(state: RunState, task: Task): Promise<TrajectoryPoint[]> {
  const points: TrajectoryPoint[] = [];
  let spent = 0;
  for (const id of state.order) {
    const node = state.nodes[id]!;
    spent += node.tokensIn + node.tokensOut;
    if (!CANDIDATE_ROLES.has(node.role) || node.status !== "done" || node.model !== "actor") continue;
    points.push({ iteration: node.iteration, tokens: spent, correct: await candidateIsCorrect(task, node), score: latestScore(node, "critic")?.value ?? null });
  }
  return points;
}

/** The experiment's slice of its dataset, as configured (malformed records skipped only if it says so). */
export function loadExperimentDataset(config: ExperimentConfig, options: { skipMalformed?: boolean } = {}) {
  return loadDataset(config.dataset, { limit: config.limit, offset: config.offset, fields: config.fields, skipMalformed: options.skipMalformed ?? config.skipMalformed });
}

/** Items at once when the user does not say: several on a GPU; on the CPU the cores are already busy with one. */
export function autoConcurrency(backend: string): number {
  return backend === "cpu" ? 1 : 4;
}

export interface ExperimentOptions {
  /** Pause/resume/stop; `signal` alone also stops. */
  control?: ExperimentControl;
  signal?: AbortSignal;
  /** Items run at the same time on parallel sequences (default 1: strictly reproducible). */
  concurrency?: number;
  /** Replay identical generations from <dir>/generation-cache.jsonl (default on). */
  cache?: boolean;
  onProgress?: (progress: ExperimentProgress) => void;
  deps?: RunDeps;
  /** prepareExperiment's result for this folder and config, when the caller already awaited it. */
  prepared?: PreparedExperiment;
}

export interface PreparedExperiment {
  tasks: Task[];
  skipped: MalformedRecord[];
  /** Actor lanes of each column's strategy. */
  lanes: number[];
}

/**
 * Checks an experiment and sets up its folder (experiment.json, the dataset fingerprint), refusing a folder that
 * holds another experiment or a dataset edited since. Once this resolves the folder can be loaded, before any cell.
 */
export async function prepareExperiment(dir: string, config: ExperimentConfig): Promise<PreparedExperiment> {
  const names = new Set(config.columns.map((c) => c.name));
  if (names.size !== config.columns.length) throw new ExperimentError("column names must be unique");
  if (!config.columns.length) throw new ExperimentError("an experiment needs at least one column (strategy)");
  const lanes = config.columns.map((column) => {
    try {
      const strategy = getStrategy(column.strategy);
      return strategy.actorLanes(resolveStrategyParams(strategy, column.params ?? {}));
    } catch (error) {
      throw new ExperimentError(`column ${column.name}: ${(error as Error).message}`);
    }
  });
  const { tasks, skipped } = await loadExperimentDataset(config);
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, "experiment.json");
  // Cells are keyed by item index: a dataset edited since the start would pair old results with other items.
  const fingerprint = { sha256: createHash("sha256").update(JSON.stringify(tasks)).digest("hex"), items: tasks.length };
  const fingerprintPath = join(dir, "dataset-fingerprint.json");
  if (existsSync(configPath)) {
    const existing = readFileSync(configPath, "utf8");
    if (existing !== `${JSON.stringify(config, null, 2)}\n`) throw new ExperimentError(`${dir} holds a different experiment; resume it with its own settings or use another folder`);
    if (existsSync(fingerprintPath)) {
      const before = JSON.parse(readFileSync(fingerprintPath, "utf8")) as typeof fingerprint;
      if (before.sha256 !== fingerprint.sha256) {
        throw new ExperimentError(`the items of ${config.dataset} changed since this experiment started (${before.items} items then, ${fingerprint.items} now); finished cells would not match their items — restore the file or start a new experiment folder`);
      }
    }
  } else {
    writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  }
  if (!existsSync(fingerprintPath)) writeFileSync(fingerprintPath, `${JSON.stringify(fingerprint)}\n`);
  return { tasks, skipped, lanes };
}

export async function runExperiment(dir: string, config: ExperimentConfig, options: ExperimentOptions = {}): Promise<CellResult[]> {
  const { tasks, skipped, lanes } = options.prepared ?? (await prepareExperiment(dir, config));
  const control = options.control ?? new ExperimentControl();
  options.signal?.addEventListener("abort", () => control.stop(), { once: true });
  if (options.signal?.aborted) control.stop();
  const pool = await EndpointPool.forColumns(config.columns);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? pool?.slots ?? 1));
  const cache = options.cache === false ? undefined : new GenerationCache(join(dir, "generation-cache.jsonl"));
  const done = new Set(readResults(dir).map((r) => `${r.item}|${r.column}`));
  const cells = tasks
    .flatMap((task, item) => config.columns.map((column) => ({ task, item, column })))
    .filter((c) => !done.has(`${c.item}|${c.column.name}`));
  const total = tasks.length * config.columns.length;
  let finished = total - cells.length;
  const firstFinished = finished;
  const started = performance.now();
  let tokens = 0;
  let running = 0;
  const progress = (): ExperimentProgress => {
    const elapsed = (performance.now() - started) / 1000;
    const rate = (finished - firstFinished) / elapsed;
    return { done: finished, total, running, paused: control.paused, etaSeconds: rate > 0 ? (total - finished) / rate : Number.NaN, tokensPerSecond: elapsed > 0 ? tokens / elapsed : 0, cacheHits: cache?.hits ?? 0, skippedRecords: skipped, ...(pool ? { endpoints: pool.stats() } : {}) };
  };
  const unsubscribe = control.onChange(() => options.onProgress?.(progress()));
  const fd = openSync(join(dir, "results.jsonl"), "a");
  let next = 0;
  const runCell = async (slot: number, cell: (typeof cells)[number]): Promise<CellResult | "moved" | undefined> => {
    const lease = pool ? await pool.acquire(cell.column, control.signal) : null;
    try {
      const result = await runCellOn(slot, cell, lease);
      lease?.release(result?.totalTokens ?? 0, result !== undefined);
      // Its endpoint stopped answering: the cell goes to another one; what it finished is in the cache.
      if (result?.status === "failed" && lease?.endpointFailed()) return "moved";
      if (result) {
        writeSync(fd, `${JSON.stringify(result)}\n`);
        fdatasyncSync(fd);
        finished++;
        tokens += result.totalTokens;
      }
      return result;
    } finally {
      lease?.release(0, false);
    }
  };
  const runCellOn = async (slot: number, { task, item, column }: (typeof cells)[number], lease: EndpointLease | null) => {
    const runId = `${column.name}--${String(item).padStart(4, "0")}`;
    // A run folder without a checkpoint line was cut short: start that cell again from nothing.
    rmSync(join(dir, "runs", runId), { recursive: true, force: true });
    const cellStart = performance.now();
    const result = await executeRun(
      {
        strategy: column.strategy,
        params: column.params,
        actor: lease?.actor ?? column.actor,
        critic: lease?.critic ?? column.critic,
        task,
        seed: config.seed + item,
        outDir: join(dir, "runs"),
        runId,
        gpu: config.gpu,
        threads: config.threads,
        // One generation at a time within a run: a resumed experiment gives the same results as an uninterrupted one.
        parallel: false,
        maxTotalTokens: config.maxTotalTokens,
        // Loaded once for the widest column, with sequences for every concurrent item.
        concurrentRuns: concurrency,
        lanesAtLeast: Math.max(...lanes),
        laneScope: `item-slot-${slot}`,
        signal: control.signal,
      },
      { ...options.deps, generationCache: options.deps?.generationCache ?? cache },
    );
    const { state } = result;
    if (state.failure?.code === "cancelled") return;
    const trajectory = await runTrajectory(state, task);
    const cell: CellResult = {
      item,
      itemId: task.id ?? String(item),
      column: column.name,
      runId,
      status: state.status === "finished" ? "finished" : "failed",
      correct: state.correct,
      initialCorrect: trajectory[0]?.correct ?? null,
      answer: state.answer,
      pathTokens: state.budgets?.selectedPathTokens ?? 0,
      totalTokens: state.budgets?.totalTokens ?? state.order.reduce((s, id) => s + state.nodes[id]!.tokensIn + state.nodes[id]!.tokensOut, 0),
      wallMs: Math.round(performance.now() - cellStart),
      ...(cache ? { cachedGenerations: Object.values(state.nodes).filter((n) => n.cached).length } : {}),
      trajectory,
      ...(state.failure ? { failure: state.failure.reason } : {}),
    };
    return cell;
  };
  const worker = async (slot: number) => {
    for (;;) {
      await control.whenRunning();
      if (control.signal.aborted) return;
      const cell = cells[next++];
      if (!cell) return;
      running++;
      let result: CellResult | "moved" | undefined;
      try {
        result = await runCell(slot, cell);
      } finally {
        running--;
      }
      if (result === "moved") cells.push(cell);
      else if (result) options.onProgress?.(progress());
    }
  };
  try {
    // One worker failing (a model that no longer loads) stops the others; all settle before the checkpoint closes.
    const settled = await Promise.allSettled(
      Array.from({ length: Math.min(concurrency, Math.max(1, cells.length)) }, (_, slot) =>
        worker(slot).catch((error: unknown) => {
          control.stop();
          throw error;
        }),
      ),
    );
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failure) throw failure.reason;
  } finally {
    unsubscribe();
    closeSync(fd);
    cache?.close();
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
  tokensPerSecond: number;
  versusBaseline: PairedComparison | null;
  transitions: Transitions | null;
  /** Refinement dynamics: the k-th candidate of each run (draft, then revisions): its accuracy and mean critic score. */
  dynamics: Array<{ candidate: number; items: number; accuracy: number; meanScore: number | null }>;
}

export interface ExperimentSummary {
  baseline: string;
  columns: ColumnSummary[];
  /** Accuracy against mean total tokens; the frontier is what the PDR paper plots. */
  pareto: Array<{ id: string; tokens: number; accuracy: number }>;
  /**
   * Budget-matched comparison: at each column's mean total tokens B, every column's anytime accuracy — the answer
   * each run held when it had spent B tokens (its final answer if it finished within B, none before its first).
   */
  budgetMatched: Array<{ budget: number; accuracy: Record<string, number> }>;
}

export interface FieldBreakdown {
  field: string;
  rows: Array<{ value: string; items: number; accuracy: Record<string, number> }>;
}

/**
 * Accuracy per value of each categorical dataset field (MATH-500's level and subject, say): fields with 2 to 20
 * distinct values over the items every column finished.
 */
export function breakdownByField(results: readonly CellResult[], columns: readonly string[], itemFields: ReadonlyArray<Record<string, string>>): FieldBreakdown[] {
  const byKey = new Map(results.map((r) => [`${r.item}|${r.column}`, r]));
  const items = [...new Set(results.map((r) => r.item))].filter((item) => columns.every((c) => byKey.has(`${item}|${c}`))).sort((a, b) => a - b);
  const fields = [...new Set(items.flatMap((item) => Object.keys(itemFields[item] ?? {})))].sort();
  const breakdowns: FieldBreakdown[] = [];
  for (const field of fields) {
    const values = [...new Set(items.map((item) => itemFields[item]?.[field]).filter((v): v is string => v !== undefined))];
    if (values.length < 2 || values.length > 20) continue;
    values.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    breakdowns.push({
      field,
      rows: values.map((value) => {
        const matching = items.filter((item) => itemFields[item]?.[field] === value);
        return { value, items: matching.length, accuracy: Object.fromEntries(columns.map((c) => [c, mean(matching.map((item) => Number(byKey.get(`${item}|${c}`)!.correct === true)))])) };
      }),
    });
  }
  return breakdowns;
}

/** Whether a run's answer was right once it had spent `budget` tokens. */
export function correctWithin(cell: CellResult, budget: number): boolean {
  if (cell.totalTokens <= budget) return cell.correct === true;
  const reached = (cell.trajectory ?? []).filter((p) => p.tokens <= budget).at(-1);
  return reached?.correct === true;
}

function dynamicsOf(cells: readonly CellResult[]): ColumnSummary["dynamics"] {
  const longest = Math.max(0, ...cells.map((c) => c.trajectory?.length ?? 0));
  return Array.from({ length: longest }, (_, k) => {
    const points = cells.map((c) => c.trajectory?.[k]).filter((p): p is TrajectoryPoint => p !== undefined);
    const scores = points.map((p) => p.score).filter((v): v is number => v !== null);
    return { candidate: k, items: points.length, accuracy: mean(points.map((p) => Number(p.correct === true))), meanScore: scores.length ? mean(scores) : null };
  });
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
      tokensPerSecond: cells.reduce((sum, c) => sum + c.totalTokens, 0) / Math.max(1e-9, cells.reduce((sum, c) => sum + c.wallMs, 0) / 1000),
      versusBaseline: column === baseline ? null : pairedComparison(correctOf(baseline), correct),
      transitions: initial.every((v) => v !== null) && cells.length ? transitions(initial as boolean[], correct) : null,
      dynamics: dynamicsOf(cells),
    };
  });
  const budgets = [...new Set(summaries.map((s) => Math.round(s.meanTotalTokens)))].filter((b) => b > 0).sort((a, b) => a - b);
  return {
    baseline,
    columns: summaries,
    pareto: paretoFrontier(summaries.map((s) => ({ id: s.column, tokens: s.meanTotalTokens, accuracy: s.accuracy }))),
    budgetMatched: budgets.map((budget) => ({
      budget,
      accuracy: Object.fromEntries(columns.map((column) => [column, mean(items.map((item) => Number(correctWithin(byColumn.get(column)!.get(item)!, budget))))])),
    })),
  };
}
