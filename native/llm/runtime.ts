// One node-llama-cpp instance per process: picks the GPU backend (or CPU) and says why, sets threads
// explicitly, and pools loaded models so actor and critic share one copy when they name the same file.
import { availableParallelism } from "node:os";
import { decodeThreadsFor, measureDecodeThreads } from "./cpu-headroom.ts";
import type { BackendReport, GpuChoice } from "../protocol/contract.ts";
import type { RequestedLoad } from "../protocol/events.ts";
import { realpath } from "node:fs/promises";
import {
  getLlama,
  getModuleVersion,
  InsufficientMemoryError,
  LlamaLogLevel,
  type Llama,
  type LlamaContext,
  type LlamaGrammar,
  type LlamaModel,
  resolveChatWrapper,
  resolvableChatWrapperTypeNames,
  type ChatWrapper,
  type ResolvableChatWrapperTypeName,
} from "node-llama-cpp";
import { ModelFileError, type ModelFileSummary } from "./gguf-check.ts";
import { modelFacts } from "./model-facts.ts";
import type { ChatFormatInfo, JsonSchema } from "./backend.ts";
import { explain, probeBackends } from "./gpu-probe.ts";
import { unavailableReason } from "./backend-options.ts";

/** Chat wrapper names a user may give with --chat-wrapper ("auto" is the default, resolved from the GGUF). */
export const chatWrapperNames = resolvableChatWrapperTypeNames.filter((name) => name !== "auto" && name !== "template");

export type { BackendReport, GpuChoice };

/** The user's load settings plus what the run works out. */
export interface ModelLoadOptions extends RequestedLoad {
  /** The least context the run needs (its longest conversation); loading fails clearly when that does not fit. */
  minContextSize?: number;
  /** Parallel sequences in the model's context; the first load of a file decides (share-aware callers pass the max). */
  sequences?: number;
}

export class ModelLoadError extends Error {
  constructor(
    readonly path: string,
    message: string,
    readonly kind: "file" | "memory" | "load",
  ) {
    super(message);
    this.name = "ModelLoadError";
  }
}

/**
 * node-llama-cpp defaults to max(4, cores) threads, which oversubscribes small machines badly (measured about
 * 300× slower on 2 cores); leave one core to the rest of the app where there are more than two. The threads a
 * runtime decodes with also follow the load other programs put on the machine (cpu-headroom.ts).
 */
export function defaultThreads(): number {
  return decodeThreadsFor(availableParallelism(), availableParallelism()).threads;
}

export interface LoadedModel {
  key: string;
  file: ModelFileSummary;
  model: LlamaModel;
  context: LlamaContext;
  chatWrapper: ChatWrapper;
  chatFormat: ChatFormatInfo;
}

/** Compiled grammars kept per runtime (a critic's verdict schemas are a handful; the rest come from API clients). */
const GRAMMARS_KEPT = 64;

export class LlamaRuntime {
  private readonly models = new Map<string, Promise<LoadedModel>>();
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  private generating = 0;

  constructor(
    readonly llama: Llama,
    readonly report: BackendReport,
    /** Threads the user set (--threads): used for everything, never re-measured. */
    private readonly pinnedThreads: number | null = null,
  ) {}

  /**
   * Measures the cores other programs leave idle and decodes on those from now on. Done when a model loads and
   * nothing of this process generates, so its own decoding is not taken for someone else's.
   */
  async fitThreadsToLoad(): Promise<void> {
    if (this.pinnedThreads !== null || this.generating > 0) return;
    const fitted = await measureDecodeThreads();
    if (this.generating > 0) return;
    this.report.threads = fitted.threads;
    this.report.parallelThreads = fitted.parallelThreads;
    this.report.threadsReason = fitted.reason;
    this.llama.maxThreads = fitted.threads;
  }

