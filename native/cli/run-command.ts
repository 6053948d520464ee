// refinery run: one task or a dataset slice through a strategy (or a preset), progress on stderr.
import type { RunEvent, Task } from "../protocol/events.ts";
import { chatWrapperNames, type GpuChoice } from "../llm/runtime.ts";
import { parseFieldMapping, readDataset } from "../eval/dataset.ts";
import { parseBytes } from "../llm/memory-plan.ts";
import { GPU_CHOICES } from "../protocol/contract.ts";
import { formatDuration } from "../protocol/format.ts";
import { parseRunRequest, runConfigFrom, type RunPlace } from "../runs/run-config.ts";
import { checkRoleSpec, executeRun } from "../runs/runner.ts";
import { defined, flagNumber, intOption, outFolderOption, paramsFrom, parse, threadsOption, UsageError } from "./args.ts";
import { applyEndpointFlags } from "./endpoint-flags.ts";
import { runFlagOptions } from "./run-flags.ts";

function describeEvent(event: RunEvent, state: { nodes: Map<string, string>; models: Map<string, string> }): string | null {
  switch (event.type) {
    case "node-added":
      state.nodes.set(event.nodeId, `${event.nodeId} ${event.role}/${event.step}${event.model ? ` (${event.model})` : ""}`);
      if (event.model) state.models.set(event.nodeId, event.model);
      return null;
    case "node-completed":
      return `  ${state.nodes.get(event.nodeId)} ${event.status}: ${event.tokensOut} tokens${event.thoughtTokens ? ` (${event.thoughtTokens} thinking${event.thoughtCut ? ", budget reached" : ""})` : ""} in ${formatDuration(event.wallMs)}${event.answerCut ? " · answer cut at its budget" : ""}${event.answer !== null ? ` → ${event.answer}` : ""}${event.error ? ` · ${event.error}` : ""}${event.warning ? `\n  warning: ${event.warning}` : ""}`;
    case "score-set":
      return `  ${event.nodeId} scored ${event.score.value ?? event.score.verdict}${event.score.value !== null && event.score.verdict !== "unknown" ? ` ${event.score.verdict}` : ""} by ${(event.score.byNodeId && state.models.get(event.score.byNodeId)) || event.score.source}${event.score.byNodeId ? ` (${event.score.byNodeId})` : ""}`;
    case "node-pruned":
      return `  ${event.nodeId} pruned: ${event.reason}`;
    case "run-failed":
      return event.code === "cancelled" ? "  run cancelled" : `  run failed: ${event.reason}`;
    default:
      return null;
  }
}

