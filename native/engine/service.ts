// The engine behind the bridge: answers contract requests in-process (runs, history, model metadata,
// strategies) and pushes run events in batches. It runs inside the engine process that Electron's main
// process or the web server supervises; the CLI and tests can also use it directly.
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { freemem, totalmem } from "node:os";
import { join, resolve } from "node:path";
import type { CriticEvalEvent, EngineEvent, EngineInfo, ExperimentListing, ExperimentProgressEvent, RequestName, ResponseTypes, Result, RunSummary } from "../protocol/contract.ts";
import { requestSchemas } from "../protocol/contract.ts";
import type { RunEvent } from "../protocol/events.ts";
import { readDataset } from "../eval/dataset.ts";
import { checkModelFile } from "../llm/gguf-check.ts";
import { isEndpointSpec } from "../llm/model-spec.ts";
import { openRuntime, type GpuChoice } from "../llm/runtime.ts";
import { readManifest } from "../runs/manifest.ts";
import { readRunLog } from "../runs/run-log.ts";
import { executeRun, newRunId, RunInputError } from "../runs/runner.ts";
import { specName } from "../strategies/spec.ts";
import { strategies, getStrategy } from "../strategies/registry.ts";
import { resolveStrategyParams } from "../strategies/types.ts";
import { EventBatcher } from "./event-batcher.ts";
import type { z } from "zod";

export interface EngineServiceOptions {
  runsDir: string;
  gpu?: GpuChoice;
  threads?: number;
  mode: EngineInfo["mode"];
  emit: (event: EngineEvent) => void;
}

type Input<K extends RequestName> = z.output<(typeof requestSchemas)[K]>;
/** pickModelFile (a native dialog) and setBackend (which engine process to start) belong to the supervisor. */
type Handlers = { [K in Exclude<RequestName, "pickModelFile" | "setBackend">]: (input: Input<K>) => Promise<ResponseTypes[K]> };

export class EngineService {
  private readonly active = new Map<string, AbortController>();
  private readonly criticEvals = new Map<string, AbortController>();
  private readonly datasetFieldCache = new Map<string, Promise<Array<Record<string, string>> | null>>();
  private readonly experiments = new Map<string, { control: import("../eval/experiment.ts").ExperimentControl; progress: ExperimentProgressEvent }>();
  private readonly batcher: EventBatcher;

  constructor(private readonly options: EngineServiceOptions) {
    this.batcher = new EventBatcher((runId, events) => options.emit({ type: "run-events", runId, events }));
  }

