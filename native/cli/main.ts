// `refinery`: the engine from the command line. Progress goes to stderr, results to stdout (--json for
// machines); any error is one clear line and a non-zero exit.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { readGgufFileInfo, GgufInsights } from "node-llama-cpp";
import { DatasetError, readDataset } from "../eval/dataset.ts";
import { checkModelFile, ModelFileError } from "../llm/gguf-check.ts";
import { openRuntime, type GpuChoice } from "../llm/runtime.ts";
import type { RunEvent, Task } from "../protocol/events.ts";
import { RunLogError, replayRunLog } from "../runs/run-log.ts";
import { executeRun, RunInputError, type RunConfig } from "../runs/runner.ts";
import { strategies } from "../strategies/registry.ts";
import { StrategyParamError } from "../strategies/types.ts";
import { renderTree } from "./render-tree.ts";

class UsageError extends Error {}

const USAGE = `refinery — an actor and a critic LLM refine answers together

usage:
  refinery run (--strategy <name> | --preset <file.json>) --actor <gguf> [--critic <gguf>] (--task "<text>" | --dataset <file> [--limit n])
               [--out <dir>] [--seed n] [--param name=value ...] [--reference <answer>] [--save-preset <file.json>]
               [--max-tokens n] [--temperature t] [--critic-max-tokens n] [--max-total-tokens n]
               [--threads n] [--gpu auto|cpu|cuda|vulkan|metal] [--context-size n] [--gpu-layers auto|max|n]
               [--flash-attention] [--sequential] [--json] [--quiet]
  refinery replay <run folder | events.jsonl> [--json]
  refinery inspect <gguf> [--context-size n] [--sequences n] [--json]
  refinery strategies [--json]
  refinery gpu [--refresh] [--json]           prove each GPU backend in a child process; the active one and why
  refinery plan --actor <gguf> [--critic <gguf>] [--vram 8GiB] [--ram 16GiB] [--context-size n] [--sequences n]
                                              the joint memory plan and verdict, before anything loads
  refinery models [--add <gguf>] [--dir <folder> ...] [--json]
                                              GGUFs in Refinery's folder, LM Studio, Ollama and the Hugging Face cache
  refinery download <hf:org/repo/file.gguf | url> [--dir <folder>] [--sha256 <hex>] [--name <file>]
                                              resumable, verified download into the models folder
  refinery serve [--port n] [--runs <dir>] [--gpu …] [--threads n]   the UI on 127.0.0.1 with an access token
`;

const common = { json: { type: "boolean" }, help: { type: "boolean" } } as const;

function parse<const O extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...options, ...common }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function intOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new UsageError(`--${name} must be a non-negative integer, got '${String(value)}'`);
  return number;
}

function numberOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new UsageError(`--${name} must be a number, got '${String(value)}'`);
  return number;
}

function paramsFrom(pairs: string[] | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`--param takes name=value, got '${pair}'`);
    params[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return params;
}

function describeEvent(event: RunEvent, state: { nodes: Map<string, string> }): string | null {
  switch (event.type) {
    case "node-added":
      state.nodes.set(event.nodeId, `${event.nodeId} ${event.role}/${event.step}${event.model ? ` (${event.model})` : ""}`);
      return null;
    case "node-completed":
      return `  ${state.nodes.get(event.nodeId)} ${event.status}: ${event.tokensOut} tokens in ${event.wallMs} ms${event.answer !== null ? ` → ${event.answer}` : ""}`;
    case "score-set":
      return `  ${event.nodeId} scored ${event.score.value ?? event.score.verdict} by ${event.score.source}${event.score.byNodeId ? ` (${event.score.byNodeId})` : ""}`;
    case "run-failed":
      return `  run failed: ${event.reason}`;
    default:
      return null;
  }
}

