// Evaluating critics the way the community reports them. ProcessBench: the critic names the earliest wrong step
// (or none); accuracy on erroneous items, on correct items, and their harmonic mean (F1). RealCritic: closed
// loop — the critic judges a solution and, when it finds it wrong, gives the corrected answer; a critique is good
// if the answer it leads to is right (cross-critique on the dataset's stored solutions, or self-critique of the
// actor's own solution), reported as accuracy and the before → after transition matrix.
import type { GenerateResult, ModelBackend } from "../llm/backend.ts";
import type { GpuChoice } from "../llm/runtime.ts";
import { parseJsonLoose } from "../llm/json-output.ts";
import type { ChatMessage, SamplingSettings } from "../protocol/events.ts";
import { fill, prompts, solverMessages } from "../strategies/prompts.ts";
import { stepMajority } from "../strategies/step-verifier.ts";
import { metaCritiqueMessages, revisedVerdict } from "../strategies/meta-critique.ts";
import { type CriticVerdict, MAX_STEPS, parseVerdict, scoreSchema, stepwiseSchema, strictObject } from "../strategies/verdicts.ts";
import { answerIsCorrect, answerOf } from "../grading/checkers.ts";
import { pct } from "../protocol/format.ts";
import { DatasetError, parseRows, readDatasetText } from "./dataset.ts";
import { transitions, type Transitions } from "./stats.ts";
import { unreadableReason } from "./unreadable-verdict.ts";

export interface ProcessBenchItem {
  id: string;
  problem: string;
  steps: string[];
  /** 0-based index of the earliest wrong step, or -1 when every step is right. */
  label: number;
}

/** One critic call of an evaluation: what the critic wrote and, when its verdict could not be read, why. */
export interface CriticCall {
  text: string;
  tokensIn: number;
  tokensOut: number;
  wallMs: number;
  /** Cut at the budget, not JSON, not the schema's shape (unreadable-verdict.ts); absent: the verdict was read. */
  unparseable?: string;
}

export interface ProcessBenchRow {
  id: string;
  label: number;
  /** null: the verdict could not be parsed (counted as a miss). */
  predicted: number | null;
  correct: boolean;
  /** Each verification the critic wrote (one unless verifyK > 1). */
  critiques: CriticCall[];
}

export interface ProcessBenchResult {
  rows: ProcessBenchRow[];
  erroneousAccuracy: number;
  correctAccuracy: number;
  f1: number;
  unparseable: number;
  /**
   * With verifyK > 1 (SPARK's verifier scaling): F1 and mean critic tokens per item when only the first k of the
   * verifications vote, for k = 1, 2, 4, … up to verifyK; the rows are the full verifyK's.
   */
  scaling?: Array<{ k: number; f1: number; tokensPerItem: number }>;
}

/** F1 of ProcessBench: the harmonic mean of the accuracies on erroneous and on correct solutions. */
function processBenchScores(rows: readonly Pick<ProcessBenchRow, "label" | "correct">[]) {
  const erroneous = rows.filter((r) => r.label !== -1);
  const correct = rows.filter((r) => r.label === -1);
  const erroneousAccuracy = erroneous.length ? erroneous.filter((r) => r.correct).length / erroneous.length : Number.NaN;
  const correctAccuracy = correct.length ? correct.filter((r) => r.correct).length / correct.length : Number.NaN;
  const f1 = erroneousAccuracy + correctAccuracy > 0 ? (2 * erroneousAccuracy * correctAccuracy) / (erroneousAccuracy + correctAccuracy) : 0;
  return { erroneousAccuracy, correctAccuracy, f1 };
}

/** The first wrong step by the per-step majority of the readable verdicts (-1: none wrong; null: none readable). */
function majorityFirstError(verdicts: readonly CriticVerdict[]): number | null {
  const readable = verdicts.filter((v) => v.parsed);
  if (!readable.length) return null;
  const wrong = stepMajority(readable.map((v) => v.steps ?? [])).steps.findIndex((s) => s.verdict === "wrong");
  return wrong;
}

/** k = 1, 2, 4, … below verifyK, and verifyK itself: the subsets the scaling curve reads from one run. */
export function scalingSubsets(verifyK: number): number[] {
  const ks: number[] = [];
  for (let k = 1; k < verifyK; k *= 2) ks.push(k);
  return [...ks, verifyK];
}

