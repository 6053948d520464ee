// Runs an experiment's pending cells: workers, one per concurrent item, take cells in order from a queue that
// never forgets one (cell-queue.ts); pausing lets the cells in flight finish and starts no new one until resumed;
// stopping cancels the cells in flight, and a cell cut short gets its finished generations back from the
// experiment's generation cache when it runs again. An experiment that ends with cells not run, other than by being
// stopped, fails with their count.
import { join } from "node:path";
import type { MalformedRecord } from "../dataset.ts";
import type { RunDeps } from "../../runs/runner.ts";
import { GenerationCache } from "../../llm/generation-cache.ts";
import { EndpointPool, type EndpointLease, type EndpointStats } from "../endpoint-pool.ts";
import { runCell } from "./cell.ts";
import { CellQueue } from "./cell-queue.ts";
import { withDatasetStatistics } from "./prepass.ts";
import { pendingCells, prepareExperiment, readResults, ResultsWriter, type CellResult, type PreparedExperiment } from "./checkpoint.ts";
import { ExperimentError, type ExperimentConfig } from "./config.ts";
import { checkJudgeModels, judgeExperiment } from "./judging.ts";
import type { ModelBackend } from "../../llm/backend.ts";
import { cellKey, repeatsOf } from "../../protocol/cell-key.ts";

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

export interface ExperimentProgress {
  done: number;
  total: number;
  running: number;
  paused: boolean;
  etaSeconds: number;
  tokensPerSecond: number;
  cacheHits: number;
  skippedRecords: MalformedRecord[];
  /** Cells and throughput per endpoint, when models are on endpoints. */
  endpoints?: EndpointStats[];
}

/** Items a GPU runs at once by default: enough to keep it busy between one item's sequential steps. */
const GPU_ITEMS_AT_ONCE = 4;

/** Items at once when the user does not say: several on a GPU; on the CPU the cores are already busy with one. */
export function autoConcurrency(backend: string): number {
  return backend === "cpu" ? 1 : GPU_ITEMS_AT_ONCE;
}

export interface ExperimentOptions {
  /** Pause/resume/stop; `signal` alone also stops. */
  control?: ExperimentControl;
  signal?: AbortSignal;
  /** Items run at the same time on parallel sequences (default 1: strictly reproducible; remote models: the endpoints' concurrency). */
  concurrency?: number;
  /** Replay identical generations from <dir>/generation-cache.jsonl (default on). */
  cache?: boolean;
  onProgress?: (progress: ExperimentProgress) => void;
  deps?: RunDeps;
  /** prepareExperiment's result for this folder and config, when the caller already awaited it. */
  prepared?: PreparedExperiment;
  /** The jury's backends in order, in place of opening the judges' models (scripted tests). */
  judges?: ModelBackend[];
  /** The judging pass's progress (experiments with a grader), after the cells. */
  onJudging?: (done: number, total: number) => void;
}

