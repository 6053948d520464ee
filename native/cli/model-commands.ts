// The model and hardware commands: inspect, gpu, plan, models, download.
import { flagOptions } from "../protocol/field-labels.ts";
import { COMMAND_FLAGS } from "./command-flags.ts";
import { GgufInsights } from "node-llama-cpp";
import { ggufInfo, modelFacts } from "../llm/model-facts.ts";
import { resolveChatFormat } from "../llm/chat-format.ts";
import { ModelLoadError, openRuntime, type GpuChoice } from "../llm/runtime.ts";
import { formatBytes } from "../protocol/format.ts";
import { redactSpec } from "../protocol/model-spec.ts";
import { defaultContextSize } from "../protocol/defaults.ts";
import { intOption, parse, UsageError } from "./args.ts";

export async function commandInspect(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, flagOptions(COMMAND_FLAGS.inspect));
  const path = positionals[0];
  if (!path) throw new UsageError("inspect needs a GGUF file path");
  const summary = await modelFacts(path);
  const runtime = await openRuntime({ gpu: (values.gpu ?? "auto") as GpuChoice });
  const info = await ggufInfo(path);
  const insights = await GgufInsights.from(info, runtime.llama);
  const contextSize = intOption(values["context-size"], "context-size") ?? defaultContextSize(summary.contextLength);
  const sequences = intOption(values.sequences, "sequences") ?? 1;
  const gpuLayers = runtime.report.active === "cpu" ? 0 : insights.totalLayers;
  const model = await insights.estimateModelResourceRequirementsV2({ gpuLayers });
  const context = await insights.estimateContextResourceRequirementsV2({ contextSize, modelGpuLayers: gpuLayers, sequences });
  const chatFormat = await resolveChatFormat(runtime.llama, path, values["chat-wrapper"]).catch((error: unknown) => {
    throw error instanceof ModelLoadError ? new UsageError(error.message) : error;
  });
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
    chatFormat,
    backend: runtime.report,
    estimate: { contextSize, sequences, gpuLayers, model, context, totalRam: model.cpuRam + context.cpuRam, totalVram: model.gpuVram + context.gpuVram },
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    process.stdout.write(
      [
        `${path}`,
        `  architecture ${result.architecture ?? "?"} · ${result.name ?? "unnamed"} · ${formatBytes(result.sizeBytes)} · ${result.layers ?? "?"} layers · context ${result.contextLength ?? "?"}`,
        `  chat template: ${result.chatTemplate ? "yes" : "no (prompts use a generic format)"}`,
        `  chat wrapper: ${chatFormat.wrapper}${chatFormat.overridden ? " (named with --chat-wrapper)" : " (resolved by node-llama-cpp)"} · thought segments: ${chatFormat.thoughts ? "yes (the model thinks before it answers)" : "no"}`,
        `  backend: ${runtime.report.active}${runtime.report.devices.length ? ` (${runtime.report.devices.join(", ")})` : ""}${runtime.report.fallbackReason ? ` — ${runtime.report.fallbackReason}` : ""}`,
        `  estimated memory at context ${contextSize} × ${sequences} sequence(s), ${gpuLayers} GPU layers:`,
        `    weights  RAM ${formatBytes(model.cpuRam)}  VRAM ${formatBytes(model.gpuVram)}`,
        `    context  RAM ${formatBytes(context.cpuRam)}  VRAM ${formatBytes(context.gpuVram)}`,
      ].join("\n") + "\n",
    );
  }
  return 0;
}