async function readJsonItems(path: string): Promise<unknown[]> {
  const text = await readDatasetText(path);
  // The dataset reader's parse: a file that is not a dataset at all is refused without quoting it.
  const rows = parseRows(path, text);
  const broken = rows.find((row) => row.error);
  if (broken) throw new DatasetError(`${path}:${broken.line}: ${broken.error}`);
  return rows.map((row) => row.value);
}

export async function readProcessBench(path: string, limit?: number): Promise<ProcessBenchItem[]> {
  const items = (await readJsonItems(path)).slice(0, limit);
  return items.map((raw, i) => {
    const item = raw as Record<string, unknown>;
    if (typeof item.problem !== "string" || !Array.isArray(item.steps) || typeof item.label !== "number") {
      throw new DatasetError(`${path}: item ${i + 1} is not a ProcessBench item (needs problem, steps[], label)`);
    }
    return { id: String(item.id ?? i), problem: item.problem, steps: item.steps.map(String), label: item.label };
  });
}

/** Steps beyond the critic's limit are merged into the last one, as for candidates. */
export function fitSteps(steps: string[]): string[] {
  return steps.length <= MAX_STEPS ? steps : [...steps.slice(0, MAX_STEPS - 1), steps.slice(MAX_STEPS - 1).join(" ")];
}

/** The stored solution as the critic reads it: "Step i: …" per line. */
export const processBenchSolution = (item: ProcessBenchItem) =>
  fitSteps(item.steps)
    .map((s, i) => `Step ${i + 1}: ${s}`)
    .join("\n");

/** What the critic is asked for one ProcessBench item. */
export function processBenchMessages(item: ProcessBenchItem): ChatMessage[] {
  return [
    { role: "system", content: prompts.criticSystem },
    { role: "user", content: fill(prompts.stepwiseCritique, { question: item.problem, steps: processBenchSolution(item) }) },
  ];
}

/** What keeps a stepwise verdict from being read: a parse error, or "schema: …" for JSON without its steps. */
function stepwiseProblem(text: string, verdict: CriticVerdict): string | null {
  if (!verdict.parsed) return verdict.parseError === "not an object" ? "schema: not an object" : (verdict.parseError ?? "unreadable");
  const value = parseJsonLoose<{ steps?: unknown }>(text);
  return value.ok && Array.isArray(value.value.steps) ? null : "schema: no 'steps' list";
}

function criticCall(result: GenerateResult, started: number, unparseable: string | undefined): CriticCall {
  return {
    text: result.text,
    tokensIn: result.tokensIn,
    tokensOut: result.tokensOut,
    wallMs: Date.now() - started,
    ...(unparseable ? { unparseable } : {}),
  };
}

