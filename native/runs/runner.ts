// Runs one strategy on one task: validates the input, loads actor and critic (one copy when they are the same
// file), opens the run log and manifest, drives the strategy, and ends the log with run-finished or run-failed.
import type { SamplingPolicy } from "../protocol/sampling-policy.ts";
import { decideStopReason } from "../protocol/stop-reason.ts";
import { REFINERY_VERSION } from "../protocol/version.ts";
import { randomBytes } from "node:crypto";
import { basename, resolve } from "node:path";
import { candidateIsCorrect } from "../grading/checkers.ts";
import type { ModelBackend } from "../llm/backend.ts";
import { cachedSha256 } from "../llm/file-hash.ts";
import { ModelFileError, type ModelFileSummary } from "../llm/gguf-check.ts";
import type { GenerationCache } from "../llm/generation-cache.ts";
import { ModelSpecError, type ModelSpecText } from "../protocol/model-spec.ts";
import { sourceFor } from "../llm/sources/registry.ts";
import type { ModelSource } from "../llm/sources/source.ts";
import { warnUnsupported } from "../llm/sources/unsupported.ts";
import { ModelLoadError, openRuntime, type GpuChoice, type LlamaRuntime, type ModelLoadOptions } from "../llm/runtime.ts";
import type { ModelDescriptor, ModelRole, RequestedLoad, RunEvent, RunFailureCode, SamplingSettings, Task } from "../protocol/events.ts";
import { DEFAULT_SAMPLING, defaultContextSize } from "../protocol/defaults.ts";
import { advice, fieldName, paramLabel, type Audience } from "../protocol/field-labels.ts";
import type { MemoryPlan } from "../protocol/memory-plan.ts";
import { computeBudgets, type RunState } from "../protocol/state.ts";
import { GenerationError, RunCancelledError, RunContext } from "../strategies/context.ts";
import { prompts } from "../strategies/prompts.ts";
import { getStrategy } from "../strategies/registry.ts";
import {
  MAX_LANES,
  resolveStrategyParams,
  StrategyParamError,
  type ContextBudgets,
  type StrategyDefinition,
  type StrategyParams,
} from "../strategies/types.ts";
import { diskFullCause, type DiskFullError } from "../util/disk-full.ts";
import type { ManifestModel, RunManifest } from "./manifest.ts";
import { runDir } from "./paths.ts";
import { CANCELLED_BY_USER, RunFiles } from "./run-files.ts";

export interface ModelConfig {
  /**
   * A GGUF file or an endpoint spec (openai:<base URL>#<served model>). Named `path` because run manifests,
   * experiment configs, presets and saved setups store it under that name, and files written before endpoints
   * existed must still read; the type says what it holds.
   */
  path: ModelSpecText;
  /** Endpoints serving the same model (an experiment spreads cells over them); `path` is the first. */
  replicas?: ModelSpecText[];
  sampling?: Partial<SamplingSettings>;
  load?: Omit<ModelLoadOptions, "sequences">;
}

export interface RunConfig {
  strategy: string;
  params?: Record<string, unknown>;
  actor: ModelConfig;
  critic: ModelConfig;
  task: Task;
  seed?: number;
  /** Folder that receives <runId>/events.jsonl and <runId>/manifest.json. */
  outDir: string;
  runId?: string;
  gpu?: GpuChoice;
  threads?: number;
  /** Concurrent generations on parallel sequences (default). Off gives strictly reproducible logs. */
  parallel?: boolean;
  maxTotalTokens?: number;
  /** Omitted: "paper", each strategy's documented temperatures. */
  samplingPolicy?: SamplingPolicy;
  /** Load even when the memory plan says the models will not fit. */
  force?: boolean;
  /** Plan for this much memory (bytes) instead of what is free now. */
  memoryBudget?: { vram?: number; ram?: number };
  /** Runs sharing the loaded models at the same time (an experiment's concurrent items): sequences for each. */
  concurrentRuns?: number;
  /** Load with sequences for at least this many actor lanes per run (the widest strategy of an experiment). */
  lanesAtLeast?: number;
  /** Namespace for this run's lanes, so concurrent runs on one model never wait on each other's lanes. */
  laneScope?: string;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** Human-readable progress (model loading); the CLI prints it to stderr. */
  onProgress?: (message: string) => void;
}