  async handle(name: RequestName, input: unknown): Promise<Result<unknown>> {
    if (name === "pickModelFile") return { ok: false, error: "file dialogs are only available in the desktop app; type the model's path" };
    if (name === "setBackend") return { ok: false, error: "the backend is chosen by the supervisor that starts the engine" };
    try {
      const handler = this.handlers[name] as (input: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(input) };
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
  }

  /**
   * An experiment's dataset fields for the grid's filter and breakdowns, read once per version of the file: the
   * compare view reloads several times a second while an experiment runs. A dataset moved away only loses them.
   */
  private async datasetFields(config: import("../eval/experiment.ts").ExperimentConfig): Promise<Array<Record<string, string>> | null> {
    const { loadExperimentDataset } = await import("../eval/experiment.ts");
    const mtime = await stat(config.dataset).then((s) => s.mtimeMs, () => null);
    if (mtime === null) return null;
    const key = JSON.stringify([config.dataset, config.limit, config.offset, config.fields, mtime]);
    let fields = this.datasetFieldCache.get(key);
    if (!fields) {
      fields = loadExperimentDataset(config, { skipMalformed: true }).then((d) => d.fields, () => null);
      this.datasetFieldCache.clear();
      this.datasetFieldCache.set(key, fields);
    }
    return fields;
  }

  get activeRunIds(): string[] {
    return [...this.active.keys()];
  }

  private readonly handlers: Handlers = {
    startRun: async (input) => {
      // Validate what can be validated before answering, so a bad request fails the call itself.
      if (!input.task.question.trim()) throw new RunInputError("the task is empty: type a question");
      resolveStrategyParams(getStrategy(input.strategy), input.params ?? {});
      for (const role of ["actor", "critic"] as const) {
        if (isEndpointSpec(input[role].path)) continue;
        await checkModelFile(input[role].path).catch((error: Error) => {
          throw new RunInputError(`${role} model: ${error.message}`);
        });
      }
      const runId = newRunId(input.strategy);
      const controller = new AbortController();
      this.active.set(runId, controller);
      const emit = (event: RunEvent) => this.batcher.push(runId, event);
      void executeRun({
        ...input,
        runId,
        outDir: this.options.runsDir,
        gpu: this.options.gpu,
        threads: this.options.threads,
        signal: controller.signal,
        onEvent: emit,
      })
        .catch((error: Error) => {
          // Failures before the log opens (a model that does not load) still reach the UI as a failed run.
          emit({ type: "run-failed", at: Date.now(), reason: error.message, code: error instanceof RunInputError ? "model-error" : "internal" });
        })
        .finally(() => {
          this.batcher.flush();
          this.active.delete(runId);
        });
      return { runId };
    },
    cancelRun: async ({ runId }) => {
      const controller = this.active.get(runId);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },
    listRuns: async () => listRuns(this.options.runsDir, new Set(this.active.keys())),
    loadRun: async ({ runId, experiment }) => (await readRunLog(join(experiment ? join(experiment, "runs") : this.options.runsDir, runId, "events.jsonl"))).events,
    loadExperiment: async ({ path, baseline }) => {
      const { breakdownByField, readExperimentConfig, readResults, summarize } = await import("../eval/experiment.ts");
      const config = readExperimentConfig(path);
      if (!config) throw new Error(`${path} is not an experiment folder (no experiment.json)`);
      const columns = config.columns.map((c) => c.name);
      if (baseline !== undefined && !columns.includes(baseline)) throw new Error(`no column '${baseline}' in this experiment`);
      const results = readResults(path);
      const dataset = await this.datasetFields(config);
      return {
        path: resolve(path),
        columns,
        dataset: config.dataset,
        results: results.map(({ trajectory: _t, ...cell }) => cell),
        summary: summarize(results, columns, baseline ?? columns[0]),
        itemFields: Object.fromEntries((dataset ?? []).map((fields, item) => [item, fields])),
        breakdowns: dataset ? breakdownByField(results, columns, dataset) : [],
        progress: this.experiments.get(resolve(path))?.progress ?? null,
      };
    },
    startExperiment: async (input) => {
      const { autoConcurrency, columnsFor, ExperimentControl, ExperimentError, prepareExperiment, readExperimentConfig, readResults, runExperiment } = await import("../eval/experiment.ts");
      const path = resolve(input.out ?? join(this.options.runsDir, "..", "experiments", newRunId("experiment")));
      if (this.experiments.get(path)?.progress.state === "running" || this.experiments.get(path)?.progress.state === "paused") throw new ExperimentError(`${path} is already running`);
      let config = readExperimentConfig(path);
      if (!config) {
        if (!input.dataset || !input.columns || !input.pairs) throw new ExperimentError("a new experiment needs a dataset, at least one strategy and an actor model");
        const pairs = input.pairs.map((pair) => ({ actor: pair.actor, critic: pair.critic ?? { path: pair.actor.path } }));
        config = {
          dataset: resolve(input.dataset),
          ...(input.limit ? { limit: input.limit } : {}),
          ...(input.offset ? { offset: input.offset } : {}),
          ...(input.fields ? { fields: input.fields } : {}),
          ...(input.skipMalformed ? { skipMalformed: true } : {}),
          columns: columnsFor(
            await Promise.all(
              input.columns.map(async (column) => {
                if ("preset" in column) {
                  const { presetToRun, readPreset } = await import("../strategies/pipeline.ts");
                  const preset = await readPreset(column.preset);
                  return { name: preset.name, ...presetToRun(preset) };
                }
                return {
                  name: column.name ?? specName(column.strategy, column.params),
                  strategy: column.strategy,
                  ...(column.params ? { params: column.params } : {}),
                };
              }),
            ),
            pairs,
          ),
          seed: input.seed ?? 0,
          ...(this.options.gpu ? { gpu: this.options.gpu } : {}),
          ...(this.options.threads ? { threads: this.options.threads } : {}),
          ...(input.maxTotalTokens ? { maxTotalTokens: input.maxTotalTokens } : {}),
        };
        for (const column of config.columns) resolveStrategyParams(getStrategy(column.strategy), column.params ?? {});
        for (const pair of pairs) {
          for (const role of ["actor", "critic"] as const) {
            if (isEndpointSpec(pair[role].path)) continue;
            await checkModelFile(pair[role].path).catch((error: Error) => {
              throw new RunInputError(`${role} model: ${error.message}`);
            });
          }
        }
      }
      // Refuse a malformed dataset or a folder holding another experiment in the call itself; once it answers, the
      // folder loads (the UI opens it at once).
      const prepared = await prepareExperiment(path, config);
      const { tasks } = prepared;
      // Remote models only: each endpoint's concurrency decides (the experiment's endpoint pool).
      const remoteOnly = config.columns.every((c) => isEndpointSpec(c.actor.path) && isEndpointSpec(c.critic.path));
      const concurrency = input.concurrency ?? (remoteOnly ? undefined : autoConcurrency((await openRuntime({ gpu: this.options.gpu, threads: this.options.threads })).report.active));
      const control = new ExperimentControl();
      const total = tasks.length * config.columns.length;
      const entry = { control, progress: { type: "experiment-progress" as const, path, state: "running" as const, done: 0, total, running: 0, etaSeconds: null, tokensPerSecond: 0, cacheHits: 0, skippedRecords: 0 } as ExperimentProgressEvent };
      this.experiments.set(path, entry);
      const publish = (update: Partial<ExperimentProgressEvent>) => {
        entry.progress = { ...entry.progress, ...update };
        this.options.emit(entry.progress);
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
          }),
      })
        .then((results) => publish({ state: control.signal.aborted ? "stopped" : "finished", done: results.length, running: 0 }))
        .catch((error: Error) => publish({ state: "failed", running: 0, error: error.message }));
      return { path, total, done };
    },
    startCriticEval: async (input) => {
      const { readProcessBench, readRealCritic, runCriticEvaluation, describeCriticEval } = await import("../eval/critic-eval.ts");
      // A file of the wrong kind is refused in the call itself.
      const items = input.mode === "processbench" ? await readProcessBench(input.dataset, input.limit) : await readRealCritic(input.dataset, input.limit);
      for (const path of [input.critic, ...(input.actor ? [input.actor] : [])]) await checkModelFile(path);
      const evalId = newRunId(`critic-eval-${input.mode}`);
      const controller = new AbortController();
      this.criticEvals.set(evalId, controller);
      let event: CriticEvalEvent = { type: "critic-eval", evalId, mode: input.mode, dataset: resolve(input.dataset), state: "running", done: 0, total: items.length };
      const publish = (update: Partial<CriticEvalEvent>) => {
        event = { ...event, ...update };
        this.options.emit(event);
      };
      publish({});
      void runCriticEvaluation({ ...input, gpu: this.options.gpu, threads: this.options.threads }, { signal: controller.signal, onProgress: (done, total) => publish({ done, total }) })
        .then(async (outcome) => {
          const dir = resolve(this.options.runsDir, "..", "critic-evals");
          await mkdir(dir, { recursive: true });
          const resultPath = join(dir, `${evalId}.json`);
          await writeFile(resultPath, `${JSON.stringify({ request: input, ...outcome }, null, 2)}\n`);
          const r = outcome.result;
          publish({
            state: "finished",
            summary: describeCriticEval(outcome),
            resultPath,
            ...(outcome.mode === "processbench"
              ? { processbench: { items: outcome.result.rows.length, erroneousAccuracy: outcome.result.erroneousAccuracy, correctAccuracy: outcome.result.correctAccuracy, f1: outcome.result.f1, unparseable: outcome.result.unparseable } }
              : { realcritic: { items: r.rows.length, solver: outcome.solver, accuracyBefore: outcome.result.accuracyBefore, accuracyAfter: outcome.result.accuracyAfter, transitions: outcome.result.transitions } }),
          });
        })
        .catch((error: Error) => publish(controller.signal.aborted ? { state: "cancelled" } : { state: "failed", error: error.message }))
        .finally(() => this.criticEvals.delete(evalId));
      return { evalId };
    },
    cancelCriticEval: async ({ evalId }) => {
      const controller = this.criticEvals.get(evalId);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },
    listExperiments: async () => {
      const { readExperimentConfig, readResults } = await import("../eval/experiment.ts");
      const root = resolve(this.options.runsDir, "..", "experiments");
      const names = await readdir(root).catch(() => [] as string[]);
      const paths = new Set([...names.map((name) => join(root, name)), ...this.experiments.keys()]);
      const listings: ExperimentListing[] = [];
      for (const path of paths) {
        const config = readExperimentConfig(path);
        if (!config) continue;
        const modified = await stat(join(path, "experiment.json")).then((s) => s.mtime, () => new Date(0));
        const results = await stat(join(path, "results.jsonl")).then((s) => s.mtime, () => modified);
        listings.push({
          path,
          dataset: config.dataset,
          columns: config.columns.map((c) => c.name),
          done: readResults(path).length,
          modifiedAt: (results > modified ? results : modified).toISOString(),
          state: this.experiments.get(path)?.progress.state ?? null,
        });
      }
      return listings.sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt));
    },
    controlExperiment: async ({ path, action }) => {
      const entry = this.experiments.get(resolve(path));
      if (!entry || (entry.progress.state !== "running" && entry.progress.state !== "paused")) throw new Error(`no experiment is running in ${path}`);
      if (action === "pause") entry.control.pause();
      else if (action === "resume") entry.control.resume();
      else entry.control.stop();
      return { state: action === "stop" ? "stopped" : entry.control.paused ? "paused" : "running" };
    },
    inspectModel: async ({ path }) => {
      const file = await checkModelFile(path);
      return {
        path: resolve(path),
        sizeBytes: file.sizeBytes,
        architecture: file.architecture,
        name: file.name,
        contextLength: file.contextLength,
        layers: file.layers,
        chatTemplate: file.hasChatTemplate,
      };
    },
    listStrategies: async () => strategies.map(({ name, title, paper, summary, params }) => ({ name, title, paper, summary, params })),
    engineInfo: async () => {
      const runtime = await openRuntime({ gpu: this.options.gpu, threads: this.options.threads }).catch(() => null);
      return { backend: runtime?.report ?? null, runsDir: resolve(this.options.runsDir), mode: this.options.mode, pid: process.pid };
    },
    readDataset: async ({ path, limit }) => readDataset(path, { limit: limit ?? 200 }),
    gpuReport: async ({ refresh }) => {
      const { probeBackends } = await import("../llm/gpu-probe.ts");
      const report = await probeBackends({ refresh, all: true });
      const runtime = await openRuntime({ gpu: this.options.gpu, threads: this.options.threads });
      const vram = runtime.report.active === "cpu" ? null : await runtime.llama.getVramState();
      return { ...report, memory: { ramFree: freemem(), ramTotal: totalmem(), vram: vram ? { total: vram.total, used: vram.used, free: vram.free } : null } };
    },
    planMemory: async (input) => {
      const { planMemory } = await import("../llm/memory-plan.ts");
      for (const path of [input.actor, input.critic]) await checkModelFile(path);
      const runtime = await openRuntime({ gpu: this.options.gpu, threads: this.options.threads });
      const contextSize = input.contextSize ?? 4096;
      return planMemory({
        llama: runtime.llama,
        actor: { path: input.actor, contextSize, sequences: input.actorSequences ?? 1 },
        critic: { path: input.critic, contextSize, sequences: input.criticSequences ?? 1 },
        vram: input.vram,
        ram: input.ram,
      });
    },
    listModels: async () => {
      const { defaultRoots, readAddedModels, scanLibrary } = await import("../llm/library.ts");
      const roots = defaultRoots();
      roots.added = await readAddedModels();
      return scanLibrary(roots);
    },
    addModel: async ({ path }) => {
      const { addModel } = await import("../llm/library.ts");
      return { added: await addModel(path) };
    },
    startDownload: async ({ uri, sha256, fileName }) => {
      const { downloadModel } = await import("../llm/downloads.ts");
      const { defaultRoots } = await import("../llm/library.ts");
      const downloadId = `d${++this.downloadCounter}`;
      const controller = new AbortController();
      this.downloads.set(downloadId, controller);
      const base = { type: "download" as const, downloadId, uri };
      let last = { downloadedBytes: 0, totalBytes: 0, speed: 0, etaSeconds: 0 };
      let lastSent = 0;
      void downloadModel({
        uri,
        sha256,
        fileName,
        dir: defaultRoots().refinery,
        signal: controller.signal,
        onProgress: (progress) => {
          last = progress;
          if (Date.now() - lastSent < 200) return;
          lastSent = Date.now();
          this.options.emit({ ...base, state: "running", ...progress });
        },
      })
        .then((result) => this.options.emit({ ...base, state: "done", ...last, downloadedBytes: result.sizeBytes, totalBytes: result.sizeBytes, path: result.path }))
        .catch((error: Error & { kind?: string }) => this.options.emit({ ...base, state: error.kind === "cancelled" ? "cancelled" : "failed", ...last, error: error.message }))
        .finally(() => this.downloads.delete(downloadId));
      return { downloadId };
    },
    getLoadSettings: async ({ path }) => (await import("../llm/load-settings.ts")).getLoadSettings(path),
    saveLoadSettings: async ({ path, role, load }) => {
      await checkModelFile(path);
      return (await import("../llm/load-settings.ts")).saveLoadSettings(path, role, load);
    },
    testEndpoint: async ({ spec, apiKey }) => (await import("../llm/endpoint-test.ts")).testEndpoint(spec, apiKey),
    cancelDownload: async ({ downloadId }) => {
      const controller = this.downloads.get(downloadId);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },
  };

  private downloadCounter = 0;
  private readonly downloads = new Map<string, AbortController>();
}

export async function listRuns(runsDir: string, active: Set<string>): Promise<RunSummary[]> {
  let names: string[];
  try {
    names = await readdir(runsDir);
  } catch {
    return [];
  }
  const summaries: RunSummary[] = [];
  for (const runId of names) {
    const manifest = await readManifest(join(runsDir, runId, "manifest.json")).catch(() => null);
    if (!manifest) continue;
    let answer: string | null = null;
    let correct: boolean | null = null;
    let status = manifest.status;
    let failure = manifest.failure;
    if (status === "finished") {
      const log = await readFile(join(runsDir, runId, "events.jsonl"), "utf8").catch(() => "");
      const last = log.trimEnd().split("\n").at(-1);
      try {
        const event = JSON.parse(last ?? "") as RunEvent;
        if (event.type === "run-finished") ({ answer, correct } = event);
      } catch {
        // a summary without the answer is still a summary
      }
    } else if (status === "running" && !active.has(runId)) {
      status = "failed";
      failure = "interrupted: the engine stopped before the run finished";
    }
    summaries.push({ runId, strategy: manifest.strategy, question: manifest.task.question, status, createdAt: manifest.createdAt, answer, correct, ...(failure ? { failure } : {}) });
  }
  return summaries.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
