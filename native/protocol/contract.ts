// The bridge contract: every request the UI can make of the engine, and every event the engine pushes, defined
// once. Electron's main process and the loopback web server validate inputs with these schemas; the preload
// and the browser client are built from the method list, so no channel name is written twice.
import { z } from "zod";
import type { RunEvent, Task } from "./events.ts";
import type { CellResult, ExperimentSummary, FieldBreakdown, Transitions } from "./experiment-results.ts";
import type { CellCoverage } from "./cell-coverage.ts";
import { describeIssue, type Audience, type IssueLike } from "./field-labels.ts";
import { JUDGE_EVAL_MODES, type JudgeEvalEvent } from "./judge-agreement.ts";
import type { MemoryPlan } from "./memory-plan.ts";
import { REQUEST_NAMES, type RequestNameList } from "./request-names.ts";
import { isRunId, RUN_ID_RULE } from "./run-id.ts";

/** What "Export report" writes, in this order. */
export const EXPORT_FORMATS = ["html", "csv", "jsonl", "pairs"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Repeats an experiment may ask for: each multiplies its cells. */
export const MAX_REPEATS = 16;
/** Samples the hidden frontier column may draw per item. */
export const MAX_FRONTIER_SAMPLES = 256;

const sampling = z
  .object({
    temperature: z.number().min(0).max(5).optional(),
    maxTokens: z.number().int().min(1).max(32768).optional(),
    thinkingBudget: z.number().int().min(0).max(131072).optional(),
    reasonFirst: z.boolean().optional(),
    metaCritique: z.boolean().optional(),
    topP: z.number().min(0).max(1).optional(),
    topK: z.number().int().min(0).optional(),
  })
  .strict();

/** Tokens per sequence a model may be loaded with. */
const contextSizeSchema = z
  .number()
  .int()
  .min(256)
  .max(1 << 20);

const loadSettings = z
  .object({
    contextSize: contextSizeSchema.optional(),
    gpuLayers: z.union([z.literal("auto"), z.literal("max"), z.number().int().min(0)]).optional(),
    flashAttention: z.boolean().optional(),
  })
  .strict();

const modelConfig = z
  .object({
    /** A GGUF file or an endpoint, openai:<base URL>#<served model>: a ModelSpecText, under the name files store it by. */
    path: z.string().min(1, "choose a model file or an endpoint"),
    sampling: sampling.optional(),
    load: loadSettings.optional(),
  })
  .strict();

/** The GPU backends of llama.cpp. */
export const GPU_BACKENDS = ["cuda", "vulkan", "metal"] as const;
/** What runs a model: a GPU backend, or the CPU. */
export const COMPUTE_BACKENDS = [...GPU_BACKENDS, "cpu"] as const;
export type ComputeBackend = (typeof COMPUTE_BACKENDS)[number];
/** What a user may ask for: a backend, or "auto" (the probe picks). */
export const GPU_CHOICES = ["auto", "cpu", ...GPU_BACKENDS] as const;
export type GpuChoice = (typeof GPU_CHOICES)[number];

export const requestSchemas = {
  startRun: z
    .object({
      strategy: z.string().min(1),
      params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])).optional(),
      actor: modelConfig,
      critic: modelConfig,
      task: z
        .object({
          id: z.string().optional(),
          question: z.string(),
          reference: z.string().optional(),
          choices: z.array(z.string()).max(26).optional(),
          tests: z
            .object({ language: z.literal("python"), code: z.string(), entryPoint: z.string().optional() })
            .strict()
            .optional(),
        })
        .strict(),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 32 - 1)
        .optional(),
      maxTotalTokens: z.number().int().min(0).optional(),
      parallel: z.boolean().optional(),
      /** Load even when the memory plan says the models will not fit ("run anyway"). */
      force: z.boolean().optional(),
    })
    .strict(),
  cancelRun: z.object({ runId: z.string().min(1) }).strict(),
  listRuns: z.object({}).strict(),
  /** Moves a run's folder into the runs folder's trash (never erased); a run still running is refused. */
  deleteRun: z.object({ runId: z.string().refine(isRunId, `not a run id (${RUN_ID_RULE})`) }).strict(),
  /** `experiment`: a folder whose runs/ holds the run (an experiment's cells, a critic evaluation's rows). */
  loadRun: z.object({ runId: z.string().refine(isRunId, `not a run id (${RUN_ID_RULE})`), experiment: z.string().min(1).optional() }).strict(),
  inspectModel: z.object({ path: z.string().min(1) }).strict(),
  listStrategies: z.object({}).strict(),
  engineInfo: z.object({}).strict(),
  readDataset: z.object({ path: z.string().min(1), limit: z.number().int().min(1).max(10000).optional(), skipMalformed: z.boolean().optional() }).strict(),
  /** Electron only: a native file dialog. The web UI uses a path field instead. */
  pickModelFile: z.object({}).strict(),
  gpuReport: z.object({ refresh: z.boolean().optional() }).strict(),
  planMemory: z
    .object({
      actor: z.string().min(1),
      critic: z.string().min(1),
      contextSize: contextSizeSchema.optional(),
      actorSequences: z.number().int().min(1).max(64).optional(),
      criticSequences: z.number().int().min(1).max(64).optional(),
      vram: z.number().min(0).optional(),
      ram: z.number().min(0).optional(),
    })
    .strict(),
  listModels: z.object({}).strict(),
  /** A GGUF path or an endpoint spec (openai:<url>#model); apiKey: the endpoint's key, never written to the library. */
  addModel: z.object({ path: z.string().min(1), apiKey: z.string().min(1).optional() }).strict(),
  /** One folder on the engine's machine: its subfolders and .gguf files (web mode's file browser). Omitted: the folder last browsed, else home. */
  listModelFolder: z.object({ path: z.string().min(1).max(4096).optional() }).strict(),
  startDownload: z
    .object({
      uri: z.string().min(1),
      sha256: z
        .string()
        .regex(/^[0-9a-fA-F]{64}$/)
        .optional(),
      fileName: z
        .string()
        .regex(/^[\w.-]+\.gguf$/, "a file name ending in .gguf")
        .optional(),
    })
    .strict(),
  cancelDownload: z.object({ downloadId: z.string().min(1) }).strict(),
  /** Probes an OpenAI-compatible endpoint and lists its models; a key given here is used for its later runs. */
  testEndpoint: z.object({ spec: z.string().min(1), apiKey: z.string().min(1).optional() }).strict(),
  /** Handled by the supervisor: the next engine process uses this backend. */
  setBackend: z.object({ gpu: z.enum(GPU_CHOICES) }).strict(),
  getLoadSettings: z.object({ path: z.string().min(1) }).strict(),
  loadExperiment: z.object({ path: z.string().min(1), baseline: z.string().optional() }).strict(),
  /** A new experiment (dataset, columns, models), or with only `out` the one stopped in that folder, resumed. */
  startExperiment: z
    .object({
      out: z.string().min(1).optional(),
      dataset: z.string().min(1).optional(),
      limit: z.number().int().min(1).max(100000).optional(),
      offset: z.number().int().min(0).optional(),
      fields: z
        .object({
          question: z.string().min(1),
          reference: z.string().min(1),
          id: z.string().min(1),
          choices: z.string().min(1),
          tests: z.string().min(1),
          entryPoint: z.string().min(1),
        })
        .partial()
        .strict()
        .optional(),
      skipMalformed: z.boolean().optional(),
      columns: z
        .array(
          z.union([
            z
              .object({
                strategy: z.string().min(1),
                params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])).optional(),
                name: z.string().min(1).optional(),
              })
              .strict(),
            /** A preset file (strategy with parameters, or a pipeline), named by the preset. */
            z.object({ preset: z.string().min(1) }).strict(),
          ]),
        )
        .min(1, "choose at least one strategy")
        .max(32)
        .optional(),
      /** Model pairs; each strategy runs with each pair (columns are strategy × pair). */
      pairs: z
        .array(z.object({ actor: modelConfig, critic: modelConfig.optional() }).strict())
        .min(1)
        .max(8)
        .optional(),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 32 - 1)
        .optional(),
      /** Seeds per (item, column): seed, seed + 1, …; statistics average each item over them. */
      repeats: z.number().int().min(1).max(MAX_REPEATS).optional(),
      /** n: a hidden n-sample self-consistency column per model pair, run only for the sampling frontier. */
      frontier: z.number().int().min(2).max(MAX_FRONTIER_SAMPLES).optional(),
      maxTotalTokens: z.number().int().min(0).optional(),
      /** "paper" (default) or "matched:T": see native/protocol/sampling-policy.ts. */
      sampling: z.string().optional(),
      concurrency: z.number().int().min(1).max(64).optional(),
      cache: z.boolean().optional(),
      /** Judges grade each cell's answer after the cells ran (open-ended tasks): a grader and a jury of models. */
      judging: z
        .object({
          grader: z.enum(["checklist", "rubric", "pairwise"]),
          judges: z.array(z.string().min(1)).min(1, "choose a judge model").max(8),
          /** Pairwise: a column's name, or "reference". */
          baseline: z.string().min(1).optional(),
          maxTokens: z.number().int().min(16).max(32768).optional(),
          /** Checklist grader: every criterion in one structured call, or one call per criterion. */
          checklistCalls: z.enum(["structured", "per-criterion"]).optional(),
        })
        .strict()
        .optional(),
    })
    .strict(),
  controlExperiment: z.object({ path: z.string().min(1), action: z.enum(["pause", "resume", "stop"]) }).strict(),
  /** Writes the experiment's report files into <experiment>/exports/: HTML report, CSV, JSONL, preference pairs. */
  exportExperiment: z
    .object({ path: z.string().min(1), baseline: z.string().optional(), formats: z.array(z.enum(EXPORT_FORMATS)).min(1, "choose at least one format") })
    .strict(),
  /** Critic evaluation (ProcessBench earliest error, RealCritic closed loop); progress comes as events. */
  startCriticEval: z
    .object({
      mode: z.enum(["processbench", "realcritic"]),
      dataset: z.string().min(1),
      limit: z.number().int().min(1).max(100000).optional(),
      critic: z.string().min(1, "choose a critic model"),
      actor: z.string().min(1).optional(),
      maxTokens: z.number().int().min(16).max(32768).optional(),
      /** The critic re-reads and revises each verdict in a second turn (SPARK's meta-critique). */
      metaCritique: z.boolean().optional(),
    })
    .strict(),
  cancelCriticEval: z.object({ evalId: z.string().min(1) }).strict(),
  /** A judge measured against human labels (LLMBar, PandaLM, FED ratings, MetaCritique claims, or a plain file). */
  startJudgeEval: z
    .object({
      dataset: z.string().min(1, "choose a human-labelled file"),
      judge: z.string().min(1, "choose a judge model"),
      /** What the labels are; omitted: read from the file. */
      mode: z.enum(JUDGE_EVAL_MODES).optional(),
      limit: z.number().int().min(1).max(100000).optional(),
      maxTokens: z.number().int().min(16).max(32768).optional(),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 32 - 1)
        .optional(),
    })
    .strict(),
  cancelJudgeEval: z.object({ evalId: z.string().min(1) }).strict(),
  /** Experiments in the default folder (next to the runs folder) and those this engine ran. */
  listExperiments: z.object({}).strict(),
  saveLoadSettings: z.object({ path: z.string().min(1), role: z.enum(["actor", "critic"]), load: loadSettings }).strict(),
} as const satisfies Record<RequestNameList, z.ZodType>;