  /**
   * Brackets one generation (from its sequence lease to its release). One generation decodes on `threads`; while
   * two or more run, their tokens share each batch and it decodes on `parallelThreads`. Measured here (2 cores,
   * bench/results/engine.md): a single sequence on 2 threads decodes no faster, often slower, than on 1 — its
   * thread pool waits on the JavaScript thread each token — while a batch of 4 decodes nearly twice as fast on 2.
   * llama.maxThreads bounds what node-llama-cpp's thread splitter hands each decode.
   */
  generationStarted(): void {
    this.generating++;
    if (this.generating === 2) this.llama.maxThreads = this.report.parallelThreads;
  }

  generationEnded(): void {
    this.generating = Math.max(0, this.generating - 1);
    if (this.generating === 1) this.llama.maxThreads = this.report.threads;
  }

  /** Loads (or returns the already loaded) model for this file and these options. */
  async loadModel(path: string, options: ModelLoadOptions, onProgress?: (progress: number) => void, signal?: AbortSignal): Promise<LoadedModel> {
    const file = await modelFacts(path).catch((error: unknown) => {
      if (error instanceof ModelFileError) throw new ModelLoadError(path, error.message, "file");
      throw error;
    });
    const chosen = await chosenSettings(path, options);
    const key = `${chosen}|${options.minContextSize ?? null}`;
    // Checked again after looking through the others: a call like this one may have started loading meanwhile.
    let loading = this.models.get(key) ?? (await this.loadedHolding(chosen, options)) ?? this.models.get(key);
    if (!loading) {
      loading = this.load(key, file, options, onProgress, signal);
      this.models.set(key, loading);
      loading.catch(() => this.models.delete(key));
    } else {
      onProgress?.(1);
    }
    return loading;
  }

  /** Whether loadModel with these options would hand back a copy this runtime has (loaded or loading): nothing would load. */
  async holds(path: string, options: ModelLoadOptions): Promise<boolean> {
    const chosen = await chosenSettings(path, options).catch(() => null);
    if (chosen === null) return false;
    return this.models.has(`${chosen}|${options.minContextSize ?? null}`) || (await this.loadedHolding(chosen, options)) !== undefined;
  }

  /**
   * A copy already loaded with the same chosen settings whose context holds the tokens and sequences asked for.
   * A run's least context depends on its question and budgets, so without this every `serve --openai` request
   * (and every experiment column) would load the model again beside the copy that serves it.
   */
  private async loadedHolding(chosen: string, options: ModelLoadOptions): Promise<Promise<LoadedModel> | undefined> {
    for (const [key, loading] of this.models) {
      if (!key.startsWith(`${chosen}|`)) continue;
      const loaded = await loading.catch(() => null);
      if (!loaded) continue;
      // As contextSizeRequest asks: no more than the model was trained on.
      const least = Math.min(options.minContextSize ?? 0, loaded.model.trainContextSize > 0 ? loaded.model.trainContextSize : 4096);
      if (loaded.context.contextSize >= least && loaded.context.totalSequences >= (options.sequences ?? 1)) return loading;
    }
    return undefined;
  }

  private async load(
    key: string,
    file: ModelFileSummary,
    options: ModelLoadOptions,
    onProgress?: (progress: number) => void,
    signal?: AbortSignal,
  ): Promise<LoadedModel> {
    await this.fitThreadsToLoad();
    let model: LlamaModel;
    try {
      model = await this.llama.loadModel({
        modelPath: file.path,
        gpuLayers: options.gpuLayers ?? "auto",
        onLoadProgress: onProgress,
        loadSignal: signal,
      });
    } catch (error) {
      throw describeLoadError(file.path, error);
    }
    try {
      const { chatWrapper, chatFormat } = chooseChatWrapper(model, options.chatWrapper);
      // node-llama-cpp caps a context's ideal threads by llama.maxThreads when the context is made: make it while
      // the cap is every core the runtime may use (the load may lift later), so batches may use them later.
      const ceiling = this.pinnedThreads ?? availableParallelism();
      this.llama.maxThreads = ceiling;
      const context = await model
        .createContext({
          contextSize: contextSizeRequest(model.trainContextSize, options),
          sequences: options.sequences ?? 1,
          // A range, so each decode takes what the thread splitter allows at the time (see generationStarted).
          threads: this.pinnedThreads ?? { ideal: ceiling, min: 1 },
          flashAttention: options.flashAttention ?? "auto",
        })
        .finally(() => {
          this.llama.maxThreads = this.generating < 2 ? this.report.threads : this.report.parallelThreads;
        });
      return { key, file, model, context, chatWrapper, chatFormat };
    } catch (error) {
      await model.dispose();
      throw describeLoadError(file.path, error);
    }
  }