async function commandRun(args: string[]): Promise<number> {
  const { values } = parse(args, {
    strategy: { type: "string" },
    preset: { type: "string" },
    "save-preset": { type: "string" },
    actor: { type: "string" },
    critic: { type: "string" },
    task: { type: "string" },
    reference: { type: "string" },
    dataset: { type: "string" },
    limit: { type: "string" },
    offset: { type: "string" },
    out: { type: "string" },
    seed: { type: "string" },
    param: { type: "string", multiple: true },
    "max-tokens": { type: "string" },
    "critic-max-tokens": { type: "string" },
    temperature: { type: "string" },
    "max-total-tokens": { type: "string" },
    threads: { type: "string" },
    gpu: { type: "string" },
    "context-size": { type: "string" },
    "gpu-layers": { type: "string" },
    "flash-attention": { type: "boolean" },
    sequential: { type: "boolean" },
    quiet: { type: "boolean" },
  });
  if (values.preset && values.strategy) throw new UsageError("--preset and --strategy exclude each other");
  if (values.preset) {
    const { presetToRun, readPreset } = await import("../strategies/pipeline.ts");
    const { strategy, params } = presetToRun(await readPreset(values.preset));
    values.strategy = strategy;
    values.param = [...Object.entries(params).map(([k, v]) => `${k}=${String(v)}`), ...(values.param ?? [])];
  }
  if (!values.strategy) throw new UsageError("--strategy or --preset is required (see `refinery strategies`)");
  if (values["save-preset"]) {
    const { writePreset } = await import("../strategies/pipeline.ts");
    const params = paramsFrom(values.param);
    const { getStrategy } = await import("../strategies/registry.ts");
    const { resolveStrategyParams } = await import("../strategies/types.ts");
    const resolved = resolveStrategyParams(getStrategy(values.strategy), params);
    const pipeline = values.strategy === "pipeline" ? JSON.parse(String(resolved.spec)) : { strategy: values.strategy, params: resolved };
    await writePreset(values["save-preset"], { name: values["save-preset"].replace(/^.*\//, "").replace(/\.json$/, ""), pipeline });
    process.stderr.write(`preset saved to ${values["save-preset"]}\n`);
  }
  if (!values.actor) throw new UsageError("--actor <gguf> is required");
  if (values.task === undefined && !values.dataset) throw new UsageError("give a task with --task \"...\" or a dataset with --dataset <file>");
  if (values.task !== undefined && values.dataset) throw new UsageError("--task and --dataset exclude each other");
  const gpu = (values.gpu ?? "auto") as GpuChoice;
  if (!["auto", "cpu", "cuda", "vulkan", "metal"].includes(gpu)) throw new UsageError(`--gpu must be auto, cpu, cuda, vulkan or metal, got '${gpu}'`);
  const tasks: Task[] = values.dataset
    ? await readDataset(values.dataset, { limit: intOption(values.limit, "limit"), offset: intOption(values.offset, "offset") })
    : [{ question: values.task!, ...(values.reference !== undefined ? { reference: values.reference } : {}) }];
  const contextSize = intOption(values["context-size"], "context-size");
  const gpuLayersText = values["gpu-layers"];
  if (gpuLayersText !== undefined && !/^(auto|max|\d+)$/.test(gpuLayersText)) throw new UsageError(`--gpu-layers takes auto, max or a number, got '${gpuLayersText}'`);
  const gpuLayers = gpuLayersText === undefined || gpuLayersText === "auto" ? undefined : gpuLayersText === "max" ? ("max" as const) : Number(gpuLayersText);
  const load = {
    ...(contextSize ? { contextSize } : {}),
    ...(gpuLayers !== undefined ? { gpuLayers } : {}),
    ...(values["flash-attention"] ? { flashAttention: true } : {}),
  };
  const controller = new AbortController();
  const onSignal = () => {
    process.stderr.write("\ncancelling…\n");
    controller.abort();
  };
  process.once("SIGINT", onSignal);
  const results = [];
  let failed = 0;
  try {
    for (const [index, task] of tasks.entries()) {
      const labels = { nodes: new Map<string, string>() };
      const config: RunConfig = {
        strategy: values.strategy,
        params: paramsFrom(values.param),
        actor: { path: values.actor, sampling: { maxTokens: intOption(values["max-tokens"], "max-tokens"), temperature: numberOption(values.temperature, "temperature") }, load },
        critic: { path: values.critic ?? values.actor, sampling: { maxTokens: intOption(values["critic-max-tokens"], "critic-max-tokens") }, load },
        task,
        seed: intOption(values.seed, "seed") ?? 0,
        outDir: values.out ?? "runs",
        gpu,
        threads: intOption(values.threads, "threads"),
        parallel: !values.sequential,
        maxTotalTokens: intOption(values["max-total-tokens"], "max-total-tokens"),
        signal: controller.signal,
        onProgress: values.quiet ? undefined : (message) => process.stderr.write(`${message}\n`),
        onEvent: values.quiet
          ? undefined
          : (event) => {
              const line = describeEvent(event, labels);
              if (line) process.stderr.write(`${line}\n`);
            },
      };
      for (const key of ["actor", "critic"] as const) {
        const sampling = config[key].sampling!;
        for (const field of Object.keys(sampling) as Array<keyof typeof sampling>) if (sampling[field] === undefined) delete sampling[field];
      }
      if (tasks.length > 1 && !values.quiet) process.stderr.write(`[${index + 1}/${tasks.length}] ${task.id ?? ""}\n`);
      const result = await executeRun(config);
      const { state } = result;
      if (state.status !== "finished") failed++;
      results.push({
        runId: result.runId,
        dir: result.dir,
        status: state.status,
        answer: state.answer,
        correct: state.correct,
        selectedNodeId: state.selectedNodeId,
        budgets: state.budgets,
        failure: state.failure,
      });
      if (!values.json) {
        const outcome = state.status === "finished"
          ? `answer: ${state.answer ?? "(none extracted)"}${state.correct === null ? "" : state.correct ? " (correct)" : " (incorrect)"} · tokens ${state.budgets!.selectedPathTokens} path / ${state.budgets!.totalTokens} total`
          : `failed (${state.failure!.code}): ${state.failure!.reason}`;
        process.stdout.write(`${result.dir}\n  ${outcome}\n`);
      }
      if (controller.signal.aborted) break;
    }
  } finally {
    process.off("SIGINT", onSignal);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(tasks.length === 1 && results.length === 1 ? results[0] : results, null, 2)}\n`);
  return failed > 0 ? 1 : 0;
}

async function commandReplay(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  const target = positionals[0];
  if (!target) throw new UsageError("replay needs a run folder or an events.jsonl file");
  const path = (await stat(target).catch(() => null))?.isDirectory() ? join(target, "events.jsonl") : target;
  const { state, log } = await replayRunLog(path);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
  } else {
    process.stdout.write(`${renderTree(state)}\n`);
    if (log.truncatedTail) process.stdout.write("(the log's last line was cut short by a crash; shown up to the last complete event)\n");
  }
  return 0;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

async function commandInspect(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { "context-size": { type: "string" }, sequences: { type: "string" }, gpu: { type: "string" } });
  const path = positionals[0];
  if (!path) throw new UsageError("inspect needs a GGUF file path");
  const summary = await checkModelFile(path);
  const runtime = await openRuntime({ gpu: (values.gpu ?? "auto") as GpuChoice });
  const info = await readGgufFileInfo(path);
  const insights = await GgufInsights.from(info, runtime.llama);
  const contextSize = intOption(values["context-size"], "context-size") ?? Math.min(summary.contextLength ?? 4096, 4096);
  const sequences = intOption(values.sequences, "sequences") ?? 1;
  const gpuLayers = runtime.report.active === "cpu" ? 0 : insights.totalLayers;
  const model = await insights.estimateModelResourceRequirementsV2({ gpuLayers });
  const context = await insights.estimateContextResourceRequirementsV2({ contextSize, modelGpuLayers: gpuLayers, sequences });
  const result = {
    path,
    sizeBytes: summary.sizeBytes,
    architecture: summary.architecture,
    name: summary.name,
    parameters: info.metadata?.general?.size_label ?? null,
    contextLength: summary.contextLength,
    layers: summary.layers,
    tensors: summary.tensorCount,
    chatTemplate: summary.hasChatTemplate,
    backend: runtime.report,
    estimate: { contextSize, sequences, gpuLayers, model, context, totalRam: model.cpuRam + context.cpuRam, totalVram: model.gpuVram + context.gpuVram },
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    process.stdout.write(
      [
        `${path}`,
        `  architecture ${result.architecture ?? "?"} · ${result.name ?? "unnamed"} · ${mib(result.sizeBytes)} · ${result.layers ?? "?"} layers · context ${result.contextLength ?? "?"}`,
        `  chat template: ${result.chatTemplate ? "yes" : "no (prompts use a generic format)"}`,
        `  backend: ${runtime.report.active}${runtime.report.devices.length ? ` (${runtime.report.devices.join(", ")})` : ""}${runtime.report.fallbackReason ? ` — ${runtime.report.fallbackReason}` : ""}`,
        `  estimated memory at context ${contextSize} × ${sequences} sequence(s), ${gpuLayers} GPU layers:`,
        `    weights  RAM ${mib(model.cpuRam)}  VRAM ${mib(model.gpuVram)}`,
        `    context  RAM ${mib(context.cpuRam)}  VRAM ${mib(context.gpuVram)}`,
      ].join("\n") + "\n",
    );
  }
  return 0;
}

async function commandServe(args: string[]): Promise<number> {
  const { values } = parse(args, { port: { type: "string" }, runs: { type: "string" }, gpu: { type: "string" }, threads: { type: "string" } });
  const { EngineHost, forkEngine } = await import("../engine/host.ts");
  const { startWebServer } = await import("../server/server.ts");
  const { existsSync } = await import("node:fs");
  const { fileURLToPath } = await import("node:url");
  const staticDir = fileURLToPath(new URL("../../dist/renderer", import.meta.url));
  if (!existsSync(join(staticDir, "index.html"))) throw new UsageError(`the UI is not built (${staticDir} is missing): run \`npm run build\` first`);
  const runsDir = values.runs ?? "runs";
  const host = new EngineHost({ spawn: forkEngine({ runsDir, gpu: values.gpu, threads: intOption(values.threads, "threads") }), runsDir });
  const server = await startWebServer({ host, staticDir, port: intOption(values.port, "port") });
  process.stdout.write(`Refinery is serving on loopback only. Open:\n  ${server.url}\n`);
  await new Promise<void>((resolveStop) => {
    process.once("SIGINT", resolveStop);
    process.once("SIGTERM", resolveStop);
  });
  host.dispose();
  await server.close();
  return 0;
}

async function commandGpu(args: string[]): Promise<number> {
  const { values } = parse(args, { refresh: { type: "boolean" } });
  const { probeBackends } = await import("../llm/gpu-probe.ts");
  const report = await probeBackends({ refresh: values.refresh, all: true });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`machine: ${report.machine}\n${report.fromCache ? `(cached from ${report.probedAt}; --refresh probes again)\n` : ""}`);
  for (const result of report.results) {
    const vram = result.vram ? ` · VRAM ${(result.vram.free / 2 ** 30).toFixed(1)} of ${(result.vram.total / 2 ** 30).toFixed(1)} GiB free` : "";
    process.stdout.write(`  ${result.ok ? "✓" : "✗"} ${result.backend}${result.devices.length ? ` (${result.devices.join(", ")})` : ""}${vram}${result.ok ? "" : ` — ${result.reason}`}\n`);
  }
  process.stdout.write(`active: ${report.chosen}\n`);
  return 0;
}

async function commandPlan(args: string[]): Promise<number> {
  const { values } = parse(args, {
    actor: { type: "string" },
    critic: { type: "string" },
    vram: { type: "string" },
    ram: { type: "string" },
    "context-size": { type: "string" },
    sequences: { type: "string" },
    "critic-sequences": { type: "string" },
    gpu: { type: "string" },
  });
  if (!values.actor) throw new UsageError("plan needs --actor <gguf> (and usually --critic <gguf>)");
  const { planMemory, parseBytes, formatBytes } = await import("../llm/memory-plan.ts");
  for (const path of [values.actor, values.critic ?? values.actor]) await checkModelFile(path);
  const runtime = await openRuntime({ gpu: (values.gpu ?? "auto") as GpuChoice });
  const contextSize = intOption(values["context-size"], "context-size") ?? 4096;
  const bytes = (value: string | undefined) => {
    if (value === undefined) return undefined;
    try {
      return parseBytes(value);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
  const plan = await planMemory({
    llama: runtime.llama,
    actor: { path: values.actor, contextSize, sequences: intOption(values.sequences, "sequences") ?? 1 },
    critic: { path: values.critic ?? values.actor, contextSize, sequences: intOption(values["critic-sequences"], "critic-sequences") ?? 1 },
    vram: bytes(values.vram),
    ram: bytes(values.ram),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
  } else {
    process.stdout.write(`${plan.verdict}: ${plan.summary}\n`);
    for (const role of plan.roles) {
      process.stdout.write(`  ${role.role}: ${role.gpuLayers}/${role.totalLayers} GPU layers · context ${role.contextSize} × ${role.sequences} · weights ${formatBytes(role.weights.vram)} VRAM + ${formatBytes(role.weights.ram)} RAM · context ${formatBytes(role.context.vram)} VRAM + ${formatBytes(role.context.ram)} RAM${role.sharedWithActor ? " (shares the actor's copy)" : ""}\n`);
    }
    for (const suggestion of plan.suggestions) process.stdout.write(`  to fit better: ${suggestion}\n`);
  }
  return plan.verdict === "will-not-fit" ? 1 : 0;
}

async function commandModels(args: string[]): Promise<number> {
  const { values } = parse(args, { add: { type: "string" }, dir: { type: "string", multiple: true } });
  const { addModel, defaultRoots, readAddedModels, scanLibrary } = await import("../llm/library.ts");
  if (values.add) {
    await addModel(values.add);
    process.stderr.write(`added ${values.add}\n`);
  }
  const roots = defaultRoots();
  roots.added = await readAddedModels();
  roots.folders.push(...(values.dir ?? []));
  const models = await scanLibrary(roots);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
    return 0;
  }
  if (models.length === 0) process.stdout.write(`no GGUF models found (looked in ${roots.refinery}, ${[...roots.lmstudio, ...roots.ollama, ...roots.huggingface].join(", ")}); add one with --add <path>\n`);
  for (const model of models) {
    const facts = model.error
      ? `unreadable: ${model.error}`
      : `${model.architecture ?? "?"} · ${model.parameters ?? "?"} · ${model.quantization ?? "?"} · ${(model.sizeBytes / 2 ** 30).toFixed(2)} GiB · ctx ${model.contextLength ?? "?"} · ${model.layers ?? "?"} layers · ${model.chatTemplate ? "chat template" : "no chat template"} · suits ${model.roles.join(" and ")}`;
    process.stdout.write(`[${model.source}] ${model.name}\n    ${facts}\n    ${model.path}\n`);
  }
  return 0;
}

async function commandDownload(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { dir: { type: "string" }, sha256: { type: "string" }, name: { type: "string" } });
  const uri = positionals[0];
  if (!uri) throw new UsageError("download needs a model URI (hf:org/repo/file.gguf) or an http(s) URL");
  const { downloadModel, DownloadError } = await import("../llm/downloads.ts");
  const { defaultRoots } = await import("../llm/library.ts");
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  let lastPrint = 0;
  try {
    const result = await downloadModel({
      uri,
      dir: values.dir ?? defaultRoots().refinery,
      fileName: values.name,
      sha256: values.sha256,
      signal: controller.signal,
      onProgress: (p) => {
        if (Date.now() - lastPrint < 500) return;
        lastPrint = Date.now();
        process.stderr.write(`\r${(p.downloadedBytes / 2 ** 20).toFixed(1)} / ${(p.totalBytes / 2 ** 20).toFixed(1)} MiB · ${(p.speed / 2 ** 20).toFixed(1)} MiB/s · ${Math.round(p.etaSeconds)} s left   `);
      },
    });
    process.stderr.write("\n");
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${result.path}\n  sha256 ${result.sha256}\n`);
    return 0;
  } catch (error) {
    if (error instanceof DownloadError) {
      process.stderr.write(`\nrefinery: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function commandStrategies(args: string[]): number {
  const { values } = parse(args, {});
  if (values.json) {
    process.stdout.write(`${JSON.stringify(strategies.map(({ name, title, paper, summary, params }) => ({ name, title, paper, summary, params })), null, 2)}\n`);
    return 0;
  }
  for (const strategy of strategies) {
    process.stdout.write(`${strategy.name} — ${strategy.title}\n  ${strategy.summary}\n  paper: ${strategy.paper}\n`);
    for (const param of strategy.params) process.stdout.write(`    --param ${param.name}=${String(param.default)}  ${param.description}\n`);
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "run": return await commandRun(rest);
      case "replay": return await commandReplay(rest);
      case "inspect": return await commandInspect(rest);
      case "strategies": return commandStrategies(rest);
      case "serve": return await commandServe(rest);
      case "gpu": return await commandGpu(rest);
      case "plan": return await commandPlan(rest);
      case "models": return await commandModels(rest);
      case "download": return await commandDownload(rest);
      case undefined: case "help": case "--help": case "-h":
        process.stdout.write(USAGE);
        return command === undefined ? 1 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    const known = [UsageError, RunInputError, ModelFileError, RunLogError, DatasetError, StrategyParamError].some((type) => error instanceof type) || (error as Error).name === "ZodError";
    process.stderr.write(`refinery: ${known ? (error as Error).message : `internal error: ${(error as Error).stack ?? String(error)}`}\n`);
    if (error instanceof UsageError) process.stderr.write("run `refinery help` for usage\n");
    return 2;
  }
}