/** Backends supplied by the caller instead of the models' sources (scripted tests). */
export interface RunDeps {
  backends?: Record<ModelRole, ModelBackend>;
  /** The sources specs are read with, in order (default: llm/sources/registry.ts). */
  sources?: readonly ModelSource[];
  /** Identical generations are replayed from here instead of generated again. */
  generationCache?: GenerationCache;
}

export interface RunResult {
  runId: string;
  dir: string;
  logPath: string;
  manifestPath: string;
  state: RunState;
  /** The run saw what grades it (reference answers, grading tests): an upper bound, as its manifest says. */
  oracle: boolean;
  /** The run stopped because the disk filled: its failure is not the strategy's (an experiment runs it again). */
  diskFull: DiskFullError | null;
}

/** Input that is wrong before anything runs: no run folder is created. */
export class RunInputError extends Error {
  /**
   * The field at fault as a contract path ("actor.path": the form clears the message once it changes), or the
   * setting the message advises ("force"): each audience then hears it by its own name (field-labels.ts).
   */
  readonly field?: string;

  constructor(message: string, field?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "RunInputError";
    if (field) this.field = field;
  }
}

/** Refuses a task with no question, in the words of whoever asked (the form's field, or the CLI's flags). */
export function checkTask(task: Task, audience: Audience): void {
  if (task.question?.trim()) return;
  throw new RunInputError(`the task is empty: ${audience === "ui" ? "type a question" : "give a question (--task) or a dataset item"}`, "task.question");
}

/** Checks a role's model spec through its source before anything loads, naming the role the way the asker does. */
export async function checkRoleSpec(role: ModelRole, spec: string, audience: Audience, sources?: readonly ModelSource[]): Promise<ModelFileSummary | null> {
  try {
    return await sourceFor(spec, sources).check(spec);
  } catch (error) {
    if (error instanceof ModelFileError || error instanceof ModelSpecError)
      throw new RunInputError(`${fieldName([role, "path"], audience)}: ${error.message}`, `${role}.path`);
    throw error;
  }
}

export function newRunId(strategy: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");
  return `${stamp}-${strategy}-${randomBytes(3).toString("hex")}`;
}

/**
 * How a run failed, for its end event: the runner's own and that of a run refused before its log opened (the engine
 * still reports those as runs). Wrong input stays "invalid-input" whatever check found it; a model that would not
 * load or generate is "model-error".
 */
export function failureCode(error: unknown, cancelled = false): RunFailureCode {
  if (cancelled || error instanceof RunCancelledError) return "cancelled";
  if (error instanceof WillNotFitError) return "will-not-fit";
  if (error instanceof GenerationError || error instanceof ModelLoadError || (error as Error | null)?.cause instanceof ModelLoadError) return "model-error";
  if (error instanceof RunInputError || error instanceof StrategyParamError) return "invalid-input";
  return "internal";
}

/**
 * The joint plan's estimate for what was just loaded, next to what loading took: VRAM used (from the driver) and
 * the process's resident memory. Weights are memory-mapped, so resident memory grows as pages are first read;
 * a model loaded by an earlier run of this process shows no growth at all.
 */