export async function evaluateProcessBench(
  items: ProcessBenchItem[],
  critic: ModelBackend,
  sampling: SamplingSettings,
  seed = 0,
  options: EvalOptions & { verifyK?: number; metaCritique?: boolean } = {},
): Promise<ProcessBenchResult> {
  const verifyK = options.verifyK ?? 1;
  if (verifyK > 1 && sampling.temperature === 0) {
    throw new Error(`verifyK = ${verifyK} needs a critic temperature above 0 (--temperature): at 0 the ${verifyK} verifications are one verdict repeated`);
  }
  const rows: ProcessBenchRow[] = [];
  // Per item: its k verdicts and what each cost, in order, so every k' ≤ verifyK can be scored from this one run.
  const perItem: Array<{ label: number; verdicts: CriticVerdict[]; tokens: number[] }> = [];
  for (const [index, item] of items.entries()) {
    options.signal?.throwIfAborted();
    const steps = fitSteps(item.steps);
    const verdicts: CriticVerdict[] = [];
    const tokens: number[] = [];
    const critiques: CriticCall[] = [];
    for (let j = 0; j < verifyK; j++) {
      const messages = processBenchMessages(item);
      const ask = (conversation: ChatMessage[]) =>
        critic.generate({
          messages: conversation,
          jsonSchema: stepwiseSchema(steps.length),
          maxTokens: sampling.maxTokens,
          temperature: sampling.temperature,
          // One verification keeps the seed it always had; more get their own.
          seed: verifyK === 1 ? seed + index : seed + index * verifyK + j,
          lane: "processbench",
          signal: options.signal,
        });
      // A verdict without its steps names no earliest error: it counts as unreadable, not as "no wrong step".
      const readable = (text: string) => {
        const parsed = parseVerdict(text, true);
        const problem = stepwiseProblem(text, parsed);
        return { verdict: problem === null ? parsed : { ...parsed, parsed: false }, problem };
      };
      let started = Date.now();
      const result = await ask(messages);
      options.signal?.throwIfAborted();
      const first = readable(result.text);
      critiques.push(criticCall(result, started, unreadableReason(result, sampling.maxTokens, first.problem)));
      let verdict = first.verdict;
      let spent = result.tokensOut;
      if (options.metaCritique) {
        started = Date.now();
        const review = await ask(metaCritiqueMessages(messages, result.text));
        options.signal?.throwIfAborted();
        const revised = readable(review.text);
        critiques.push(criticCall(review, started, unreadableReason(review, sampling.maxTokens, revised.problem)));
        verdict = revisedVerdict(verdict, revised.verdict, (v) => v.parsed).verdict;
        spent += review.tokensOut;
      }
      verdicts.push(verdict);
      tokens.push(spent);
    }
    const predicted = majorityFirstError(verdicts);
    // A label past the merged tail is judged at the merged step.
    const label = item.label >= MAX_STEPS ? MAX_STEPS - 1 : item.label;
    rows.push({ id: item.id, label: item.label, predicted, correct: predicted === label, critiques });
    perItem.push({ label, verdicts, tokens });
    options.onProgress?.(rows.length, items.length);
  }
  const scaling =
    verifyK > 1
      ? scalingSubsets(verifyK).map((k) => {
          const scored = perItem.map((p) => ({ label: p.label, correct: majorityFirstError(p.verdicts.slice(0, k)) === p.label }));
          const tokens = perItem.reduce((sum, p) => sum + p.tokens.slice(0, k).reduce((a, b) => a + b, 0), 0);
          return { k, f1: processBenchScores(scored).f1, tokensPerItem: perItem.length ? tokens / perItem.length : 0 };
        })
      : undefined;
  return { rows, ...processBenchScores(rows), unparseable: rows.filter((r) => r.predicted === null).length, ...(scaling ? { scaling } : {}) };
}

export interface RealCriticItem {
  question: string;
  solution: string;
  /** The stored solution's answer, read by the checker (RealCritic's own `pred` is sometimes misread). */
  solutionAnswer: string | null;
  reference: string;
  /** Multiple-choice options (RealCritic's ARC): answers are then compared as option letters. */
  choices?: string[];
}

/** Progress and cancellation for long evaluations (the UI's critic panel). */
export interface EvalOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export async function readRealCritic(path: string, limit?: number): Promise<RealCriticItem[]> {
  return (await readJsonItems(path)).slice(0, limit).map((raw, i) => {
    const item = raw as Record<string, unknown>;
    if (typeof item.question !== "string" || typeof item.reasoning !== "string" || item.gt === undefined) {
      throw new DatasetError(`${path}: item ${i + 1} is not a RealCritic item (needs question, reasoning, gt)`);
    }
    const texts = (item.choices as { text?: unknown } | undefined)?.text;
    const choices = Array.isArray(texts) ? { choices: texts.map(String) } : {};
    const reference = String(item.gt);
    return {
      question: item.question,
      solution: item.reasoning,
      solutionAnswer: answerOf({ question: item.question, reference, ...choices }, item.reasoning).answer,
      reference,
      ...choices,
    };
  });
}

export interface RealCriticRow {
  before: boolean;
  after: boolean;
  verdictCorrect: boolean | null;
  finalAnswer: string | null;
  /** The solution the critic judged (the stored one, or the actor's) and its answer. */
  solution: string;
  solutionAnswer: string | null;
  /** The actor's call when it wrote the solution. */
  solver?: Omit<CriticCall, "unparseable">;
  critique: CriticCall;
}

export interface RealCriticResult {
  rows: RealCriticRow[];
  accuracyBefore: number;
  accuracyAfter: number;
  transitions: Transitions;
}

