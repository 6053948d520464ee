// An experiment folder is its own checkpoint: experiment.json and the dataset fingerprint are written before the
// first cell, results.jsonl gets one synced line per finished cell, so a killed experiment resumes where it stopped
// and never redoes a finished cell.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { MalformedRecord } from "../dataset.ts";
import { writeFileAtomicSync } from "../../util/atomic-write.ts";
import { JsonlAppender, readJsonlFile, type JsonlContents, type RecordCheck } from "../../util/jsonl.ts";
import type { Task } from "../../protocol/events.ts";
import { getStrategy } from "../../strategies/registry.ts";
import { resolveStrategyParams } from "../../strategies/types.ts";
import type { CellResult } from "../../protocol/experiment-results.ts";
import { cellCoverage, type CellCoverage } from "../../protocol/cell-coverage.ts";
import { cellKey, repeatsOf } from "../../protocol/cell-key.ts";
import { longestSecondTurn, SECOND_TURN_SUFFIX } from "./second-turn.ts";
import { ExperimentError, loadExperimentDataset, type ExperimentColumn, type ExperimentConfig } from "./config.ts";

export type { CellResult, TrajectoryPoint } from "../../protocol/experiment-results.ts";

export const isCellResult: RecordCheck = (value) => {
  const cell = value as CellResult;
  return typeof cell.item === "number" && typeof cell.column === "string" && typeof cell.runId === "string" ? null : "not a cell result";
};

/** The checkpoint with what could not be read: a line cut by a crash (that cell runs again) or a damaged one. */
export function readCheckpoint(dir: string): JsonlContents<CellResult> {
  return readJsonlFile<CellResult>(join(dir, "results.jsonl"), isCellResult);
}

export function readResults(dir: string): CellResult[] {
  return readCheckpoint(dir).records;
}

export interface PendingCell {
  task: Task;
  item: number;
  column: ExperimentColumn;
  /** Which seed of the item: the run's seed is the experiment's + item + repeat. */
  repeat: number;
}

/**
 * The cells asked for against those with a result. The item count comes from the dataset fingerprint written at
 * the start (the dataset itself may have moved); a folder without one counts the items its results name.
 */
export function experimentCoverage(dir: string, config: ExperimentConfig, results: readonly CellResult[]): CellCoverage {
  let items: number | null = null;
  try {
    const fingerprint = JSON.parse(readFileSync(join(dir, "dataset-fingerprint.json"), "utf8")) as { items?: unknown };
    if (typeof fingerprint.items === "number") items = fingerprint.items;
  } catch {
    // No fingerprint: fall back to the results.
  }
  items ??= results.length ? Math.max(...results.map((r) => r.item)) + 1 : 0;
  return cellCoverage(
    results,
    items,
    config.columns.map((c) => c.name),
    repeatsOf(config),
  );
}

/**
 * The cells results.jsonl does not hold yet, item by item (an item's repeats together, so a partial experiment's
 * summary grows by whole items).
 */
export function pendingCells(dir: string, tasks: readonly Task[], columns: readonly ExperimentColumn[], repeats = 1): PendingCell[] {
  const done = new Set(readResults(dir).map(cellKey));
  return tasks
    .flatMap((task, item) => Array.from({ length: repeats }, (_, repeat) => columns.map((column) => ({ task, item, column, repeat }))).flat())
    .filter((c) => !done.has(cellKey({ item: c.item, column: c.column.name, repeat: c.repeat })));
}

/**
 * Appends finished cells to results.jsonl, each synced before the cell counts as done. Opening cuts a line torn by
 * a crash, so the next result never lands on it; a full disk throws DiskFullError and leaves whole lines only.
 */
export class ResultsWriter {
  private readonly file: JsonlAppender;

  constructor(dir: string) {
    this.file = new JsonlAppender(join(dir, "results.jsonl"), isCellResult);
  }

  append(cell: CellResult): void {
    this.file.append(cell);
  }

  close(): void {
    this.file.close();
  }
}

/**
 * Refuses, before any cell, an experiment with a column whose longest conversation (on its longest item) cannot fit
 * the context its models would get: otherwise every cell of that column would fail one by one.
 */
async function refuseColumnsThatCannotFit(config: ExperimentConfig, tasks: readonly Task[]): Promise<void> {
  const longest = tasks.reduce<Task | undefined>((a, b) => (!a || b.question.length > a.question.length ? b : a), undefined);
  if (!longest) return;
  // Loaded here, not at the top: reading a checkpoint (report, the compare view's poll) needs no runner.
  const { contextRefusal } = await import("../../runs/runner.ts");
  const { runConfigFrom } = await import("../../runs/run-config.ts");
  for (const column of config.columns) {
    const { strategy, params, actor, critic } = column;
    const configFor = (task: Task) => runConfigFrom({ strategy, params, actor, critic, task }, { outDir: "", keepUnusedCritic: true });
    const refusal = await contextRefusal(configFor(longest));
    if (refusal) throw new ExperimentError(`column ${column.name} cannot run on the longest item (${longest.id ?? "its question"}): ${refusal.message}`);
    // A second turn's prompt carries the first turn's answer: every cell would run its first turn, then fail its second.
    const second = column.frontierOnly ? null : longestSecondTurn(tasks, column);
    const secondRefusal = second && (await contextRefusal(configFor(second)));
    if (secondRefusal)
      throw new ExperimentError(
        `column ${column.name} cannot run the second turn of ${second.id?.replace(SECOND_TURN_SUFFIX, "") ?? "the longest item"} (its prompt holds the first question, a first answer of up to the actor's max tokens and the second question): ${secondRefusal.message}`,
      );
  }
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
  const repeats = repeatsOf(config);
  if (!Number.isInteger(repeats) || repeats < 1) throw new ExperimentError(`repeats must be a whole number of at least 1 (it is ${repeats})`);
  const lanes = config.columns.map((column) => {
    try {
      const strategy = getStrategy(column.strategy);
      return strategy.actorLanes(resolveStrategyParams(strategy, column.params ?? {}));
    } catch (error) {
      throw new ExperimentError(`column ${column.name}: ${(error as Error).message}`);
    }
  });
  const { tasks, skipped } = await loadExperimentDataset(config);
  await refuseColumnsThatCannotFit(config, tasks);
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, "experiment.json");
  // Cells are keyed by item index: a dataset edited since the start would pair old results with other items.
  const fingerprint = { sha256: createHash("sha256").update(JSON.stringify(tasks)).digest("hex"), items: tasks.length };
  const fingerprintPath = join(dir, "dataset-fingerprint.json");
  if (existsSync(configPath)) {
    const existing = readFileSync(configPath, "utf8");
    if (existing !== `${JSON.stringify(config, null, 2)}\n`)
      throw new ExperimentError(`${dir} holds a different experiment; resume it with its own settings or use another folder`);
    if (existsSync(fingerprintPath)) {
      const before = JSON.parse(readFileSync(fingerprintPath, "utf8")) as typeof fingerprint;
      if (before.sha256 !== fingerprint.sha256) {
        throw new ExperimentError(
          `the items of ${config.dataset} changed since this experiment started (${before.items} items then, ${fingerprint.items} now); finished cells would not match their items — restore the file or start a new experiment folder`,
        );
      }
    }
  } else {
    writeFileAtomicSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  }
  if (!existsSync(fingerprintPath)) writeFileAtomicSync(fingerprintPath, `${JSON.stringify(fingerprint)}\n`);
  return { tasks, skipped, lanes };
}