export type RequestName = keyof typeof requestSchemas;
// Both lists name the same requests, or this line does not compile.
const sameNames: [RequestName, RequestNameList] extends [RequestNameList, RequestName] ? true : never = true;
void sameNames;
export type RequestInput<K extends RequestName> = z.input<(typeof requestSchemas)[K]>;
export const requestNames: readonly RequestName[] = REQUEST_NAMES;

export interface RunSummary {
  runId: string;
  strategy: string;
  question: string;
  status: "running" | "finished" | "failed" | "cancelled";
  createdAt: string;
  /** When it ended; absent while it runs (and for runs that never recorded it). */
  endedAt?: string;
  /** The models as the list names them (a file's name, an endpoint's served model and host). */
  actor: string | null;
  critic: string | null;
  answer: string | null;
  correct: boolean | null;
  failure?: string;
}

export interface ModelInfo {
  path: string;
  sizeBytes: number;
  architecture: string | null;
  name: string | null;
  contextLength: number | null;
  layers: number | null;
  chatTemplate: boolean;
}

export interface StrategyInfo {
  name: string;
  title: string;
  paper: string;
  summary: string;
  params: Array<{
    name: string;
    type: string;
    default: number | boolean | string;
    description: string;
    min?: number;
    max?: number;
    choices?: readonly string[];
  }>;
}