/** What the critic is asked for one RealCritic item: judge the solution and, if wrong, correct its answer. */
export function realCriticMessages(question: string, solution: string): ChatMessage[] {
  return [
    { role: "system", content: prompts.criticSystem },
    {
      role: "user",
      content: `${fill(prompts.holisticCritique, { question, solution })} If the answer is wrong, put the right final answer in 'correctedAnswer' (else repeat the solution's answer).`,
    },
  ];
}

export const correctionSchema = strictObject({
  critique: { type: "string", maxLength: 400 },
  correct: { type: "boolean" },
  correctedAnswer: { type: "string", maxLength: 80 },
  score: scoreSchema,
});

/**
 * Closed loop: the critic keeps the solution's answer when it judges it correct, else its corrected answer counts.
 * With `solver`, each solution is first written by that model (self-critique when it is also the critic).
 */
export async function evaluateRealCritic(
  items: RealCriticItem[],
  critic: ModelBackend,
  sampling: SamplingSettings,
  options: { solver?: ModelBackend; seed?: number; metaCritique?: boolean } & EvalOptions = {},
): Promise<RealCriticResult> {
  const rows: RealCriticResult["rows"] = [];
  for (const [index, item] of items.entries()) {
    options.signal?.throwIfAborted();
    const task = { question: item.question, reference: item.reference, ...(item.choices ? { choices: item.choices } : {}) };
    let solution = item.solution;
    let solutionAnswer = item.solutionAnswer;
    let solver: RealCriticRow["solver"];
    if (options.solver) {
      const solving = Date.now();
      const own = await options.solver.generate({
        messages: solverMessages(item.question),
        maxTokens: sampling.maxTokens,
        temperature: 0,
        seed: (options.seed ?? 0) + index,
        lane: "solver",
        signal: options.signal,
      });
      solution = own.text;
      solutionAnswer = answerOf(task, own.text).answer;
      solver = criticCall(own, solving, undefined);
    }
    const messages = realCriticMessages(item.question, solution);
    const ask = (conversation: ChatMessage[]) =>
      critic.generate({
        messages: conversation,
        jsonSchema: correctionSchema,
        maxTokens: sampling.maxTokens,
        temperature: sampling.temperature,
        seed: (options.seed ?? 0) + index,
        lane: "critic",
        signal: options.signal,
      });
    const read = (text: string) => {
      const parsed = parseJsonLoose<{ correct?: boolean; correctedAnswer?: string }>(text);
      const value = parsed.ok && typeof parsed.value === "object" && parsed.value !== null ? parsed.value : null;
      const problem = !parsed.ok ? parsed.error : typeof value?.correct !== "boolean" ? "schema: no true or false 'correct'" : null;
      return { value, problem };
    };
    const started = Date.now();
    const result = await ask(messages);
    options.signal?.throwIfAborted();
    const first = read(result.text);
    let verdict = first.value;
    // The row keeps the call whose verdict stands: the review when it revised the verdict readably.
    let decided = { call: result, started, problem: first.problem };
    if (options.metaCritique) {
      const reviewStarted = Date.now();
      const review = await ask(metaCritiqueMessages(messages, result.text));
      options.signal?.throwIfAborted();
      const revised = read(review.text);
      verdict = revisedVerdict(verdict, revised.value, (v) => v !== null).verdict;
      if (verdict === revised.value) decided = { call: review, started: reviewStarted, problem: revised.problem };
    }
    const finalAnswer = verdict?.correct === false && verdict.correctedAnswer ? verdict.correctedAnswer : solutionAnswer;
    const verdictCorrect = typeof verdict?.correct === "boolean" ? verdict.correct : null;
    rows.push({
      before: answerIsCorrect(task, solutionAnswer) === true,
      after: answerIsCorrect(task, finalAnswer) === true,
      verdictCorrect,
      finalAnswer,
      solution,
      solutionAnswer,
      ...(solver ? { solver } : {}),
      critique: criticCall(decided.call, decided.started, unreadableReason(decided.call, sampling.maxTokens, decided.problem)),
    });
    options.onProgress?.(rows.length, items.length);
  }
  const before = rows.map((r) => r.before);
  const after = rows.map((r) => r.after);
  return {
    rows,
    accuracyBefore: before.filter(Boolean).length / Math.max(1, rows.length),
    accuracyAfter: after.filter(Boolean).length / Math.max(1, rows.length),
    transitions: transitions(before, after),
  };
}

