// The judging pass of an experiment with a grader: once the cells ran, the jury grades every finished cell's
// selected answer (pairwise: against the baseline column's answer to the same item, or the reference). Each
// judge call is added to the cell's run as a "judge" node under the selected answer, with its prompt and reasoning,
// and each judged cell is a line of judgements.jsonl, so a stopped pass resumes where it was. A cell's second turn
// (MT-Bench) is judged as well, with the multi-turn prompts, on a line of its own (`turn: 2`).
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ModelBackend } from "../../llm/backend.ts";
import type { JudgedCell } from "../../protocol/experiment-results.ts";
import type { RunEvent, Task } from "../../protocol/events.ts";
import { openModelBackend } from "../../runs/open-model.ts";
import { JsonlAppender, readJsonlFile } from "../../util/jsonl.ts";
import { replayRunLog } from "../../runs/run-log.ts";
import { runDir } from "../../runs/paths.ts";
import { specLabel } from "../../protocol/model-spec.ts";
import { sourceFor } from "../../llm/sources/registry.ts";
import { DEFAULT_JUDGE_SETTINGS, type Judge, type JudgeCall } from "../judges/graders.ts";
import { type AnswerToJudge, judgeAnswer } from "../judges/judge-answer.ts";
import { summarizeJudged } from "../judges/judged-summary.ts";
import { readResults, type CellResult } from "./checkpoint.ts";
import { ExperimentError, type ExperimentConfig, type JudgingConfig } from "./config.ts";
import type { JudgedColumn } from "../../protocol/experiment-results.ts";

export const JUDGEMENTS_FILE = "judgements.jsonl";

const isJudged = (value: unknown) => {
  const v = value as Partial<JudgedCell>;
  return typeof v.item === "number" && typeof v.column === "string" && Array.isArray(v.verdicts) ? null : "not a judged cell";
};

function readAllJudgements(dir: string): JudgedCell[] {
  const path = join(dir, JUDGEMENTS_FILE);
  return existsSync(path) ? readJsonlFile<JudgedCell>(path, isJudged).records : [];
}

/** The judged cells of one turn: the first (every cell's answer), or the second of multi-turn items. */
export function readJudgements(dir: string, turn: 1 | 2 = 1): JudgedCell[] {
  return readAllJudgements(dir).filter((c) => (c.turn ?? 1) === turn);
}

function summarizeByColumn(cells: readonly JudgedCell[]): Map<string, JudgedColumn> {
  const byColumn = new Map<string, JudgedCell[]>();
  for (const cell of cells) byColumn.set(cell.column, [...(byColumn.get(cell.column) ?? []), cell]);
  const columns = new Map<string, JudgedColumn>();
  for (const [column, judged] of byColumn) {
    // Judged concurrently, cells land in any order; the bootstrap interval resamples them in item order.
    const summary = summarizeJudged([...judged].sort((a, b) => a.item - b.item));
    if (summary) columns.set(column, summary);
  }
  return columns;
}

/**
 * Each judged column's score, flip rate and agreement (absent for columns nobody judged: the pairwise baseline),
 * with its second turns' as `secondTurn` when the items had them.
 */
export function judgedColumns(dir: string): Map<string, JudgedColumn> {
  const all = readAllJudgements(dir);
  const first = summarizeByColumn(all.filter((c) => c.turn !== 2));
  const second = summarizeByColumn(all.filter((c) => c.turn === 2));
  for (const [column, summary] of second) {
    const judged = first.get(column);
    if (judged) first.set(column, { ...judged, secondTurn: summary });
  }
  return first;
}

/** The judges' labels: the file or served model, numbered when one model sits on the jury twice. */
export function judgeLabels(judging: JudgingConfig): string[] {
  const labels = judging.judges.map((j) => specLabel(j.path));
  return labels.map((label, i) => (labels.indexOf(label) !== i || labels.lastIndexOf(label) !== i ? `${label}#${i + 1}` : label));
}

/**
 * Each judge model can be opened: a GGUF file that is there and is a model, an endpoint spec that parses. Checked
 * before the cells run, so a mistyped judge is not found only after hours of cells.
 */
export async function checkJudgeModels(judging: JudgingConfig): Promise<void> {
  for (const [index, judge] of judging.judges.entries()) {
    try {
      await sourceFor(judge.path).check(judge.path);
    } catch (error) {
      throw new ExperimentError(`judge ${index + 1} (${judge.path}): ${(error as Error).message}`);
    }
  }
}