/** The backend the engine's runtime chose (native/llm/runtime.ts makes it; written once, here). */
export interface BackendReport {
  requested: GpuChoice;
  active: ComputeBackend;
  devices: string[];
  /** Why the active backend is not the requested one (or, for "auto", why no GPU is used). */
  fallbackReason: string | null;
  /** Threads one generation decodes with. */
  threads: number;
  /** Threads a batch decodes with while several sequences generate at once (= threads when the user set them). */
  parallelThreads: number;
  /** Why these threads: set by the user, or fitted to the cores other programs left idle when a model loaded. */
  threadsReason?: string;
  nodeLlamaCppVersion: string;
}

export interface EngineInfo {
  backend: BackendReport | null;
  runsDir: string;
  mode: "electron" | "web";
  pid: number;
}

export interface GpuReportInfo {
  results: Array<{
    backend: string;
    ok: boolean;
    devices: string[];
    vram?: { total: number; used: number; free: number } | null;
    reason?: string;
    crashed?: boolean;
  }>;
  chosen: string;
  reasons: string[];
  fromCache: boolean;
  probedAt: string;
  memory: { ramFree: number; ramTotal: number; vram: { total: number; used: number; free: number } | null };
  /** The backend menu: only what exists for this platform; one that cannot run here says why. */
  backends: Array<{ backend: GpuChoice; available: boolean; reason?: string }>;
  cpu: { model: string; cores: number };
  /** GPU devices of the backend the engine runs on (none on the CPU). */
  devices: string[];
}