export type CriticEvalMode = "processbench" | "realcritic";

export interface CriticEvalRequest {
  mode: CriticEvalMode;
  dataset: string;
  limit?: number;
  critic: string;
  /** RealCritic: the actor writes the solutions first (self-critique when it is the critic's file too). */
  actor?: string;
  maxTokens?: number;
  /** ProcessBench: independent verifications per item with a per-step majority (SPARK); needs temperature > 0. */
  verifyK?: number;
  /** Each verdict is re-read and revised by the critic in a second turn (SPARK's meta-critique). */
  metaCritique?: boolean;
  /** The critic's sampling temperature (default 0). */
  temperature?: number;
  gpu?: GpuChoice;
  threads?: number;
}

export type CriticEvalOutcome =
  | { mode: "processbench"; result: ProcessBenchResult }
  | { mode: "realcritic"; solver: "stored" | "actor"; result: RealCriticResult };

/** Loads the models through node-llama-cpp and runs one evaluation mode: the CLI's and the UI's entry point. */
export async function runCriticEvaluation(request: CriticEvalRequest, options: EvalOptions = {}): Promise<CriticEvalOutcome> {
  const { openRuntime } = await import("../llm/runtime.ts");
  const { fileSource } = await import("../llm/sources/file.ts");
  // Read the dataset first: a wrong file is refused before any model loads.
  const items = request.mode === "processbench" ? await readProcessBench(request.dataset, request.limit) : await readRealCritic(request.dataset, request.limit);
  const runtime = await openRuntime({ gpu: request.gpu ?? "auto", threads: request.threads });
  const load = async (path: string, prefix: string) =>
    fileSource.open(path, { runtime, model: await runtime.loadModel(path, { sequences: 2 }, undefined, options.signal), lane: prefix });
  const critic = await load(request.critic, "critic-eval");
  const sampling = { temperature: request.temperature ?? 0, maxTokens: request.maxTokens ?? 768 };
  if (request.mode === "processbench")
    return {
      mode: "processbench",
      result: await evaluateProcessBench(items as ProcessBenchItem[], critic, sampling, 0, {
        ...options,
        ...(request.verifyK ? { verifyK: request.verifyK } : {}),
        ...(request.metaCritique ? { metaCritique: true } : {}),
      }),
    };
  const solver = request.actor ? await load(request.actor, "solver") : undefined;
  return {
    mode: "realcritic",
    solver: solver ? "actor" : "stored",
    result: await evaluateRealCritic(items as RealCriticItem[], critic, sampling, {
      ...options,
      ...(solver ? { solver } : {}),
      ...(request.metaCritique ? { metaCritique: true } : {}),
    }),
  };
}

/** One line a human reads: the CLI's output and the UI's summary. */
export function describeCriticEval(outcome: CriticEvalOutcome): string {
  if (outcome.mode === "processbench") {
    const r = outcome.result;
    const line = `ProcessBench on ${r.rows.length} items: erroneous ${pct(r.erroneousAccuracy)}, correct ${pct(r.correctAccuracy)}, F1 ${(r.f1 * 100).toFixed(1)} (${r.unparseable} unparseable verdicts)`;
    if (!r.scaling) return line;
    const curve = r.scaling.map((p) => `  k=${p.k}: F1 ${(p.f1 * 100).toFixed(1)}, ${Math.round(p.tokensPerItem)} critic tokens per item`);
    return [line, "verifier scaling (per-step majority of the first k verifications):", ...curve].join("\n");
  }
  const r = outcome.result;
  const t = r.transitions;
  return `RealCritic (${outcome.solver === "actor" ? "self/actor solutions" : "cross-critique of stored solutions"}) on ${r.rows.length} items: ${pct(r.accuracyBefore)} → ${pct(r.accuracyAfter)} · correct→correct ${t.correctToCorrect}, correct→wrong ${t.correctToWrong}, wrong→correct ${t.wrongToCorrect}, wrong→wrong ${t.wrongToWrong}`;
}
