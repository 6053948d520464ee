// refinery run: one task or a dataset slice through a strategy (or a preset), progress on stderr.
import type { RunEvent, Task } from "../protocol/events.ts";
import { chatWrapperNames, type GpuChoice } from "../llm/runtime.ts";
import { parseFieldMapping, readDataset } from "../eval/dataset.ts";
import { executeRun, type RunConfig } from "../runs/runner.ts";
import { intOption, numberOption, paramsFrom, parse, UsageError } from "./args.ts";
import { applyEndpointFlags, endpointFlags } from "./endpoint-flags.ts";

function describeEvent(event: RunEvent, state: { nodes: Map<string, string> }): string | null {
  switch (event.type) {
    case "node-added":
      state.nodes.set(event.nodeId, `${event.nodeId} ${event.role}/${event.step}${event.model ? ` (${event.model})` : ""}`);
      return null;
    case "node-completed":
      return `  ${state.nodes.get(event.nodeId)} ${event.status}: ${event.tokensOut} tokens${event.thoughtTokens ? ` (${event.thoughtTokens} thinking${event.thoughtCut ? ", budget reached" : ""})` : ""} in ${event.wallMs} ms${event.answerCut ? " · answer cut at its budget" : ""}${event.answer !== null ? ` → ${event.answer}` : ""}${event.error ? ` · ${event.error}` : ""}${event.warning ? `\n  warning: ${event.warning}` : ""}`;
    case "score-set":
      return `  ${event.nodeId} scored ${event.score.value ?? event.score.verdict} by ${event.score.source}${event.score.byNodeId ? ` (${event.score.byNodeId})` : ""}`;
    case "run-failed":
      return `  run failed: ${event.reason}`;
    default:
      return null;
  }
}

/** A chat wrapper named for one role joins that role's load settings (and so its loaded copy). */
function withChatWrapper<T extends object>(load: T, name: string | undefined): T & { chatWrapper?: string } {
  if (name === undefined) return load;
  if (!(chatWrapperNames as readonly string[]).includes(name)) throw new UsageError(`unknown chat wrapper '${name}' (known: ${chatWrapperNames.join(", ")})`);
  return { ...load, chatWrapper: name };
}

export async function commandRun(args: string[]): Promise<number> {
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
    field: { type: "string", multiple: true },
    "skip-malformed": { type: "boolean" },
    out: { type: "string" },
    seed: { type: "string" },
    param: { type: "string", multiple: true },
    "max-tokens": { type: "string" },
    "critic-max-tokens": { type: "string" },
    "thinking-budget": { type: "string" },
    "critic-thinking-budget": { type: "string" },
    "critic-reason-first": { type: "boolean" },
    "chat-wrapper": { type: "string" },
    "critic-chat-wrapper": { type: "string" },
    temperature: { type: "string" },
    "max-total-tokens": { type: "string" },
    threads: { type: "string" },
    gpu: { type: "string" },
    "context-size": { type: "string" },
    "gpu-layers": { type: "string" },
    "flash-attention": { type: "boolean" },
    sequential: { type: "boolean" },
    quiet: { type: "boolean" },
    ...endpointFlags,
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
  if (!values.actor) throw new UsageError("--actor <gguf | openai:URL#model> is required");
  const specs = applyEndpointFlags(values, { actor: [values.actor], critic: [values.critic ?? values.actor] });
  if (values.task === undefined && !values.dataset) throw new UsageError('give a task with --task "..." or a dataset with --dataset <file>');
  if (values.task !== undefined && values.dataset) throw new UsageError("--task and --dataset exclude each other");
  const gpu = (values.gpu ?? "auto") as GpuChoice;
  if (!["auto", "cpu", "cuda", "vulkan", "metal"].includes(gpu)) throw new UsageError(`--gpu must be auto, cpu, cuda, vulkan or metal, got '${gpu}'`);
  const tasks: Task[] = values.dataset
    ? await readDataset(values.dataset, {
        limit: intOption(values.limit, "limit", 1),
        offset: intOption(values.offset, "offset"),
        ...(values.field?.length ? { fields: parseFieldMapping(values.field) } : {}),
        skipMalformed: values["skip-malformed"] === true,
      })
    : [{ question: values.task!, ...(values.reference !== undefined ? { reference: values.reference } : {}) }];
  const contextSize = intOption(values["context-size"], "context-size");
  const gpuLayersText = values["gpu-layers"];
  if (gpuLayersText !== undefined && !/^(auto|max|\d+)$/.test(gpuLayersText))
    throw new UsageError(`--gpu-layers takes auto, max or a number, got '${gpuLayersText}'`);
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
        actor: {
          path: specs.actor[0]!,
          sampling: {
            maxTokens: intOption(values["max-tokens"], "max-tokens"),
            temperature: numberOption(values.temperature, "temperature"),
            thinkingBudget: intOption(values["thinking-budget"], "thinking-budget"),
          },
          load: withChatWrapper(load, values["chat-wrapper"]),
        },
        critic: {
          path: specs.critic[0]!,
          sampling: {
            maxTokens: intOption(values["critic-max-tokens"], "critic-max-tokens"),
            thinkingBudget: intOption(values["critic-thinking-budget"], "critic-thinking-budget"),
            ...(values["critic-reason-first"] ? { reasonFirst: true } : {}),
          },
          load: withChatWrapper(load, values["critic-chat-wrapper"]),
        },
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
        const outcome =
          state.status === "finished"
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
