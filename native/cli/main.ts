// `refinery`: the engine from the command line. Progress goes to stderr, results to stdout (--json for
// machines); any error is one clear line and a non-zero exit.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { DatasetError } from "../eval/dataset.ts";
import { ModelFileError } from "../llm/gguf-check.ts";
import { relabel } from "../protocol/field-labels.ts";
import { DiskFullError } from "../runs/disk-full.ts";
import { UnsafeNameError } from "../runs/paths.ts";
import { describeRunLogDamage, RunLogError, replayRunLog } from "../runs/run-log.ts";
import { RunInputError } from "../runs/runner.ts";
import { strategies } from "../strategies/registry.ts";
import { StrategyParamError } from "../strategies/types.ts";
import { intOption, parse, UsageError } from "./args.ts";
import { commandDownload, commandGpu, commandInspect, commandModels, commandPlan } from "./model-commands.ts";
import { renderTree } from "./render-tree.ts";
import { commandRun } from "./run-command.ts";
import { commandCriticEval, commandExperiment, commandReport } from "./experiment-commands.ts";
import { commandGrade } from "./grade-command.ts";

const USAGE = `refinery — an actor and a critic LLM refine answers together

usage:
  refinery run (--strategy <name> | --preset <file.json>) --actor <model> [--critic <model>] (--task "<text>" | --dataset <file> [--limit n] [--field name=f …] [--skip-malformed])
               [--out <dir>] [--seed n] [--param name=value ...] [--reference <answer>] [--save-preset <file.json>]
               [--max-tokens n] [--temperature t] [--critic-max-tokens n] [--max-total-tokens n]
               [--thinking-budget n] [--critic-thinking-budget n] [--critic-reason-first]
               [--chat-wrapper name] [--critic-chat-wrapper name]
               [--threads n] [--gpu auto|cpu|cuda|vulkan|metal] [--context-size n] [--gpu-layers auto|max|n]
               [--flash-attention] [--sequential] [--json] [--quiet] [--vram size] [--ram size] [--force]
      refused before loading when the memory plan says the models will not fit (in the free memory, or in
      --vram/--ram); --force loads anyway. Ctrl-C or SIGTERM cancels: the run is marked cancelled, its files complete
               [--api-key-env NAME] [--critic-api-key-env NAME] [--endpoint-concurrency n] [--request-timeout s]
      a <model> is a GGUF file or an endpoint, openai:http://host:8000/v1#served-model-name (key: $OPENAI_API_KEY
      or the variable --api-key-env names)
  refinery replay <run folder | events.jsonl> [--json]
  refinery runs [--out <dir>] [--json]         the runs in a folder (default runs), newest first, and how each ended;
                                              a run whose process is gone is marked interrupted
  refinery inspect <gguf> [--context-size n] [--sequences n] [--chat-wrapper name] [--json]
  refinery strategies [--json]
  refinery gpu [--refresh] [--json]           prove each GPU backend in a child process; the active one and why
  refinery plan --actor <gguf> [--critic <gguf>] [--vram 8GiB] [--ram 16GiB] [--context-size n] [--sequences n]
                                              the joint memory plan and verdict, before anything loads
  refinery models [--add <gguf>] [--dir <folder> ...] [--json]
                                              GGUFs in Refinery's folder, LM Studio, Ollama and the Hugging Face cache
  refinery download <hf:org/repo/file.gguf | url> [--dir <folder>] [--sha256 <hex>] [--name <file>] [--timeout <s>]
                                              resumable, verified download into the models folder
  refinery experiment --dataset <file> [--limit n] [--offset n] [--field question=<f> --field reference=<f> …]
               [--skip-malformed] --strategy <name[:k=v,…]|@preset.json> … --actor <model> [--actor <model> …] [--pool <file.json>] [--critic <model>]
               [--seed n] --out <folder> [--max-tokens n] [--thinking-budget n] [--critic-thinking-budget n] [--max-total-tokens n] [--concurrency n|auto] [--no-cache]
                                              resumable; run again to continue a stopped one (p pauses, q stops)
  refinery report <folder> [--html <file>] [--csv <file>] [--jsonl <file>] [--pairs <file.jsonl>] [--baseline <column>] [--json]
  refinery critic-eval --mode processbench|realcritic --dataset <file> --critic <gguf> [--actor <gguf>] [--limit n] [--json]
  refinery grade --dataset <file> --field response=<f> [--field reference=<f> --field question=<f> --field choices=<f>]
               [--limit n] [--offset n] [--skip-malformed] [--csv <file>] [--jsonl <file>] [--json]
                                              judge existing answers (any tool's) with the experiments' checker
  refinery serve [--port n] [--runs <dir>] [--gpu …] [--threads n]   the UI on 127.0.0.1 with an access token
  refinery serve --openai --actor <gguf> [--critic <gguf>] [--port n] [--host addr] [--preset <file.json> …]
               [--parallel n] [--api-key k] [--runs <dir>]
                                              strategies as models behind an OpenAI-compatible API (/v1/models,
                                              /v1/chat/completions), loopback only unless --host
`;

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
    const damage = describeRunLogDamage(path, log);
    if (damage) process.stdout.write(`(${damage})\n`);
  }
  return 0;
}