  grammarFor(schema: JsonSchema): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema);
    let grammar = this.grammars.get(key);
    if (!grammar) {
      grammar = this.llama.createGrammarForJsonSchema(schema as never) as Promise<LlamaGrammar>;
      // Clients of `serve --openai` send schemas of their own: keep the recent ones, not every one ever seen.
      if (this.grammars.size >= GRAMMARS_KEPT) this.grammars.delete(this.grammars.keys().next().value!);
      this.grammars.set(key, grammar);
    }
    return grammar;
  }

  /** Frees every loaded model and context; the next loadModel loads afresh. */
  async unloadAll(): Promise<void> {
    const loadings = [...this.models.values()];
    this.models.clear();
    for (const loading of loadings) {
      const loaded = await loading.catch(() => null);
      if (loaded) {
        await loaded.context.dispose();
        await loaded.model.dispose();
      }
    }
  }

  async dispose(): Promise<void> {
    await this.unloadAll();
    await this.llama.dispose();
  }
}

/**
 * A given size is kept (up to the trained context). Otherwise node-llama-cpp sizes the context to what fits in
 * memory, from the run's need up to the trained context: a model trained on 32k gets 32k where memory allows.
 */
export function contextSizeRequest(trained: number, options: Pick<ModelLoadOptions, "contextSize" | "minContextSize">): number | { min: number; max: number } {
  const ceiling = trained > 0 ? trained : 4096;
  if (options.contextSize) return Math.min(options.contextSize, ceiling);
  return { min: Math.min(options.minContextSize ?? 512, ceiling), max: ceiling };
}

/** The chat wrapper node-llama-cpp resolves for this GGUF (or the one named), and whether it has thought segments. */
/** The file and the settings a user chose for it: copies loaded with the same ones can serve each other's runs. */
async function chosenSettings(path: string, options: ModelLoadOptions): Promise<string> {
  const chosen = {
    gpuLayers: options.gpuLayers ?? "auto",
    contextSize: options.contextSize ?? null,
    flashAttention: options.flashAttention ?? "auto",
    chatWrapper: options.chatWrapper ?? null,
  };
  return `${await realpath(path)}|${JSON.stringify(chosen)}`;
}

export function chooseChatWrapper(model: LlamaModel, name: string | undefined): { chatWrapper: ChatWrapper; chatFormat: ChatFormatInfo } {
  let chatWrapper: ChatWrapper | null;
  if (name) {
    if (!(chatWrapperNames as readonly string[]).includes(name)) {
      throw new ModelLoadError(model.filename ?? "", `unknown chat wrapper '${name}' (known: ${chatWrapperNames.join(", ")})`, "load");
    }
    chatWrapper = resolveChatWrapper({
      type: name as ResolvableChatWrapperTypeName,
      bosString: model.tokens.bosString,
      filename: model.filename,
      fileInfo: model.fileInfo,
      tokenizer: model.tokenizer,
      warningLogs: false,
    });
    if (!chatWrapper) throw new ModelLoadError(model.filename ?? "", `the chat wrapper '${name}' cannot be used with this model`, "load");
  } else {
    chatWrapper = resolveChatWrapper(model);
  }
  return {
    chatWrapper,
    chatFormat: { wrapper: chatWrapper.wrapperName, thoughts: chatWrapper.settings.segments?.thought != null, overridden: name !== undefined },
  };
}