export async function commandGpu(args: string[]): Promise<number> {
  const { values } = parse(args, flagOptions(COMMAND_FLAGS.gpu));
  const { probeBackends } = await import("../llm/gpu-probe.ts");
  const { backendOptions, cpuFacts } = await import("../llm/backend-options.ts");
  const { freemem, totalmem } = await import("node:os");
  const report = await probeBackends({ refresh: values.refresh, all: true });
  const options = await backendOptions(report);
  const cpu = cpuFacts();
  const chosen = report.results.find((r) => r.backend === report.chosen);
  if (values.json) {
    // The machine key stays in the JSON for scripts that compare caches; people get the facts below.
    process.stdout.write(`${JSON.stringify({ ...report, backends: options, cpu, ram: { free: freemem(), total: totalmem() } }, null, 2)}\n`);
    return 0;
  }
  const vram = chosen?.vram ? `${formatBytes(chosen.vram.free)} free of ${formatBytes(chosen.vram.total)}` : "none (runs in RAM)";
  const lines = [
    `backend: ${report.chosen}${report.fromCache ? ` (proven ${report.probedAt}; --refresh proves again)` : " (proven just now)"}`,
    `devices: ${chosen?.devices.length ? chosen.devices.join(", ") : report.chosen === "cpu" ? "none (the CPU backend)" : "unnamed"}`,
    `VRAM: ${vram}`,
    `CPU: ${cpu.model} · ${cpu.cores} cores`,
    `RAM: ${formatBytes(freemem())} free of ${formatBytes(totalmem())}`,
    "backends:",
    ...report.results.map((result) => {
      const devices = result.devices.length ? ` (${result.devices.join(", ")})` : "";
      const memory = result.vram ? ` · VRAM ${formatBytes(result.vram.free)} free of ${formatBytes(result.vram.total)}` : "";
      return `  ${result.ok ? "✓" : "✗"} ${result.backend}${devices}${memory}${result.ok ? "" : ` — ${result.reason}`}`;
    }),
  ];
  // Backends this platform has that the probe did not try (Metal is not offered on Linux at all).
  for (const option of options) {
    if (option.backend !== "auto" && !report.results.some((r) => r.backend === option.backend) && !option.available)
      lines.push(`  ✗ ${option.backend} — ${option.reason}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

export async function commandPlan(args: string[]): Promise<number> {
  const { values } = parse(args, flagOptions(COMMAND_FLAGS.plan));
  if (!values.actor) throw new UsageError("plan needs --actor <gguf> (and usually --critic <gguf>)");
  const { planMemory, parseBytes, formatBytes } = await import("../llm/memory-plan.ts");
  for (const path of [values.actor, values.critic ?? values.actor]) await modelFacts(path);
  const runtime = await openRuntime({ gpu: (values.gpu ?? "auto") as GpuChoice });
  const given = intOption(values["context-size"], "context-size");
  const context = async (path: string) => given ?? defaultContextSize((await modelFacts(path)).contextLength);
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
    actor: { path: values.actor, contextSize: await context(values.actor), sequences: intOption(values.sequences, "sequences") ?? 1 },
    critic: {
      path: values.critic ?? values.actor,
      contextSize: await context(values.critic ?? values.actor),
      sequences: intOption(values["critic-sequences"], "critic-sequences") ?? 1,
    },
    vram: bytes(values.vram),
    ram: bytes(values.ram),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
  } else {
    process.stdout.write(`${plan.verdict}: ${plan.summary}\n`);
    for (const role of plan.roles) {
      process.stdout.write(
        `  ${role.role}: ${role.gpuLayers}/${role.totalLayers} GPU layers · context ${role.contextSize} × ${role.sequences} · weights ${formatBytes(role.weights.vram)} VRAM + ${formatBytes(role.weights.ram)} RAM · context ${formatBytes(role.context.vram)} VRAM + ${formatBytes(role.context.ram)} RAM${role.sharedWithActor ? " (shares the actor's copy)" : ""}\n`,
      );
    }
    for (const suggestion of plan.suggestions) process.stdout.write(`  to fit better: ${suggestion}\n`);
  }
  return plan.verdict === "will-not-fit" ? 1 : 0;
}

export async function commandModels(args: string[]): Promise<number> {
  const { values } = parse(args, flagOptions(COMMAND_FLAGS.models));
  const { addModel, defaultRoots, readAddedModels, scanLibrary } = await import("../llm/library.ts");
  if (values.add) {
    await addModel(values.add);
    process.stderr.write(`added ${redactSpec(values.add)}\n`);
  }
  const roots = defaultRoots();
  roots.added = await readAddedModels();
  roots.folders.push(...(values.dir ?? []));
  const models = await scanLibrary(roots);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
    return 0;
  }
  if (models.length === 0)
    process.stdout.write(
      `no GGUF models found (looked in ${roots.refinery}, ${[...roots.lmstudio, ...roots.ollama, ...roots.huggingface].join(", ")}); add one with --add <path>\n`,
    );
  for (const model of models) {
    const facts = model.error
      ? `unreadable: ${model.error}`
      : model.endpoint
        ? `served by ${model.endpoint} · suits ${model.roles.join(" and ")}`
        : `${model.architecture ?? "?"} · ${model.parameters ?? "?"} · ${model.quantization ?? "?"} · ${formatBytes(model.sizeBytes)} · ctx ${model.contextLength ?? "?"} · ${model.layers ?? "?"} layers · ${model.roleNote ? `${model.roleNote} · suits ${model.roles.join(" and ")} best, usable as actor too` : `chat template · suits ${model.roles.join(" and ")}`}`;
    process.stdout.write(`[${model.source}] ${model.name}\n    ${facts}\n    ${model.path}\n`);
  }
  return 0;
}

function secondsOption(value: string, name: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--${name} takes a number of seconds above 0, not '${value}'`);
  return seconds;
}

/** Refuses, before any network call, a scheme the downloader would otherwise take for a Hugging Face reference. */
export function checkDownloadScheme(uri: string): void {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
  if (scheme !== undefined && !["hf", "huggingface", "http", "https"].includes(scheme))
    throw new UsageError(`download takes hf:org/repo/file.gguf or an http(s) URL; '${scheme}:' addresses are not supported`);
}

export async function commandDownload(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, flagOptions(COMMAND_FLAGS.download));
  const uri = positionals[0];
  if (!uri) throw new UsageError("download needs a model URI (hf:org/repo/file.gguf) or an http(s) URL");
  checkDownloadScheme(uri);
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
      ...(values.timeout ? { connectTimeoutMs: secondsOption(values.timeout, "timeout") * 1000 } : {}),
      onConnecting: (host) => process.stderr.write(`connecting to ${host}… (Ctrl-C cancels)\n`),
      onProgress: (p) => {
        if (Date.now() - lastPrint < 500) return;
        lastPrint = Date.now();
        process.stderr.write(
          `\r${formatBytes(p.downloadedBytes)} / ${formatBytes(p.totalBytes)} · ${formatBytes(p.speed)}/s · ${Math.round(p.etaSeconds)} s left   `,
        );
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