export async function runExperiment(dir: string, config: ExperimentConfig, options: ExperimentOptions = {}): Promise<CellResult[]> {
  const { tasks, skipped, lanes } = options.prepared ?? (await prepareExperiment(dir, config));
  if (config.judging && !options.judges) await checkJudgeModels(config.judging);
  const control = options.control ?? new ExperimentControl();
  options.signal?.addEventListener("abort", () => control.stop(), { once: true });
  if (options.signal?.aborted) control.stop();
  const pool = await EndpointPool.forColumns(config.columns);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? pool?.slots ?? 1));
  const cache = options.cache === false ? undefined : new GenerationCache(join(dir, "generation-cache.jsonl"));
  // Dataset-wide statistics some strategies need (MAgICoRE) come first: a cheap run per item, replayed by the cells.
  const repeats = repeatsOf(config);
  const unfinished = new Set(pendingCells(dir, tasks, config.columns, repeats).map((cell) => cell.column.name));
  const columns = await withDatasetStatistics(config.columns, {
    dir,
    config,
    tasks,
    concurrency,
    lanes,
    signal: control.signal,
    cache,
    deps: options.deps,
    unfinished,
  }).catch((error: unknown) => {
    pool?.close();
    cache?.close();
    throw error;
  });
  if (!columns) {
    pool?.close();
    cache?.close();
    return readResults(dir);
  }
  const cells = pendingCells(dir, tasks, columns, repeats);
  const total = tasks.length * config.columns.length * repeats;
  let finished = total - cells.length;
  const firstFinished = finished;
  const started = performance.now();
  let tokens = 0;
  let running = 0;
  // Time spent paused counts toward neither the rate nor the ETA: the ETA stands still while paused.
  let pausedMs = 0;
  let pausedSince: number | null = null;
  const pausedNow = () => pausedMs + (pausedSince === null ? 0 : performance.now() - pausedSince);
  const progress = (): ExperimentProgress => {
    const elapsed = (performance.now() - started - pausedNow()) / 1000;
    const rate = (finished - firstFinished) / elapsed;
    return {
      done: finished,
      total,
      running,
      paused: control.paused,
      etaSeconds: rate > 0 ? (total - finished) / rate : Number.NaN,
      tokensPerSecond: elapsed > 0 ? tokens / elapsed : 0,
      cacheHits: cache?.hits ?? 0,
      skippedRecords: skipped,
      ...(pool ? { endpoints: pool.stats() } : {}),
    };
  };
  const unsubscribe = control.onChange(() => {
    if (control.paused && pausedSince === null) pausedSince = performance.now();
    else if (!control.paused && pausedSince !== null) {
      pausedMs += performance.now() - pausedSince;
      pausedSince = null;
    }
    options.onProgress?.(progress());
  });
  const writer = new ResultsWriter(dir);
  const queue = new CellQueue(cells, control.signal);
  const worker = async (slot: number) => {
    for (;;) {
      await control.whenRunning();
      const cell = await queue.take();
      if (!cell) return;
      running++;
      // The cell in flight counts as running from its start, not only once it is done.
      options.onProgress?.(progress());
      let settled = false;
      let lease: EndpointLease | null = null;
      try {
        // A pause that began while this worker waited for a cell holds the cell until resumed.
        await control.whenRunning();
        if (control.signal.aborted) return;
        lease = pool
          ? await pool.acquire(cell.column, control.signal).catch((error: unknown) => (control.signal.aborted ? null : Promise.reject(error)))
          : null;
        if (pool && !lease) return;
        const result = await runCell(cell, {
          dir,
          config,
          concurrency,
          lanes,
          slot,
          signal: control.signal,
          cache,
          deps: options.deps,
          ...(lease ? { models: lease } : {}),
        });
        // Its endpoint stopped answering: the cell goes back in the queue for another; its finished generations are cached.
        const moved = result?.status === "failed" && lease?.endpointFailed() === true;
        lease?.release(result?.totalTokens ?? 0, result !== undefined && !moved);
        if (result && !moved) {
          writer.append(result);
          settled = true;
          finished++;
          tokens += result.totalTokens;
        }
      } finally {
        lease?.release(0, false);
        running--;
        if (settled) queue.settle();
        else queue.putBack(cell);
      }
      if (settled) options.onProgress?.(progress());
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
    const results = readResults(dir);
    const done = settledCells(results, tasks.length, config.columns, repeats);
    if (failure) throw withCellCount(failure.reason, done, total);
    // Stopped on purpose, the rest runs on resume; otherwise every cell has its line, finished or failed with a reason.
    if (!control.signal.aborted && (done < total || queue.unsettled > 0))
      throw new ExperimentError(`${done} of ${total} cells done; ${total - done} never ran. Run again to resume them.`);
    // Judging waits for every cell: a pairwise comparison needs the baseline column's answer to the same item.
    // Stopped while judging: the cells judged so far are kept, the rest are judged on resume.
    if (config.judging && !control.signal.aborted)
      await judgeExperiment(dir, config, tasks, {
        signal: control.signal,
        concurrency,
        ...(options.judges ? { judges: options.judges } : {}),
        ...(options.onJudging ? { onProgress: options.onJudging } : {}),
      }).catch((error: unknown) => {
        if (!control.signal.aborted) throw error;
      });
    return results;
  } finally {
    pool?.close();
    unsubscribe();
    writer.close();
    cache?.close();
  }
}

/** Cells of this experiment that have their line in the checkpoint (a line of another column or item does not count). */
function settledCells(results: readonly CellResult[], items: number, columns: readonly { name: string }[], repeats: number): number {
  const names = new Set(columns.map((c) => c.name));
  return new Set(results.filter((r) => r.item < items && names.has(r.column) && (r.repeat ?? 0) < repeats).map(cellKey)).size;
}

/** The error that stopped the experiment, with how many cells it left without a result. */
function withCellCount(error: unknown, done: number, total: number): unknown {
  if (error instanceof Error && done < total) error.message += ` (${done} of ${total} cells done; ${total - done} not run. Run again to resume them.)`;
  return error;
}
