// refinery experiment / refinery report: strategies × models over a dataset slice, resumable; summaries and exports.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { GpuChoice } from "../llm/runtime.ts";
import { readResults, runExperiment, summarize, type ExperimentColumn, type ExperimentConfig } from "../eval/experiment.ts";
import { htmlReport, preferencePairs, resultsCsv } from "../eval/report.ts";
import { intOption, parse, UsageError } from "./args.ts";

/** "self-consistency:n=5,temperature=0.7" → a column; "@file.json" → a preset file. */
async function columnFrom(spec: string, actor: string, critic: string, maxTokens: number | undefined): Promise<ExperimentColumn> {
  const sampling = maxTokens ? { maxTokens } : undefined;
  if (spec.startsWith("@")) {
    const { presetToRun, readPreset } = await import("../strategies/pipeline.ts");
    const preset = await readPreset(spec.slice(1));
    const { strategy, params } = presetToRun(preset);
    return { name: preset.name, strategy, params, actor: { path: actor, sampling }, critic: { path: critic } };
  }
  const [strategy, rest] = spec.split(":", 2) as [string, string | undefined];
  const params: Record<string, string> = {};
  for (const pair of rest ? rest.split(",") : []) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`--strategy takes name:param=value,…, got '${spec}'`);
    params[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { name: rest ? `${strategy}(${rest})` : strategy, strategy, params, actor: { path: actor, sampling }, critic: { path: critic } };
}

export async function commandExperiment(args: string[]): Promise<number> {
  const { values } = parse(args, {
    dataset: { type: "string" },
    limit: { type: "string" },
    offset: { type: "string" },
    strategy: { type: "string", multiple: true },
    actor: { type: "string" },
    critic: { type: "string" },
    seed: { type: "string" },
    out: { type: "string" },
    "max-tokens": { type: "string" },
    threads: { type: "string" },
    gpu: { type: "string" },
    quiet: { type: "boolean" },
  });
  if (!values.out) throw new UsageError("--out <folder> is required (it is also how a stopped experiment resumes)");
  let config: ExperimentConfig;
  try {
    config = JSON.parse(readFileSync(join(values.out, "experiment.json"), "utf8")) as ExperimentConfig;
    if (!values.quiet) process.stderr.write(`resuming the experiment in ${values.out}\n`);
  } catch {
    if (!values.dataset || !values.actor || !values.strategy?.length) throw new UsageError("a new experiment needs --dataset, --actor and at least one --strategy");
    const critic = values.critic ?? values.actor;
    const maxTokens = intOption(values["max-tokens"], "max-tokens");
    config = {
      dataset: values.dataset,
      ...(values.limit ? { limit: intOption(values.limit, "limit") } : {}),
      ...(values.offset ? { offset: intOption(values.offset, "offset") } : {}),
      columns: await Promise.all(values.strategy.map((spec) => columnFrom(spec, values.actor!, critic, maxTokens))),
      seed: intOption(values.seed, "seed") ?? 0,
      ...(values.threads ? { threads: intOption(values.threads, "threads") } : {}),
      ...(values.gpu ? { gpu: values.gpu as GpuChoice } : {}),
    };
  }
  const controller = new AbortController();
  process.once("SIGINT", () => {
    process.stderr.write("\nstopping after the cell in flight; run the same command to resume\n");
    controller.abort();
  });
  const results = await runExperiment(values.out, config, {
    signal: controller.signal,
    onProgress: values.quiet ? undefined : (p) => process.stderr.write(`\r${p.done}/${p.total} cells · ${Number.isFinite(p.etaSeconds) ? Math.round(p.etaSeconds) : "?"} s left · ${p.tokensPerSecond.toFixed(0)} tokens/s   `),
  });
  if (!values.quiet) process.stderr.write("\n");
  printSummary(results, config, values.json === true);
  return 0;
}

