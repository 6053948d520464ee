// `refinery`: the engine from the command line. Progress goes to stderr, results to stdout (--json for
// machines); any error is one clear line and a non-zero exit.
import { relabel } from "../protocol/field-labels.ts";
import { UsageError } from "./args.ts";
import { runUsage } from "./run-flags.ts";

export const USAGE = `refinery — an actor and a critic LLM refine answers together

usage:
${runUsage()}
      a <model> is a GGUF file or an endpoint, openai:http://host:8000/v1#served-model-name (key: $OPENAI_API_KEY
      or the variable --api-key-env names). Refused before loading when the memory plan says the models will not
      fit (in the free memory, or in --vram/--ram); --force loads anyway. Ctrl-C or SIGTERM cancels: the run is
      marked cancelled, its files complete up to there.
  refinery replay <run folder | events.jsonl> [--json]
  refinery runs [--out <dir>] [--json]         the runs in a folder (default runs), newest first, and how each ended;
                                              a run whose process is gone is marked interrupted
  refinery inspect <gguf> [--context-size n] [--sequences n] [--chat-wrapper name] [--gpu …] [--json]
  refinery strategies [--json]
  refinery gpu [--refresh] [--json]           prove each GPU backend in a child process; the active one and why
  refinery plan --actor <gguf> [--critic <gguf>] [--vram 8GiB] [--ram 16GiB] [--context-size n] [--sequences n]
               [--critic-sequences n] [--gpu …]
                                              the joint memory plan and verdict, before anything loads
  refinery models [--add <gguf>] [--dir <folder> ...] [--json]
                                              GGUFs in Refinery's folder, LM Studio, Ollama and the Hugging Face cache
  refinery download <hf:org/repo/file.gguf | url> [--dir <folder>] [--sha256 <hex>] [--name <file>] [--timeout <s>]
                                              resumable, verified download into the models folder
  refinery experiment --dataset <file> [--limit n] [--offset n] [--field question=<f> --field reference=<f> …]
               [--skip-malformed] --strategy <name[:k=v,…]|@preset.json> … --actor <model> [--actor <model> …] [--pair actor[,critic] …] [--pool <file.json>] [--critic <model>]
               [--seed n] [--repeats r] [--frontier n] --out <folder> [--max-tokens n] [--thinking-budget n] [--critic-thinking-budget n] [--max-total-tokens n] [--sampling paper|matched[:T]] [--concurrency n|auto] [--no-cache]
               [--grader checklist|rubric|pairwise --judge <model> [--judge <model> …] [--baseline <column>|reference] [--judge-max-tokens n] [--checklist-calls structured|per-criterion]]
               [--threads n] [--gpu …] [--quiet] [--api-key-env NAME] [--critic-api-key-env NAME] [--endpoint-concurrency n] [--request-timeout s]
                                              resumable; run again to continue a stopped one (p pauses, q stops); with a
                                              grader, judge models grade each answer after the cells (a jury when several;
                                              pairwise in both orders, a flip is a tie; keys: --critic-api-key-env)
  refinery report <folder> [--html <file>] [--csv <file>] [--jsonl <file>] [--pairs <file.jsonl>] [--baseline <column>] [--json]
  refinery critic-eval --mode processbench|realcritic --dataset <file> --critic <gguf> [--actor <gguf>] [--limit n] [--param verifyK=k --temperature t] [--meta-critique] [--threads n] [--gpu …] [--json]
  refinery critic-eval --mode metacritique --dataset <MetaCritique benchmark_data.json> --critic <model> --judge <model> [--limit n] [--max-tokens n] [--json]
                                              the critic's free-text critiques split into claims by the judge: Meta-P/R/F1
  refinery judge-eval --dataset <human-labelled file> --judge <model> [--mode pairwise|score|claims] [--limit n] [--seed n] [--max-tokens n] [--json]
               [--threads n] [--gpu …] [--quiet] [--api-key-env NAME] [--critic-api-key-env NAME] [--endpoint-concurrency n] [--request-timeout s]
                                              a judge against people: accuracy and κ (pairwise: LLMBar, PandaLM; claims:
                                              MetaCritique), Spearman and MAE (scores: FED), position flips and length bias
  refinery grade --dataset <file> --field response=<f> [--field reference=<f> --field question=<f> --field choices=<f>]
               [--limit n] [--offset n] [--skip-malformed] [--csv <file>] [--jsonl <file>] [--json]
                                              judge existing answers (any tool's) with the experiments' checker
  refinery serve [--port n] [--runs <dir>] [--gpu …] [--threads n]   the UI on 127.0.0.1 with an access token
  refinery serve --openai --actor <gguf> [--critic <gguf>] [--port n] [--host addr] [--preset <file.json> …]
               [--parallel n] [--api-key k] [--runs <dir>] [--context-size n] [--ui-url <url>]
                                              strategies as models behind an OpenAI-compatible API (/v1/models,
                                              /v1/chat/completions), loopback only unless --host
`;