/** --vram / --ram: plan for this much memory ("8GiB") instead of what is free, as `refinery plan` takes it. */
function budgetFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseBytes(value);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`);
  }
}

/** A chat wrapper named for one role joins that role's load settings (and so its loaded copy). */
function withChatWrapper<T extends object>(load: T, name: string | undefined): T & { chatWrapper?: string } {
  if (name === undefined) return load;
  if (!(chatWrapperNames as readonly string[]).includes(name)) throw new UsageError(`unknown chat wrapper '${name}' (known: ${chatWrapperNames.join(", ")})`);
  return { ...load, chatWrapper: name };
}

/** The run flags as the request the run form would send, and where its runs go: everything `refinery run` decides before a task starts. */
export async function parseRunFlags(args: string[]) {
  const { values } = parse(args, runFlagOptions);
  if (values.preset && values.strategy) throw new UsageError("--preset and --strategy exclude each other");
  const outDir = outFolderOption(values.out ?? "runs");
  const threads = threadsOption(values.threads);
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
  if (!GPU_CHOICES.includes(gpu)) throw new UsageError(`--gpu must be ${GPU_CHOICES.slice(0, -1).join(", ")} or ${GPU_CHOICES.at(-1)}, got '${gpu}'`);
  const gpuLayersText = values["gpu-layers"];
  if (gpuLayersText !== undefined && !/^(auto|max|\d+)$/.test(gpuLayersText))
    throw new UsageError(`--gpu-layers takes auto, max or a number, got '${gpuLayersText}'`);
  const gpuLayers = gpuLayersText === undefined || gpuLayersText === "auto" ? undefined : gpuLayersText === "max" ? ("max" as const) : Number(gpuLayersText);
  // The flags become the request the UI would send, checked by the same builder with the same messages (the
  // field named by its flag): the CLI accepts exactly what the run form accepts.
  const load = defined({ contextSize: flagNumber(values["context-size"]), gpuLayers, ...(values["flash-attention"] ? { flashAttention: true } : {}) });
  const request = {
    strategy: values.strategy,
    params: paramsFrom(values.param),
    actor: {
      path: specs.actor[0]!,
      sampling: defined({
        maxTokens: flagNumber(values["max-tokens"]),
        temperature: flagNumber(values.temperature),
        thinkingBudget: flagNumber(values["thinking-budget"]),
      }),
      load,
    },
    critic: {
      path: specs.critic[0]!,
      sampling: defined({
        maxTokens: flagNumber(values["critic-max-tokens"]),
        thinkingBudget: flagNumber(values["critic-thinking-budget"]),
        ...(values["critic-reason-first"] ? { reasonFirst: true } : {}),
        ...(values["critic-meta-critique"] ? { metaCritique: true } : {}),
      }),
      load,
    },
    task: { question: values.task ?? "(each dataset item)" },
    ...defined({ seed: flagNumber(values.seed), maxTotalTokens: flagNumber(values["max-total-tokens"]) }),
    parallel: !values.sequential,
    ...(values.force ? { force: true } : {}),
  };
  const checked = parseRunRequest(request, "cli");
  // A critic the strategy never calls with these parameters (Self-Refine with the actor's feedback) is not
  // loaded: the critic role runs on the actor's copy, with the critic's sampling settings (unused-critic.ts).
  const { criticIsCalled } = await import("../runs/unused-critic.ts");
  const criticCalled = criticIsCalled(checked.strategy, checked.params);
  if (!criticCalled && values.critic !== undefined) {
    // Not loaded, but a critic that could not be is still refused: the user meant some other file.
    await checkRoleSpec("critic", specs.critic[0]!, "cli");
    if (!values.quiet) process.stderr.write(`the critic is not loaded: ${values.strategy} does not call it with these parameters\n`);
  }
  const memoryBudget = defined({ vram: budgetFlag(values.vram, "vram"), ram: budgetFlag(values.ram, "ram") });
  const place: RunPlace = {
    outDir,
    gpu,
    threads,
    ...(Object.keys(memoryBudget).length ? { memoryBudget } : {}),
    load: {
      actor: withChatWrapper({}, values["chat-wrapper"]),
      critic: withChatWrapper({}, values[criticCalled ? "critic-chat-wrapper" : "chat-wrapper"]),
    },
  };
  return { values, request: checked, place };
}

export async function commandRun(args: string[]): Promise<number> {
  const { values, request, place } = await parseRunFlags(args);
  const tasks: Task[] = values.dataset
    ? await readDataset(values.dataset, {
        limit: intOption(values.limit, "limit", 1),
        offset: intOption(values.offset, "offset"),
        ...(values.field?.length ? { fields: parseFieldMapping(values.field) } : {}),
        skipMalformed: values["skip-malformed"] === true,
      })
    : [{ question: values.task!, ...(values.reference !== undefined ? { reference: values.reference } : {}) }];
  const controller = new AbortController();
  // SIGTERM (a service manager, `kill`) stops a run like Ctrl-C: the run ends cancelled, its files complete.
  const onSignal = () => {
    process.stderr.write("\ncancelling…\n");
    controller.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const results = [];
  let failed = 0;
  let cancelled = false;
  try {
    for (const [index, task] of tasks.entries()) {
      const labels = { nodes: new Map<string, string>(), models: new Map<string, string>() };
      const config = runConfigFrom(
        { ...request, task },
        {
          ...place,
          signal: controller.signal,
          onProgress: values.quiet ? undefined : (message) => process.stderr.write(`${message}\n`),
          onEvent: values.quiet
            ? undefined
            : (event) => {
                const line = describeEvent(event, labels);
                if (line) process.stderr.write(`${line}\n`);
              },
        },
      );
      if (tasks.length > 1 && !values.quiet) process.stderr.write(`[${index + 1}/${tasks.length}] ${task.id ?? ""}\n`);
      const result = await executeRun(config);
      const { state } = result;
      if (state.status === "cancelled") cancelled = true;
      else if (state.status !== "finished") failed++;
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
            : state.status === "cancelled"
              ? "cancelled"
              : `failed (${state.failure!.code}): ${state.failure!.reason}`;
        process.stdout.write(`${result.dir}\n  ${outcome}\n`);
      }
      if (controller.signal.aborted) break;
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(tasks.length === 1 && results.length === 1 ? results[0] : results, null, 2)}\n`);
  // 130: the shell's code for a command stopped by a signal it asked for (128 + SIGINT).
  return failed > 0 ? 1 : cancelled ? 130 : 0;
}
