// One cell of an experiment: a full run of one column's strategy on one item, with its own log, turned into the
// line results.jsonl keeps (correctness, tokens, the trajectory of candidates for the anytime curves).
import { rmSync } from "node:fs";
import { join } from "node:path";
import { answerKey, candidateIsCorrect } from "../../grading/checkers.ts";
import { cellRunId, runDir } from "../../runs/paths.ts";
import { executeRun, type ModelConfig, type RunDeps } from "../../runs/runner.ts";
import type { GenerationCache } from "../../llm/generation-cache.ts";
import type { Task } from "../../protocol/events.ts";
import { CANDIDATE_ROLES, latestScore, nodeCost, type RunState } from "../../protocol/state.ts";
import type { SecondTurnResult } from "../../protocol/experiment-results.ts";
import type { CellResult, PendingCell, TrajectoryPoint } from "./checkpoint.ts";
import type { ExperimentColumn, ExperimentConfig } from "./config.ts";
import { itemRunConfig } from "./run-config.ts";
import { SECOND_TURN_SUFFIX, secondTurnTask } from "./second-turn.ts";

/**
 * Strategies whose candidates are n samples of one prompt, drawn independently: best-of-n only when it never stops
 * early (a threshold makes the number drawn depend on the scores).
 */
function drawsIndependentSamples(strategy: string, params: Record<string, unknown> | undefined): boolean {
  if (strategy === "self-consistency") return true;
  return strategy === "best-of-n" && !(Number(params?.threshold ?? 0) > 0);
}

/** The run's candidates in the order it produced them, each with the tokens spent so far, checked and scored. */
export async function runTrajectory(state: RunState, task: Task): Promise<TrajectoryPoint[]> {
  const points: TrajectoryPoint[] = [];
  let spent = 0;
  for (const id of state.order) {
    const node = state.nodes[id]!;
    spent += nodeCost(node);
    if (!CANDIDATE_ROLES.has(node.role) || node.status !== "done" || node.model !== "actor") continue;
    points.push({
      iteration: node.iteration,
      tokens: spent,
      correct: await candidateIsCorrect(task, node),
      score: latestScore(node, "critic")?.value ?? null,
      group: answerKey(task, node.answer),
    });
  }
  return points;
}

export interface CellSetting {
  dir: string;
  config: ExperimentConfig;
  /** Items run at once: the models are loaded with sequences for each. */
  concurrency: number;
  /** Actor lanes of each column's strategy. */
  lanes: readonly number[];
  /** The worker running the cell: its lanes are its own. */
  slot: number;
  signal: AbortSignal;
  cache?: GenerationCache;
  deps?: RunDeps;
  /** The endpoint pool's choice of replica for this cell, in place of the column's models. */
  models?: { actor: ModelConfig; critic: ModelConfig };
}

/** Runs one cell; undefined when it was cancelled (it runs again on resume). */
export async function runCell({ task, item, column, repeat }: PendingCell, setting: CellSetting): Promise<CellResult | undefined> {
  const runId = cellRunId(column.name, item, repeat);
  const cellStart = performance.now();
  const result = await runItem(task, runId, { column, item, repeat }, setting);
  const { state } = result;
  if (state.failure?.code === "cancelled") return undefined;
  // Not the strategy's failure: the experiment stops and this cell runs again once there is space.
  if (result.diskFull) throw result.diskFull;
  // The cell's time is its first turn's, as its tokens are; a second turn keeps its own.
  const wallMs = Math.round(performance.now() - cellStart);
  let secondTurn: SecondTurnResult | undefined;
  const selected = state.status === "finished" && state.selectedNodeId ? state.nodes[state.selectedNodeId] : undefined;
  // The hidden frontier column samples first turns only: its samples draw the accuracy frontier, no judge reads them.
  const nextTask = selected && !column.frontierOnly ? secondTurnTask(task, selected.text) : null;
  if (nextTask) {
    const secondRunId = `${runId}${SECOND_TURN_SUFFIX}`;
    const secondStart = performance.now();
    const second = await runItem(nextTask, secondRunId, { column, item, repeat }, setting);
    if (second.state.failure?.code === "cancelled") return undefined;
    if (second.diskFull) throw second.diskFull;
    const s = second.state;
    secondTurn = {
      runId: secondRunId,
      status: s.status === "finished" ? "finished" : "failed",
      answer: s.answer,
      totalTokens: s.budgets?.totalTokens ?? s.order.reduce((sum, id) => sum + nodeCost(s.nodes[id]!), 0),
      wallMs: Math.round(performance.now() - secondStart),
      ...(s.status === "finished" ? { stopReason: s.stopReason ?? "finished" } : {}),
      ...(s.failure ? { failure: s.failure.reason } : {}),
    };
  }
  const trajectory = await runTrajectory(state, task);
  return {
    item,
    itemId: task.id ?? String(item),
    column: column.name,
    ...(repeat ? { repeat } : {}),
    runId,
    status: state.status === "finished" ? "finished" : "failed",
    correct: state.correct,
    initialCorrect: trajectory[0]?.correct ?? null,
    answer: state.answer,
    pathTokens: state.budgets?.selectedPathTokens ?? 0,
    totalTokens: state.budgets?.totalTokens ?? state.order.reduce((s, id) => s + nodeCost(state.nodes[id]!), 0),
    thoughtTokens: state.order.reduce((s, id) => s + state.nodes[id]!.thoughtTokens, 0),
    wallMs,
    ...(setting.cache ? { cachedGenerations: Object.values(state.nodes).filter((n) => n.cached).length } : {}),
    trajectory,
    stopReason: state.status === "finished" ? (state.stopReason ?? "finished") : "failed",
    ...(state.sampling ? { sampling: state.sampling } : {}),
    ...(state.failure ? { failure: state.failure.reason } : {}),
    ...(result.oracle ? { oracle: true as const } : {}),
    ...(drawsIndependentSamples(column.strategy, column.params) ? { independentSamples: true as const } : {}),
    ...(secondTurn ? { secondTurn } : {}),
  };
}

/** One run of the cell's column on a task (the item, or its second turn) into a fresh folder. */
async function runItem(task: Task, runId: string, cell: { column: ExperimentColumn; item: number; repeat?: number }, setting: CellSetting) {
  const { dir, config, cache } = setting;
  // A run folder without a checkpoint line was cut short: start that run again from nothing.
  rmSync(runDir(join(dir, "runs"), runId), { recursive: true, force: true });
  return executeRun(
    itemRunConfig({
      column: cell.column,
      item: cell.item,
      task,
      config,
      ...(cell.repeat !== undefined ? { repeat: cell.repeat } : {}),
      concurrency: setting.concurrency,
      lanes: setting.lanes,
      outDir: join(dir, "runs"),
      runId,
      slot: setting.slot,
      signal: setting.signal,
      ...(setting.models ? { models: setting.models } : {}),
    }),
    { ...setting.deps, generationCache: setting.deps?.generationCache ?? cache },
  );
}