/** The memory plan is defined once, next to the other protocol types. */
export type MemoryPlanInfo = MemoryPlan;

export interface LibraryModelInfo {
  path: string;
  name: string;
  source: string;
  sizeBytes: number;
  architecture: string | null;
  parameters: string | null;
  quantization: string | null;
  contextLength: number | null;
  layers: number | null;
  chatTemplate: boolean;
  /** The roles it suits; the other is still allowed, and roleNote says why it fits less well. */
  roles: Array<"actor" | "critic">;
  roleNote?: string;
  /** What `refinery inspect` says of a file's chat format: node-llama-cpp's chat wrapper, and whether it has thought segments. */
  chatFormat?: { wrapper: string; thoughts: boolean };
  /** The server's base URL (without credentials) when the entry is a model served by an endpoint. */
  endpoint?: string;
  error?: string;
  /** A bundled demo model's own dataset (the task world it was trained on): the setup offers it. */
  demoDataset?: string;
  /** The part a bundled demo model plays in the demo pair: a fresh setup puts it in that field. */
  demoRole?: "actor" | "critic";
}

export interface ModelFolderInfo {
  /** The folder listed, absolute. */
  path: string;
  /** Its parent, or null at the root. */
  parent: string | null;
  /** Subfolder names, sorted. */
  folders: string[];
  /** The .gguf files directly in it. */
  files: Array<{ name: string; path: string; sizeBytes: number }>;
}