async function commandRuns(args: string[]): Promise<number> {
  const { values } = parse(args, { out: { type: "string" } });
  const { listRuns } = await import("../runs/run-list.ts");
  // No run is active in this process: every "running" run whose writer is gone settles as interrupted.
  const runs = await listRuns(values.out ?? "runs", new Set());
  if (values.json) {
    process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
    return 0;
  }
  for (const run of runs) {
    const outcome =
      run.status === "finished"
        ? `finished${run.answer !== null ? ` → ${run.answer}` : ""}${run.correct === null ? "" : run.correct ? " (correct)" : " (incorrect)"}`
        : run.failure && run.status !== "cancelled"
          ? `${run.status}: ${run.failure}`
          : run.status;
    process.stdout.write(`${run.runId}  ${run.strategy}  ${outcome}\n  ${run.question.replace(/\s+/g, " ").slice(0, 70)}\n`);
  }
  if (runs.length === 0) process.stdout.write(`no runs in ${values.out ?? "runs"}\n`);
  return 0;
}

async function commandServe(args: string[]): Promise<number> {
  if (args.includes("--openai")) return (await import("./serve-openai-command.ts")).commandServeOpenAI(args);
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

function commandStrategies(args: string[]): number {
  const { values } = parse(args, {});
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify(
        strategies.map(({ name, title, paper, summary, params }) => ({ name, title, paper, summary, params })),
        null,
        2,
      )}\n`,
    );
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
      case "run":
        return await commandRun(rest);
      case "replay":
        return await commandReplay(rest);
      case "runs":
        return await commandRuns(rest);
      case "inspect":
        return await commandInspect(rest);
      case "strategies":
        return commandStrategies(rest);
      case "serve":
        return await commandServe(rest);
      case "gpu":
        return await commandGpu(rest);
      case "plan":
        return await commandPlan(rest);
      case "models":
        return await commandModels(rest);
      case "download":
        return await commandDownload(rest);
      case "experiment":
        return await commandExperiment(rest);
      case "report":
        return await commandReport(rest);
      case "critic-eval":
        return await commandCriticEval(rest);
      case "grade":
        return await commandGrade(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(USAGE);
        return command === undefined ? 1 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    const known =
      [UsageError, RunInputError, ModelFileError, RunLogError, DatasetError, StrategyParamError, DiskFullError, UnsafeNameError].some(
        (type) => error instanceof type,
      ) || ["ZodError", "ExperimentError", "ModelSpecError"].includes((error as Error).name);
    // An error about one field was worded for the run form; here the field is its flag.
    const message = relabel((error as Error).message, (error as { field?: string }).field, "cli");
    process.stderr.write(`refinery: ${known ? message : `internal error: ${(error as Error).stack ?? String(error)}`}\n`);
    if (error instanceof UsageError) process.stderr.write("run `refinery help` for usage\n");
    return 2;
  }
}