export interface JudgingOptions {
  signal?: AbortSignal;
  /** Backends for the jury in order (scripted tests); otherwise each judge's model is opened. */
  judges?: ModelBackend[];
  /** Cells judged at once (the experiment's concurrency; default 1). Verdicts do not depend on it: seeds are per item. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/** A finished run's selected answer, as the run wrote it (the whole text, not the extracted answer). */
async function selectedAnswer(
  dir: string,
  run: { runId: string; status: "finished" | "failed" } | undefined,
): Promise<{ text: string; nodeId: string; logPath: string } | null> {
  if (!run) return null;
  const logPath = join(runDir(join(dir, "runs"), run.runId), "events.jsonl");
  if (run.status !== "finished" || !existsSync(logPath)) return null;
  const { state } = await replayRunLog(logPath);
  const node = state.selectedNodeId ? state.nodes[state.selectedNodeId] : undefined;
  return node ? { text: node.text, nodeId: node.id, logPath } : null;
}

/** The judge calls as nodes under the answer they judged: a node-added and a node-completed each. */
function appendJudgeNodes(logPath: string, parent: string, calls: readonly JudgeCall[]): string[] {
  const log = new JsonlAppender(logPath);
  const ids: string[] = [];
  try {
    calls.forEach((call, index) => {
      const nodeId = `judge-${index + 1}`;
      const at = Date.now();
      const added: RunEvent = {
        type: "node-added",
        at,
        nodeId,
        parents: [parent],
        role: "judge",
        step: `${call.judge}: ${call.step}`,
        iteration: 0,
        model: null,
        prompt: call.messages,
      };
      const completed: RunEvent = {
        type: "node-completed",
        at,
        nodeId,
        text: call.text,
        answer: null,
        tokensIn: call.tokensIn,
        tokensOut: call.tokensOut,
        ...(call.thought ? { thought: call.thought } : {}),
        wallMs: call.wallMs,
        status: "done",
        ...(call.parsed ? {} : { warning: "the judge's output was not the JSON asked for: its verdict counts as unreadable" }),
      };
      log.append(added, false);
      log.append(completed, index === calls.length - 1);
      ids.push(nodeId);
    });
  } finally {
    log.close();
  }
  return ids;
}

/** A cell to judge: its first turn, or its second (a multi-turn item's). */
interface PendingJudgement {
  cell: CellResult;
  turn: 1 | 2;
}

const judgementKey = (item: number, column: string, turn: 1 | 2) => `${item}|${column}${turn === 2 ? "|2" : ""}`;

/** Judges every finished cell (and second turn) not judged yet; returns every judged first turn of the experiment. */
export async function judgeExperiment(dir: string, config: ExperimentConfig, tasks: readonly Task[], options: JudgingOptions = {}): Promise<JudgedCell[]> {
  const judging = config.judging;
  if (!judging) return [];
  const judged = new Set(readAllJudgements(dir).map((c) => judgementKey(c.item, c.column, c.turn ?? 1)));
  // One seed per cell (a judged experiment has no repeats), and never the hidden frontier's samples.
  const hidden = new Set(config.columns.filter((c) => c.frontierOnly).map((c) => c.name));
  const results = new Map(
    readResults(dir)
      .filter((r) => (r.repeat ?? 0) === 0 && !hidden.has(r.column))
      .map((r) => [`${r.item}|${r.column}`, r]),
  );
  const baselineColumn = judging.grader === "pairwise" && judging.baseline !== "reference" ? judging.baseline : undefined;
  const candidates = [...results.values()]
    .filter((r) => r.column !== baselineColumn && r.item < tasks.length && r.status === "finished")
    .sort((a, b) => a.item - b.item || a.column.localeCompare(b.column));
  const pending: PendingJudgement[] = [];
  for (const cell of candidates) {
    if (!judged.has(judgementKey(cell.item, cell.column, 1))) pending.push({ cell, turn: 1 });
    // A checklist is written for one question: second turns are judged by rubric or pairwise.
    const secondTurn = cell.secondTurn?.status === "finished" && tasks[cell.item]!.secondTurn && judging.grader !== "checklist";
    if (secondTurn && !judged.has(judgementKey(cell.item, cell.column, 2))) pending.push({ cell, turn: 2 });
  }
  if (!pending.length) return readJudgements(dir);
  const labels = judgeLabels(judging);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const backends =
    options.judges ??
    (await Promise.all(
      judging.judges.map((model, i) =>
        openModelBackend(model, { gpu: config.gpu, threads: config.threads, sequences: concurrency, laneScope: `judge-${i + 1}`, signal: options.signal }),
      ),
    ));
  const jury: Judge[] = backends.map((backend, i) => ({ label: labels[i]!, backend }));
  const writer = new JsonlAppender(join(dir, JUDGEMENTS_FILE), isJudged);
  let next = 0;
  let done = 0;
  // Each worker judges one cell at a time on its own lane (a sequence of a local judge, a request slot of an endpoint).
  const worker = async (slot: number) => {
    for (let index = next++; index < pending.length; index = next++) {
      const { cell, turn } = pending[index]!;
      options.signal?.throwIfAborted();
      const task = tasks[cell.item]!;
      const input = await (turn === 1
        ? firstTurnInput(dir, judging, task, cell, results, baselineColumn)
        : secondTurnInput(dir, judging, task, cell, results, baselineColumn));
      if (!input) continue;
      const { judged: verdict, calls } = await judgeAnswer(
        judging.grader,
        jury,
        input.toJudge,
        {
          ...DEFAULT_JUDGE_SETTINGS,
          ...(judging.maxTokens ? { maxTokens: judging.maxTokens } : {}),
          seed: config.seed + cell.item + (turn === 2 ? SECOND_TURN_SEED : 0),
          lane: `judge-${slot}`,
          signal: options.signal,
        },
        judging.checklistCalls ? { checklistCalls: judging.checklistCalls } : {},
      );
      const nodeIds = appendJudgeNodes(input.logPath, input.nodeId, calls);
      writer.append({ item: cell.item, column: cell.column, ...verdict, nodeIds, ...(turn === 2 ? { turn: 2 as const } : {}) } satisfies JudgedCell);
      options.onProgress?.(++done, pending.length);
    }
  };
  try {
    const settled = await Promise.allSettled(Array.from({ length: Math.min(concurrency, pending.length) }, (_, slot) => worker(slot)));
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failure) throw failure.reason;
  } finally {
    writer.close();
  }
  return readJudgements(dir);
}