function printSummary(results: ReturnType<typeof readResults>, config: ExperimentConfig, json: boolean) {
  const summary = summarize(results, config.columns.map((c) => c.name));
  if (json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  for (const c of summary.columns) {
    const v = c.versusBaseline;
    process.stdout.write(
      `${c.column}: ${(c.accuracy * 100).toFixed(1)}% [${(c.interval[0] * 100).toFixed(1)}, ${(c.interval[1] * 100).toFixed(1)}] on ${c.items} items` +
        `${v ? ` · vs ${summary.baseline}: ${v.wins}/${v.ties}/${v.losses} W/T/L, p=${v.pValue.toPrecision(3)}` : " · baseline"}` +
        ` · ${c.meanTotalTokens.toFixed(0)} tokens/item\n`,
    );
  }
}

export async function commandReport(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { html: { type: "string" }, csv: { type: "string" }, pairs: { type: "string" } });
  const dir = positionals[0];
  if (!dir) throw new UsageError("report needs an experiment folder");
  let config: ExperimentConfig;
  try {
    config = JSON.parse(readFileSync(join(dir, "experiment.json"), "utf8")) as ExperimentConfig;
  } catch {
    throw new UsageError(`${dir} is not an experiment folder (no experiment.json)`);
  }
  const results = readResults(dir);
  const summary = summarize(results, config.columns.map((c) => c.name));
  if (values.html) writeFileSync(values.html, htmlReport(config, summary, results));
  if (values.csv) writeFileSync(values.csv, resultsCsv(results));
  if (values.pairs) writeFileSync(values.pairs, (await preferencePairs(dir, results)).map((p) => JSON.stringify(p)).join("\n") + "\n");
  printSummary(results, config, values.json === true);
  return 0;
}

export async function commandCriticEval(args: string[]): Promise<number> {
  const { values } = parse(args, {
    mode: { type: "string" },
    dataset: { type: "string" },
    limit: { type: "string" },
    critic: { type: "string" },
    actor: { type: "string" },
    "max-tokens": { type: "string" },
    threads: { type: "string" },
    gpu: { type: "string" },
  });
  if (values.mode !== "processbench" && values.mode !== "realcritic") throw new UsageError("--mode processbench or --mode realcritic");
  if (!values.dataset || !values.critic) throw new UsageError("critic-eval needs --dataset and --critic");
  const { openRuntime } = await import("../llm/runtime.ts");
  const { LlamaBackend } = await import("../llm/llama-backend.ts");
  const { ModelLoadError } = await import("../llm/runtime.ts");
  const evalModule = await import("../eval/critic-eval.ts");
  const runtime = await openRuntime({ gpu: (values.gpu ?? "auto") as GpuChoice, threads: intOption(values.threads, "threads") });
  const load = async (path: string, prefix: string) => {
    try {
      return new LlamaBackend(runtime, await runtime.loadModel(path, { sequences: 2 }), prefix);
    } catch (error) {
      if (error instanceof ModelLoadError) throw new UsageError(error.message);
      throw error;
    }
  };
  const critic = await load(values.critic, "critic");
  const sampling = { temperature: 0, maxTokens: intOption(values["max-tokens"], "max-tokens") ?? 768 };
  const limit = intOption(values.limit, "limit");
  if (values.mode === "processbench") {
    const result = await evalModule.evaluateProcessBench(await evalModule.readProcessBench(values.dataset, limit), critic, sampling);
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`ProcessBench on ${result.rows.length} items: erroneous ${(result.erroneousAccuracy * 100).toFixed(1)}%, correct ${(result.correctAccuracy * 100).toFixed(1)}%, F1 ${(result.f1 * 100).toFixed(1)} (${result.unparseable} unparseable verdicts)\n`);
  } else {
    const solver = values.actor ? await load(values.actor, "actor") : undefined;
    const result = await evalModule.evaluateRealCritic(await evalModule.readRealCritic(values.dataset, limit), critic, sampling, { solver });
    const t = result.transitions;
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`RealCritic (${solver ? "self/actor solutions" : "cross-critique of stored solutions"}) on ${result.rows.length} items: ${(result.accuracyBefore * 100).toFixed(1)}% → ${(result.accuracyAfter * 100).toFixed(1)}% · correct→correct ${t.correctToCorrect}, correct→wrong ${t.correctToWrong}, wrong→correct ${t.wrongToCorrect}, wrong→wrong ${t.wrongToWrong}\n`);
  }
  return 0;
}