function describeLoadError(path: string, error: unknown): ModelLoadError {
  if (error instanceof ModelLoadError) return error;
  if (error instanceof InsufficientMemoryError) {
    return new ModelLoadError(
      path,
      `${path} does not fit in memory: ${error.message} (try a smaller context, fewer GPU layers or a smaller quantisation)`,
      "memory",
    );
  }
  return new ModelLoadError(path, `llama.cpp failed to load ${path}: ${(error as Error).message}`, "load");
}

/** Why a backend node-llama-cpp refused cannot run, in words rather than its error class. */
function backendUnavailable(backend: GpuChoice, error: unknown): string {
  const detail = (error as Error).message.split("\n")[0] ?? "";
  if (backend === "auto") return `no GPU backend could be loaded (${detail})`;
  if (backend !== "cpu" && /NoBinaryFoundError|no .*(binary|prebuilt)/i.test(`${(error as Error).name} ${detail}`)) return unavailableReason(backend);
  return explain(backend === "cpu" ? "cpu" : backend, detail).replace(/ skipped: /, " cannot run here: ");
}

const runtimes = new Map<string, Promise<LlamaRuntime>>();

/**
 * The process's runtime for these settings; node-llama-cpp binds one native backend per process. Threads the
 * user sets are used for everything; by default one generation decodes on all cores but one and a batch of several
 * on every core, or on the cores other programs leave idle when a model loads (cpu-headroom.ts).
 */
export function openRuntime(options: { gpu?: GpuChoice; threads?: number } = {}): Promise<LlamaRuntime> {
  const gpu = options.gpu ?? "auto";
  const key = `${gpu}|${options.threads ?? "fitted"}`;
  let runtime = runtimes.get(key);
  if (!runtime) {
    runtime = createRuntime(gpu, options.threads ?? null);
    runtimes.set(key, runtime);
    runtime.catch(() => runtimes.delete(key));
  }
  return runtime;
}

async function createRuntime(gpu: GpuChoice, pinned: number | null): Promise<LlamaRuntime> {
  const fitted = pinned === null ? await measureDecodeThreads() : null;
  const threads = pinned ?? fitted!.threads;
  const parallelThreads = pinned ?? fitted!.parallelThreads;
  const common = { build: "never", logLevel: LlamaLogLevel.error, progressLogs: false, maxThreads: threads } as const;
  let llama: Llama;
  let fallbackReason: string | null = null;
  let wanted: GpuChoice = gpu;
  if (gpu === "auto" && process.env.REFINERY_SKIP_GPU_PROBE !== "1") {
    // Prove backends in child processes first: one that aborts (CUDA on a too-old driver) must not take this
    // process down. The result is cached per machine, driver and library version.
    const report = await probeBackends();
    wanted = report.chosen;
    if (report.reasons.length) fallbackReason = report.reasons.join("; ");
  }
  try {
    llama = await getLlama({ ...common, gpu: wanted === "cpu" ? false : wanted });
  } catch (error) {
    fallbackReason = `${backendUnavailable(wanted, error)}; running on the CPU`;
    llama = await getLlama({ ...common, gpu: false });
  }
  const active = llama.gpu === false ? "cpu" : llama.gpu;
  if (gpu === "auto" && active === "cpu" && !fallbackReason) fallbackReason = "no usable GPU backend was found; running on the CPU";
  // node-llama-cpp quietly loads the CPU build for a backend this platform has none of (Metal on Linux).
  if (wanted !== "cpu" && wanted !== "auto" && active !== wanted && !fallbackReason)
    fallbackReason = `${wanted} was asked for, but this platform (${process.platform}) has no ${wanted} build; running on ${active === "cpu" ? "the CPU" : active}`;
  const devices = active === "cpu" ? [] : await llama.getGpuDeviceNames().catch(() => []);
  return new LlamaRuntime(
    llama,
    {
      requested: gpu,
      active,
      devices,
      fallbackReason,
      threads,
      parallelThreads,
      threadsReason: fitted?.reason ?? `set to ${pinned} (--threads)`,
      nodeLlamaCppVersion: await getModuleVersion(),
    },
    pinned,
  );
}