export interface ResponseTypes {
  startRun: { runId: string };
  cancelRun: { cancelled: boolean };
  listRuns: RunSummary[];
  deleteRun: { trashedTo: string };
  loadRun: RunEvent[];
  inspectModel: ModelInfo;
  listStrategies: StrategyInfo[];
  engineInfo: EngineInfo;
  readDataset: Task[];
  pickModelFile: { path: string | null };
  gpuReport: GpuReportInfo;
  planMemory: MemoryPlanInfo;
  listModels: LibraryModelInfo[];
  addModel: { added: string[] };
  listModelFolder: ModelFolderInfo;
  startDownload: { downloadId: string };
  cancelDownload: { cancelled: boolean };
  setBackend: { gpu: string };
  getLoadSettings: Partial<Record<"actor" | "critic", LoadSettingsInfo>>;
  loadExperiment: ExperimentInfo;
  startExperiment: { path: string; total: number; done: number };
  controlExperiment: { state: ExperimentProgressEvent["state"] };
  exportExperiment: { files: ExportedFile[] };
  listExperiments: ExperimentListing[];
  startCriticEval: { evalId: string };
  cancelCriticEval: { cancelled: boolean };
  startJudgeEval: { evalId: string };
  cancelJudgeEval: { cancelled: boolean };
  saveLoadSettings: Partial<Record<"actor" | "critic", LoadSettingsInfo>>;
  testEndpoint: EndpointTestInfo;
}

export interface EndpointTestInfo {
  baseUrl: string;
  model: string;
  /** The models the server lists; whether the spec's model is among them. */
  models: string[];
  modelListed: boolean;
  kind: string;
  version: string | null;
  concurrency: number;
}

export type LoadSettingsInfo = z.infer<typeof loadSettings>;

export interface ExperimentInfo {
  path: string;
  columns: string[];
  dataset: string;
  /** The checkpoint lines, without the trajectories (the summary already folds them in). */
  results: Array<Omit<CellResult, "trajectory"> & { /** The actor's candidates the run completed (its trajectory's length). */ candidates: number }>;
  summary: ExperimentSummary;
  /** Dataset fields of each item (for filtering the grid), by item index. */
  itemFields: Record<number, Record<string, string>>;
  /** Each item's question and reference answer (the grid's expandable rows), by item index; empty when the dataset moved. */
  itemTexts: Record<number, { question: string; reference: string | null }>;
  /** Accuracy per value of each categorical dataset field. */
  breakdowns: FieldBreakdown[];
  /** Cells asked for against cells with a result (and why cells failed). */
  coverage: CellCoverage;
  /** Bytes the joint memory plan gave each column's models (VRAM + RAM), where a run recorded one: a PeRFICS cost. */
  plannedMemory: Record<string, number>;
  /** The judges' verdict on each judged cell in a few words ("win vs single-pass", "rating 7/10"), by `item|column`. */
  judgedMarks: Record<string, string>;
  /** Progress, when this engine is running the experiment now. */
  progress: ExperimentProgressEvent | null;
}

export interface CriticEvalEvent {
  type: "critic-eval";
  evalId: string;
  mode: "processbench" | "realcritic";
  dataset: string;
  state: "running" | "finished" | "failed" | "cancelled";
  done: number;
  total: number;
  /** The one-line summary, once finished. */
  summary?: string;
  processbench?: { items: number; erroneousAccuracy: number; correctAccuracy: number; f1: number; unparseable: number };
  realcritic?: { items: number; solver: "stored" | "actor"; accuracyBefore: number; accuracyAfter: number; transitions: Transitions };
  /** Where the full result (per-item rows) was written. */
  resultPath?: string;
  /** The folder whose runs/ holds one run record per row (open one with loadRun and this as its folder). */
  folder?: string;
  /** Each row, once finished: the run to open, and how the critic did on it. */
  rows?: CriticEvalRow[];
  error?: string;
}