/** One command's part of the usage: its lines in USAGE (a command may have several forms, as serve does). */
export function commandUsage(command: string): string | null {
  const lines = USAGE.split("\n");
  const picked: string[] = [];
  let inside = false;
  for (const line of lines) {
    const start = /^ {2}refinery (\S+)/.exec(line);
    if (start) inside = start[1] === command;
    else if (!/^ {3,}\S/.test(line)) inside = false;
    if (inside) picked.push(line);
  }
  return picked.length ? `usage:\n${picked.join("\n")}\n` : null;
}

type Command = (args: string[]) => Promise<number> | number;

// Each command's module loads when it runs, so `help`, `replay` or `runs` do not pay for llama.cpp's bindings
// (importing node-llama-cpp alone takes ~0.35 s).
const commands: Record<string, () => Promise<Command>> = {
  run: async () => (await import("./run-command.ts")).commandRun,
  replay: async () => (await import("./run-log-commands.ts")).commandReplay,
  runs: async () => (await import("./run-log-commands.ts")).commandRuns,
  inspect: async () => (await import("./model-commands.ts")).commandInspect,
  strategies: async () => (await import("./strategies-command.ts")).commandStrategies,
  serve: async () => (await import("./serve-command.ts")).commandServe,
  gpu: async () => (await import("./model-commands.ts")).commandGpu,
  plan: async () => (await import("./model-commands.ts")).commandPlan,
  models: async () => (await import("./model-commands.ts")).commandModels,
  download: async () => (await import("./model-commands.ts")).commandDownload,
  experiment: async () => (await import("./experiment-commands.ts")).commandExperiment,
  report: async () => (await import("./experiment-commands.ts")).commandReport,
  "critic-eval": async () => (await import("./experiment-commands.ts")).commandCriticEval,
  grade: async () => (await import("./grade-command.ts")).commandGrade,
  "judge-eval": async () => (await import("./judge-eval-command.ts")).commandJudgeEval,
};

/** Errors that are the user's to fix, by name (the classes live in modules a command may not have loaded). */
const userErrors = new Set([
  "UsageError",
  "RunInputError",
  "WillNotFitError",
  "ModelFileError",
  "RunLogError",
  "DatasetError",
  "StrategyParamError",
  "DiskFullError",
  "UnsafeNameError",
  "ZodError",
  "ExperimentError",
  "ModelSpecError",
  "JudgingError",
]);

/** What the operating system refused (a port taken, a path that is a file), in the user's words; null for bugs. */
export function describeSystemError(error: unknown): string | null {
  const { code, syscall, address, port, path } = (error ?? {}) as { code?: unknown; syscall?: unknown; address?: unknown; port?: unknown; path?: unknown };
  if (typeof code !== "string" || typeof syscall !== "string") return null;
  if (syscall === "listen") {
    const where = `${typeof address === "string" ? address : "this machine"} port ${String(port)}`;
    if (code === "EADDRINUSE") return `${where} is already in use by another program: stop it or choose another --port`;
    if (code === "EACCES") return `${where} needs administrator rights (ports below 1024 do): choose a port from 1024 up`;
    if (code === "EADDRNOTAVAIL") return `${where}: this machine has no such address (--host)`;
    return null;
  }
  const file = typeof path === "string" ? path : "a path";
  const why: Record<string, string> = {
    ENOTDIR: "a part of it is a file, not a folder",
    EEXIST: "something is already there",
    EISDIR: "it is a folder, not a file",
    EACCES: "permission denied",
    EPERM: "the operation is not permitted",
    EROFS: "the file system is read-only",
    ENOSPC: "the disk is full",
    ENOENT: "it does not exist",
  };
  return why[code] ? `${file}: ${why[code]}` : null;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "help" || command === "--help" || command === "-h") {
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    }
    const load = Object.hasOwn(commands, command) ? commands[command] : undefined;
    if (!load) throw new UsageError(`unknown command '${command}'`);
    // A command's own usage, before its flags are checked (a missing required flag must not answer --help).
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(commandUsage(command) ?? USAGE);
      return 0;
    }
    return await (await load())(rest);
  } catch (error) {
    const system = describeSystemError(error);
    const known = system !== null || userErrors.has((error as Error).name);
    // An error about one field was worded for the run form; here the field is its flag.
    const message = system ?? relabel((error as Error).message, (error as { field?: string }).field, "cli");
    process.stderr.write(`refinery: ${known ? message : `internal error: ${(error as Error).stack ?? String(error)}`}\n`);
    if (error instanceof UsageError) process.stderr.write("run `refinery help` for usage\n");
    return 2;
  }
}