/** Second turns draw their judges' seeds apart from the first turns' (items are numbered far below this). */
const SECOND_TURN_SEED = 1_000_000;

interface JudgeInput {
  toJudge: AnswerToJudge;
  /** The run the judge nodes are added to, under its selected answer. */
  logPath: string;
  nodeId: string;
}

type Results = ReadonlyMap<string, CellResult>;

/** A cell's first (or only) turn: its answer, against the baseline column's or the reference for pairwise. */
async function firstTurnInput(
  dir: string,
  judging: JudgingConfig,
  task: Task,
  cell: CellResult,
  results: Results,
  baselineColumn?: string,
): Promise<JudgeInput | null> {
  const answer = await selectedAnswer(dir, cell);
  if (!answer) return null;
  let baseline: { name: string; answer: string } | undefined;
  if (judging.grader === "pairwise") {
    if (judging.baseline === "reference") {
      if (task.reference === undefined)
        throw new Error(`item ${task.id ?? cell.item} has no reference answer to compare with: name a baseline column (--baseline)`);
      baseline = { name: "reference", answer: task.reference };
    } else {
      const baselineAnswer = await selectedAnswer(dir, results.get(`${cell.item}|${baselineColumn}`));
      // The baseline failed on this item: nothing to compare with.
      if (!baselineAnswer) return null;
      baseline = { name: baselineColumn!, answer: baselineAnswer.text };
    }
  }
  return {
    toJudge: {
      question: task.question,
      answer: answer.text,
      ...(task.reference !== undefined ? { reference: task.reference } : {}),
      ...(task.checklist ? { checklist: task.checklist } : {}),
      ...(baseline ? { baseline } : {}),
    },
    logPath: answer.logPath,
    nodeId: answer.nodeId,
  };
}

/**
 * A cell's second turn: its second answer judged with the whole conversation (the cell's own first answer before
 * it); pairwise against the baseline column's two answers, or the two turns' references.
 */
async function secondTurnInput(
  dir: string,
  judging: JudgingConfig,
  task: Task,
  cell: CellResult,
  results: Results,
  baselineColumn?: string,
): Promise<JudgeInput | null> {
  const second = task.secondTurn!;
  const [first, answer] = await Promise.all([selectedAnswer(dir, cell), selectedAnswer(dir, cell.secondTurn)]);
  if (!first || !answer) return null;
  let baseline: { name: string; answer: string } | undefined;
  let baselineFirst: string | undefined;
  if (judging.grader === "pairwise") {
    if (judging.baseline === "reference") {
      if (task.reference === undefined || second.reference === undefined)
        throw new Error(
          `item ${task.id ?? cell.item} has no reference answer for both turns to compare its second turn with: name a baseline column (--baseline)`,
        );
      baseline = { name: "reference", answer: second.reference };
      baselineFirst = task.reference;
    } else {
      const other = results.get(`${cell.item}|${baselineColumn}`);
      const [otherFirst, otherSecond] = await Promise.all([selectedAnswer(dir, other), selectedAnswer(dir, other?.secondTurn)]);
      // The baseline did not finish both turns of this item: nothing to compare with.
      if (!otherFirst || !otherSecond) return null;
      baseline = { name: baselineColumn!, answer: otherSecond.text };
      baselineFirst = otherFirst.text;
    }
  }
  return {
    toJudge: {
      question: second.question,
      answer: answer.text,
      ...(second.reference !== undefined ? { reference: second.reference } : {}),
      ...(baseline ? { baseline } : {}),
      firstTurn: {
        question: task.question,
        answer: first.text,
        ...(task.reference !== undefined ? { reference: task.reference } : {}),
        ...(baselineFirst !== undefined ? { baselineAnswer: baselineFirst } : {}),
      },
    },
    logPath: answer.logPath,
    nodeId: answer.nodeId,
  };
}