export interface CriticEvalRow {
  runId: string;
  /** The item's id (ProcessBench) or its position (RealCritic). */
  item: string;
  /** The row in words: ProcessBench's label and prediction, RealCritic's before → after. */
  outcome: string;
  correct: boolean;
  /** Why the critic's verdict could not be read (cut at the budget, not JSON, not the schema's shape). */
  unparseable?: string;
}

export interface ExportedFile {
  format: ExportFormat;
  /** Where it was written (on the machine the engine runs on). */
  path: string;
  bytes: number;
  /** Lines for CSV (header included) and JSONL files, preference pairs for the pairs file. */
  rows: number;
}

export interface ExperimentListing {
  path: string;
  dataset: string;
  columns: string[];
  /** Cells finished so far (the live count while this engine runs it, else the lines in results.jsonl). */
  done: number;
  /** All its cells, when this engine is running it (or ran it); null otherwise. */
  total: number | null;
  modifiedAt: string;
  state: ExperimentProgressEvent["state"] | null;
}

export interface ExperimentProgressEvent {
  type: "experiment-progress";
  path: string;
  state: "running" | "paused" | "stopped" | "finished" | "failed";
  done: number;
  total: number;
  running: number;
  etaSeconds: number | null;
  tokensPerSecond: number;
  cacheHits: number;
  skippedRecords: number;
  /** Per endpoint, when the models are on OpenAI-compatible servers. */
  endpoints?: Array<{ endpoint: string; done: number; running: number; tokensPerSecond: number; down: string | null }>;
  error?: string;
}

/** Errors cross the bridge as values, never as thrown exceptions with stacks. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string; field?: string };

/** What the engine pushes: run events (token deltas coalesced into batches) and engine lifecycle. */
export type EngineEvent =
  | { type: "run-events"; runId: string; events: RunEvent[] }
  | { type: "engine-status"; status: "starting" | "ready" | "crashed"; detail?: string }
  | ExperimentProgressEvent
  | CriticEvalEvent
  | JudgeEvalEvent
  | {
      type: "download";
      downloadId: string;
      uri: string;
      /** "connecting": waiting for the server's first answer (bounded; a download with no network fails with why). */
      state: "connecting" | "running" | "done" | "failed" | "cancelled";
      /** The server being contacted, while connecting. */
      host?: string;
      downloadedBytes: number;
      totalBytes: number;
      speed: number;
      etaSeconds: number;
      path?: string;
      error?: string;
    };

export type Bridge = {
  [K in RequestName]: (input: RequestInput<K>) => Promise<Result<ResponseTypes[K]>>;
} & {
  subscribe(listener: (event: EngineEvent) => void): () => void;
  /**
   * Web mode: a link that downloads a file the engine wrote for the page (an export, a critic evaluation's rows),
   * or with `open` shows it in a tab (the HTML report). Absent in the desktop app, where the files are local.
   */
  downloadUrl?(path: string, options?: { open?: boolean }): string;
};

/**
 * Checks a request against its schema. A refusal names the field as the audience knows it (the form's label, or
 * the CLI's flag) and carries its contract path in `field`, so the form can clear the message once it changes.
 */
export function validateRequest<K extends RequestName>(name: K, input: unknown, audience: Audience = "ui"): Result<z.output<(typeof requestSchemas)[K]>> {
  const schema = requestSchemas[name];
  if (!schema) return { ok: false, error: `unknown request '${String(name)}'` };
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    const { message, field } = describeIssue(name, parsed.error.issues[0]! as IssueLike, audience);
    return { ok: false, error: message, ...(field ? { field } : {}) };
  }
  return { ok: true, value: parsed.data as z.output<(typeof requestSchemas)[K]> };
}

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === "string" && Object.hasOwn(requestSchemas, name);
}