async function measureMemory(
  runtime: LlamaRuntime,
  config: RunConfig,
  run: ValidatedRun,
  backends: Record<ModelRole, ModelBackend>,
  actorSequences: number,
  criticSequences: number,
  before: { rss: number; vram: number },
): Promise<RunManifest["memory"]> {
  try {
    // The contexts as loaded; a backend that does not say gets the default a plan assumes.
    const loaded = (role: ModelRole) => backends[role].contextSize?.() ?? config[role].load?.contextSize ?? defaultContextSize(run.files[role]?.contextLength);
    const plan = await planRun(runtime, config, loaded, actorSequences, criticSequences);
    const vramAfter = runtime.report.active === "cpu" ? 0 : (await runtime.llama.getVramState()).used;
    return {
      estimate: { vram: plan.used.vram, ram: plan.used.ram, verdict: plan.verdict },
      actual: { vram: vramAfter - before.vram, rssGrowth: process.memoryUsage().rss - before.rss },
    };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The joint plan for the models with these contexts per sequence, in the run's memory budget (or what is free). */
async function planRun(
  runtime: LlamaRuntime,
  config: RunConfig,
  context: (role: ModelRole) => number,
  actorSequences: number,
  criticSequences: number,
): Promise<MemoryPlan> {
  const { planMemory } = await import("../llm/memory-plan.ts");
  return planMemory({
    llama: runtime.llama,
    actor: { path: config.actor.path, contextSize: context("actor"), sequences: actorSequences },
    critic: { path: config.critic.path, contextSize: context("critic"), sequences: criticSequences },
    ...config.memoryBudget,
  });
}

/** Refuses, before anything loads, models the plan says cannot fit in memory, saying what would make them fit. */
export class WillNotFitError extends RunInputError {
  constructor(readonly plan: MemoryPlan) {
    const fixes = [...plan.suggestions];
    if (plan.gpu) fixes.push("fewer GPU layers");
    super(
      `the models will not fit in memory: ${plan.summary.replace(/^will not fit: /, "")} (${plan.roles
        .map((role) => `${role.role} context ${role.contextSize} × ${role.sequences} lanes${role.sharedWithActor ? " on the actor's copy" : ""}`)
        .join(", ")}). To make it fit: ${fixes.join("; ")}; or, to load anyway, ${advice("force", "ui")}`,
      "force",
    );
    this.name = "WillNotFitError";
  }
}

/** What validation settles before any model loads. */
interface ValidatedRun {
  strategy: StrategyDefinition;
  params: StrategyParams;
  oracle: boolean;
  sampling: Record<ModelRole, SamplingSettings>;
  seed: number;
  /** The checked model files (none when the caller supplies backends). */
  files: Partial<Record<ModelRole, ModelFileSummary>>;
  /** Context the strategy's longest conversation needs with these budgets: an unsized load is at least this. */
  contextNeeded: number;
  /** Where each role's model comes from. */
  sources: Record<ModelRole, ModelSource>;
}

const ROLES = ["actor", "critic"] as const;

interface LoadedBackends {
  /** What the strategy talks to: the opened backends behind the generation cache and capability warnings. */
  backends: Record<ModelRole, ModelBackend>;
  /** The backends as their sources opened them (or the caller gave them), for the run record. */
  opened: Record<ModelRole, ModelBackend>;
  runtime: LlamaRuntime | null;
  memory: RunManifest["memory"];
  /** Actor and critic are one loaded model. */
  sameFile: boolean;
}

interface OpenedRun {
  runId: string;
  dir: string;
  files: RunFiles;
  models: Record<ModelRole, ModelDescriptor>;
  /** The manifest's models as they stand now (a remote one's structured-output form is known after its first verdict). */
  currentModels(): Promise<ManifestModel[]>;
}

export async function executeRun(config: RunConfig, deps: RunDeps = {}): Promise<RunResult> {
  const run = await validateRun(config, deps);
  const loaded = await loadBackends(config, deps, run);
  const opened = await openRunRecord(config, deps, run, loaded);
  const { state, diskFull } = await driveStrategy(config, run, loaded, opened);
  const { runId, dir, files } = opened;
  return { runId, dir, logPath: files.logPath, manifestPath: files.manifestPath, state, oracle: run.oracle, diskFull };
}

/**
 * Whether a run's longest conversation fits its models' context, read from the files without loading them: the
 * RunInputError that would refuse the run, or null (also when the models cannot be read: the run says that itself).
 */
export async function contextRefusal(config: RunConfig): Promise<RunInputError | null> {
  try {
    await validateRun(config, {});
    return null;
  } catch (error) {
    return error instanceof RunInputError && error.field === "contextSize" ? error : null;
  }
}

/** Everything that can be checked without loading a model; a failure here creates no run folder. */
async function validateRun(config: RunConfig, deps: RunDeps): Promise<ValidatedRun> {
  checkTask(config.task, "cli");
  let strategy;
  let params;
  try {
    strategy = getStrategy(config.strategy);
    params = resolveStrategyParams(strategy, config.params ?? {});
  } catch (error) {
    throw new RunInputError((error as Error).message, (error as StrategyParamError).field);
  }
  // Oracle switches (gold answers) anywhere, a pipeline's nested strategies included, mark the run an upper bound.
  const referenceOracle = params.oracle === true || strategy.needsReference?.(params) === true;
  // Other oracles (feedback from the tests that grade the run) need no reference but are upper bounds too.
  const oracle = referenceOracle || strategy.usesOracle?.(params) === true;
  if (referenceOracle && config.task.reference === undefined) throw new RunInputError(`${strategy.name}: oracle mode needs a task with a reference answer`);
  const sampling: Record<ModelRole, SamplingSettings> = {
    actor: { ...DEFAULT_SAMPLING.actor, ...config.actor.sampling },
    critic: { ...DEFAULT_SAMPLING.critic, ...config.critic.sampling },
  };
  const seed = config.seed ?? 0;
  const files: Partial<Record<ModelRole, ModelFileSummary>> = {};
  const sources = {} as Record<ModelRole, ModelSource>;
  for (const role of ROLES) {
    const spec = config[role].path;
    sources[role] = sourceFor(spec, deps.sources);
    if (deps.backends) continue;
    const facts = await checkRoleSpec(role, spec, "ui", deps.sources);
    if (facts) files[role] = facts;
  }
  const contextNeeded = checkContextFits(strategy, params, sampling, config, files, deps.backends);
  return { strategy, params, oracle, sampling, seed, files, contextNeeded, sources };
}

/** Rough prompt allowance before a model is loaded: the question (about 3 characters a token) plus prompts. */
function promptAllowance(task: Task): number {
  return Math.ceil(task.question.length / 3) + 256;
}

/**
 * Refuses, before anything loads or a run folder exists, a run whose longest conversation cannot fit the
 * context it would get (the given --context-size, or the model's trained context). Returns the context the
 * run needs, so an unsized load is made at least that large.
 */
function checkContextFits(
  strategy: StrategyDefinition,
  params: StrategyParams,
  sampling: Record<ModelRole, SamplingSettings>,
  config: RunConfig,
  files: Partial<Record<ModelRole, ModelFileSummary>>,
  backends: Record<ModelRole, ModelBackend> | undefined,
): number {
  const usesCritic = strategy.usesCritic !== false;
  const role = (r: ModelRole) =>
    r === "critic" && !usesCritic ? { answer: 0, thought: 0 } : { answer: sampling[r].maxTokens, thought: sampling[r].thinkingBudget ?? 0 };
  const budgets: ContextBudgets = { prompt: promptAllowance(config.task), actor: role("actor"), critic: role("critic") };
  const needed = strategy.contextNeeded(params, budgets);
  const knobs = (strategy.contextKnobs ?? []).map((name) => `${paramLabel(name)} (${params[name]})`);
  for (const r of usesCritic ? (["actor", "critic"] as const) : (["actor"] as const)) {
    const available = backends ? (backends[r].contextSize?.() ?? null) : (config[r].load?.contextSize ?? files[r]?.contextLength ?? null);
    if (available === null || needed <= available) continue;
    const given = backends ? "its backend's context" : config[r].load?.contextSize ? "the context size given" : "the model's trained context";
    throw new RunInputError(
      `${strategy.name} needs about ${needed} tokens of context for its longest conversation (prompt ${budgets.prompt}, actor answers ${budgets.actor.answer}` +
        `${budgets.actor.thought ? ` + thinking ${budgets.actor.thought}` : ""}${usesCritic ? `, critic ${budgets.critic.answer}${budgets.critic.thought ? ` + thinking ${budgets.critic.thought}` : ""}` : ""}` +
        `${knobs.length ? `; grows with ${knobs.join(", ")}` : ""}), but the ${r}'s context is ${available} tokens (${given}): ${advice("contextSize", "ui")}`,
      "contextSize",
    );
  }
  return needed;
}

/** The caller's backends, or each role's opened by its source (local files loaded once when both roles name one). */
async function loadBackends(config: RunConfig, deps: RunDeps, run: ValidatedRun): Promise<LoadedBackends> {
  const sameFile =
    resolve(config.actor.path) === resolve(config.critic.path) && JSON.stringify(config.actor.load ?? {}) === JSON.stringify(config.critic.load ?? {});
  let opened: Record<ModelRole, ModelBackend>;
  let runtime: LlamaRuntime | null = null;
  let memory: RunManifest["memory"];
  if (deps.backends) opened = deps.backends;
  else if (ROLES.some((role) => run.sources[role].loadsLocally)) ({ backends: opened, runtime, memory } = await loadLocalBackends(config, run, sameFile));
  else opened = { actor: run.sources.actor.open(config.actor.path), critic: run.sources.critic.open(config.critic.path) };
  let backends = deps.backends
    ? opened
    : { actor: warnUnsupported(opened.actor, run.sources.actor), critic: warnUnsupported(opened.critic, run.sources.critic) };
  if (deps.generationCache) {
    const cache = deps.generationCache;
    const identity = async (role: ModelRole) =>
      deps.backends ? `${backends[role].kind}:${role}` : run.sources[role].cacheIdentity(config[role].path, config[role].load);
    backends = { actor: cache.wrap(backends.actor, await identity("actor")), critic: cache.wrap(backends.critic, await identity("critic")) };
  }
  return { backends, opened, runtime, memory, sameFile };
}

/** Loads the roles whose source loads locally into one runtime (after the memory plan agrees) and opens the others. */
async function loadLocalBackends(
  config: RunConfig,
  run: ValidatedRun,
  sameFile: boolean,
): Promise<{ backends: Record<ModelRole, ModelBackend>; runtime: LlamaRuntime; memory: RunManifest["memory"] }> {
  const runtime = await openRuntime({ gpu: config.gpu, threads: config.threads });
  const runs = Math.max(1, config.concurrentRuns ?? 1);
  const lanes = Math.max(run.strategy.actorLanes(run.params), config.lanesAtLeast ?? 1);
  const actorLanes = lanes * runs;
  const criticLanes = Math.min(lanes, MAX_LANES) * runs;
  const scope = config.laneScope ? `${config.laneScope}/` : "";
  const loadOptions = (role: ModelRole, sequences: number) => ({
    ...config[role].load,
    sequences,
    ...(config[role].load?.contextSize ? {} : { minContextSize: run.contextNeeded }),
  });
  const load = async (role: ModelRole, sequences: number) => {
    config.onProgress?.(`loading ${role} ${config[role].path}`);
    let last = -1;
    return runtime.loadModel(
      config[role].path,
      loadOptions(role, sequences),
      (progress) => {
        const percent = Math.floor(progress * 10) * 10;
        if (percent !== last) config.onProgress?.(`loading ${role}: ${percent}%`);
        last = percent;
      },
      config.signal,
    );
  };
  const bothLocal = ROLES.every((role) => run.sources[role].loadsLocally);
  const oneCopy = bothLocal && sameFile;
  const criticSequences = oneCopy ? actorLanes + criticLanes : criticLanes;
  // Nothing to refuse when every copy the run uses is already loaded (a server's next request, an experiment's next
  // cell): the plan dry-runs llama.cpp for the context this question needs, milliseconds a request.
  const held = async () =>
    oneCopy
      ? runtime.holds(config.actor.path, loadOptions("actor", actorLanes + criticLanes))
      : (await runtime.holds(config.actor.path, loadOptions("actor", actorLanes))) &&
        (await runtime.holds(config.critic.path, loadOptions("critic", criticLanes)));
  if (!config.force && bothLocal && !(await held())) {
    // A load that cannot fit ends in an allocation failure (or the machine swapping) long after the user waited.
    // The least the load would try: the context given, else what the run needs (it grows into free memory from there).
    const least = (role: ModelRole) => config[role].load?.contextSize ?? Math.min(run.contextNeeded, run.files[role]?.contextLength ?? run.contextNeeded);
    const plan = await planRun(runtime, config, least, actorLanes, criticSequences).catch(() => null);
    if (plan?.verdict === "will-not-fit") throw new WillNotFitError(plan);
  }
  // Memory before loading, to record what loading actually took next to the plan's estimate.
  const before = { rss: process.memoryUsage().rss, vram: runtime.report.active === "cpu" ? 0 : (await runtime.llama.getVramState()).used };
  const backends = {} as Record<ModelRole, ModelBackend>;
  try {
    const shared = oneCopy ? await load("actor", actorLanes + criticLanes) : null;
    for (const role of ROLES) {
      const source = run.sources[role];
      const spec = config[role].path;
      if (!source.loadsLocally) {
        backends[role] = source.open(spec);
        continue;
      }
      const model = shared ?? (await load(role, role === "actor" ? actorLanes : criticLanes));
      backends[role] = source.open(spec, { runtime, model, lane: `${scope}${role}` });
    }
  } catch (error) {
    if (error instanceof ModelLoadError) throw new RunInputError(error.message, undefined, error);
    throw error;
  }
  // The plan covers both roles' local copies: with one role elsewhere there is no estimate to set beside what loading took.
  const memory = bothLocal ? await measureMemory(runtime, config, run, backends, actorLanes, criticSequences, before) : undefined;
  return { backends, runtime, memory };
}

/** The load settings a user chose (not minContextSize, which the run works out), or undefined when none were. */
function requestedLoad(load: ModelConfig["load"]): RequestedLoad | undefined {
  if (!load) return undefined;
  const { gpuLayers, contextSize, flashAttention, chatWrapper } = load;
  const requested: RequestedLoad = {
    ...(gpuLayers !== undefined ? { gpuLayers } : {}),
    ...(contextSize !== undefined ? { contextSize } : {}),
    ...(flashAttention !== undefined ? { flashAttention } : {}),
    ...(chatWrapper !== undefined ? { chatWrapper } : {}),
  };
  return Object.keys(requested).length ? requested : undefined;
}

/** The run folder with its manifest (status running) and an open event log. */
async function openRunRecord(config: RunConfig, deps: RunDeps, run: ValidatedRun, loaded: LoadedBackends): Promise<OpenedRun> {
  const { strategy, params, oracle, sampling, seed, files } = run;
  const { backends, runtime, memory, sameFile } = loaded;
  const runId = config.runId ?? newRunId(strategy.name);
  const dir = runDir(config.outDir, runId);
  const describe = async (role: ModelRole): Promise<{ descriptor: ModelDescriptor; manifest: ManifestModel }> => {
    const file = files[role];
    const record = run.sources[role].describe(config[role].path, loaded.opened[role]);
    const { path } = record;
    const sha256 = file ? await cachedSha256(path) : null;
    const load = file ? requestedLoad(config[role].load) : undefined;
    const descriptor: ModelDescriptor = {
      path,
      name: record.name ?? file?.name ?? basename(path),
      sizeBytes: file?.sizeBytes ?? 0,
      ...(sha256 ? { sha256 } : {}),
      ...(file?.architecture ? { architecture: file.architecture } : {}),
      sampling: sampling[role],
      ...(load ? { load } : {}),
    };
    const manifest: ManifestModel = {
      role,
      path,
      sizeBytes: descriptor.sizeBytes,
      sha256,
      architecture: file?.architecture ?? null,
      name: file?.name ?? null,
      load: config[role].load ?? {},
      sampling: { ...sampling[role] },
      ...(sameFile && role === "critic" && !deps.backends ? { sharedWith: "actor" as const } : {}),
      ...(loaded.backends[role].chatFormat?.() ? { chatFormat: loaded.backends[role].chatFormat!()! } : {}),
      ...(loaded.backends[role].contextSize?.() ? { contextSize: loaded.backends[role].contextSize!()! } : {}),
      ...(record.remote ? { remote: record.remote } : {}),
    };
    return { descriptor, manifest };
  };
  const reproducibility = deps.backends ? undefined : ROLES.map((role) => run.sources[role].reproducibility).find(Boolean);
  const actorInfo = await describe("actor");
  const criticInfo = await describe("critic");
  const manifest: RunManifest = {
    runId,
    createdAt: new Date().toISOString(),
    status: "running",
    strategy: strategy.name,
    params,
    oracle,
    seed,
    parallel: config.parallel ?? true,
    maxTotalTokens: config.maxTotalTokens ?? 0,
    task: config.task,
    models: [actorInfo.manifest, criticInfo.manifest],
    // A copy: the runtime's threads follow the machine's load, the manifest keeps those this run started with.
    backend: runtime ? { ...runtime.report } : { kind: backends.actor.kind },
    refineryVersion: REFINERY_VERSION,
    ...(reproducibility ? { reproducibility } : {}),
    ...(memory ? { memory } : {}),
    prompts: { ...prompts },
  };
  // Folder, reserve, manifest and log; a full disk here leaves no folder behind.
  const record = RunFiles.open(dir, manifest);
  // A server's side (its structured-output form) is known only after its first verdict: described again at the end.
  const currentModels = async () => [(await describe("actor")).manifest, (await describe("critic")).manifest];
  return { runId, dir, files: record, models: { actor: actorInfo.descriptor, critic: criticInfo.descriptor }, currentModels };
}

/**
 * Runs the strategy, judges the selected answer, and ends the log and manifest with how the run ended: one end
 * event, written after the verdict so a failure to write it (a full disk) can still be said instead.
 */
async function driveStrategy(
  config: RunConfig,
  run: ValidatedRun,
  loaded: LoadedBackends,
  opened: OpenedRun,
): Promise<{ state: RunState; diskFull: DiskFullError | null }> {
  const { strategy, params, oracle, sampling, seed } = run;
  const { runId, files } = opened;
  const ctx = new RunContext({
    actor: loaded.backends.actor,
    critic: loaded.backends.critic,
    sampling,
    task: config.task,
    seed,
    signal: config.signal ?? new AbortController().signal,
    parallel: config.parallel ?? true,
    maxTotalTokens: config.maxTotalTokens ?? 0,
    oracle,
    ...(config.samplingPolicy ? { samplingPolicy: config.samplingPolicy } : {}),
    emit: (event) => {
      files.append(event);
      config.onEvent?.(event);
    },
  });

  let end: Extract<RunEvent, { type: "run-finished" | "run-failed" }>;
  try {
    ctx.emit({
      type: "run-started",
      at: Date.now(),
      runId,
      strategy: strategy.name,
      params,
      models: opened.models,
      seed,
      task: config.task,
    });
    const selection = await strategy.run(ctx, params);
    const selected = ctx.node(selection.nodeId);
    // Judged outside the tree (evaluation, not strategy): code by its tests, choices by letter, answers by value.
    const correct = await candidateIsCorrect(config.task, selected);
    end = {
      type: "run-finished",
      at: Date.now(),
      selectedNodeId: selected.id,
      answer: selected.answer,
      correct,
      budgets: computeBudgets(ctx.state, selected.id),
      stopReason: decideStopReason({
        ...(selection.stop ? { declared: selection.stop } : {}),
        budgetRefused: ctx.budgetRefused,
        contextCut: Object.values(ctx.state.nodes).some((n) => n.warning !== undefined && /context/i.test(n.warning)),
        selectedAnswerCut: selected.answerCut === true,
      }),
      sampling: ctx.effectiveSampling(),
    };
  } catch (error) {
    const full = diskFullCause(error);
    if (full) files.noteDiskFull(full);
    const reason = error instanceof RunCancelledError ? CANCELLED_BY_USER : full ? full.message : (error as Error).message;
    end = { type: "run-failed", at: Date.now(), reason, code: failureCode(error) };
  }
  // A log that stopped at a full disk is missing events: the run cannot count as finished.
  if (files.diskFull) end = { type: "run-failed", at: Date.now(), reason: files.diskFull.message, code: "internal" };
  let diskFull: DiskFullError | null;
  try {
    diskFull = files.end(end, await opened.currentModels().catch(() => undefined)) ?? files.diskFull;
  } finally {
    files.close();
  }
  ctx.emit(end);
  return { state: ctx.state, diskFull };
}
