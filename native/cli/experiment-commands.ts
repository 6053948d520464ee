// refinery experiment / refinery report: strategies × models over a dataset slice, resumable; summaries and exports.
import { flagOptions } from "../protocol/field-labels.ts";
import { COMMAND_FLAGS } from "./command-flags.ts";
import { parseSamplingPolicy, type SamplingPolicy } from "../protocol/sampling-policy.ts";
import { CUT_REASONS, cutBeforeRevisionWords, STOP_REASON_LABELS, type StopReason } from "../protocol/stop-reason.ts";
import { writeFileSync } from "node:fs";
import { join, resolve as resolvePath } from "node:path";
import { describeDamage } from "../util/jsonl.ts";
import type { GpuChoice } from "../llm/runtime.ts";
import { parseFieldMapping } from "../eval/dataset.ts";
import { describeJsonSyntaxError } from "../eval/json-syntax.ts";
import { parseStrategySpec, type PresetSpec, type StrategySpec } from "../protocol/strategy-spec.ts";
import {
  autoConcurrency,
  breakdownByField,
  buildExperimentConfig,
  experimentCoverage,
  loadExperimentDataset,
  ExperimentControl,
  readCheckpoint,
  readExperimentConfig,
  ExperimentError,
  judgedColumns,
  readJudgements,
  readResults,
  runExperiment,
  summarize,
  shownColumns,
  summaryOptions,
  type ExperimentConfig,
  type ExperimentProgress,
  type ModelPair,
} from "../eval/experiment.ts";
import { htmlReport, preferencePairs, readManifests, resultsCsv, resultsJsonl } from "../eval/report.ts";
import { validateRequest } from "../protocol/contract.ts";
import { describeCoverage, type CellCoverage } from "../protocol/cell-coverage.ts";
import { repeatsOf } from "../protocol/cell-key.ts";
import { flakyWords, signWords } from "../protocol/repeat-words.ts";
import { pct } from "../protocol/format.ts";
import { describeJudged } from "../protocol/judged-format.ts";
import type { JudgedColumn } from "../protocol/experiment-results.ts";
import { measureLabel } from "../protocol/plot-geometry.ts";
import { defined, flagNumber, intOption, outFolderOption, parse, threadsOption, UsageError } from "./args.ts";
import { applyEndpointFlags } from "./endpoint-flags.ts";
import { sourceFor } from "../llm/sources/registry.ts";
import { readFileSync, statSync } from "node:fs";

/** "self-consistency:n=5,temperature=0.7" → a strategy column; "@file.json" → a preset file. */
function strategyFrom(spec: string): StrategySpec | PresetSpec {
  if (spec.startsWith("@")) return { preset: spec.slice(1) };
  try {
    return parseStrategySpec(spec);
  } catch (error) {
    throw new UsageError(`--strategy: ${(error as Error).message}`);
  }
}

/** A pool file: a JSON list of endpoint specs serving one model, or {"endpoints": [...]}. */
function readPool(path: string): string[] {
  let text: string;
  try {
    // A FIFO or device would block the read until someone writes to it.
    if (!statSync(path).isFile()) throw new UsageError(`--pool ${path} is not a regular file: give a .json file`);
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--pool ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // V8's message quotes the file; say where and what instead.
    const { line, column, kind } = describeJsonSyntaxError(text);
    throw new UsageError(`--pool ${path}: not valid JSON at line ${line}, column ${column}: ${kind}`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { endpoints?: unknown })?.endpoints;
  if (!Array.isArray(list) || !list.length || !list.every((s) => typeof s === "string" && sourceFor(s).pooled)) {
    throw new UsageError(`--pool ${path} must hold a list of endpoints, e.g. {"endpoints": ["openai:http://a:8000/v1#m", "openai:http://b:8000/v1#m"]}`);
  }
  return list as string[];
}

/**
 * --actor/--critic and every --pair actor.gguf[,critic.gguf]: the model pairs the strategies run with. Several
 * --actor endpoints (or a --pool file) are replicas of one model: cells spread over them.
 */
function pairsFrom(
  actors: string[],
  critic: string | undefined,
  pairs: string[] | undefined,
  maxTokens: number | undefined,
  thinking: { actor?: number; critic?: number } = {},
): ModelPair[] {
  const actorSampling = { ...(maxTokens ? { maxTokens } : {}), ...(thinking.actor !== undefined ? { thinkingBudget: thinking.actor } : {}) };
  const sampling = Object.keys(actorSampling).length ? { sampling: actorSampling } : {};
  const criticSampling = thinking.critic !== undefined ? { sampling: { thinkingBudget: thinking.critic } } : {};
  const list: Array<[string, string]> = [];
  if (actors.length > 1) {
    if (!actors.every((spec) => sourceFor(spec).pooled))
      throw new UsageError("several --actor are replicas of one model: give endpoints (openai:URL#model), or use --pair for model pairs");
    const [first] = actors as [string];
    const critics = critic ? { path: critic } : { path: first, replicas: actors };
    return [{ actor: { path: first, replicas: actors, ...sampling }, critic: critics }, ...pairsFrom([], undefined, pairs, maxTokens)];
  }
  const actor = actors[0];
  if (actor) list.push([actor, critic ?? actor]);
  else if (critic) throw new UsageError("--critic needs --actor (or use --pair actor.gguf,critic.gguf)");
  for (const spec of pairs ?? []) {
    const [a, c, extra] = spec.split(",");
    if (!a || extra !== undefined) throw new UsageError(`--pair takes actor.gguf or actor.gguf,critic.gguf, got '${spec}'`);
    list.push([a, c || a]);
  }
  return list.map(([a, c]) => ({ actor: { path: a, ...sampling }, critic: { path: c, ...criticSampling } }));
}

/** Pause with p, resume with p again, stop with q or Ctrl+C — when stdin is a terminal. */
function watchKeys(control: ExperimentControl, quiet: boolean): () => void {
  const stop = () => {
    if (!control.signal.aborted) process.stderr.write("\nstopping: the cells in flight are cancelled; run the same command to resume\n");
    control.stop();
  };
  process.once("SIGINT", stop);
  if (!process.stdin.isTTY || quiet) return () => process.off("SIGINT", stop);
  process.stdin.setRawMode(true);
  process.stdin.resume();
  const onKey = (key: Buffer) => {
    const k = key.toString();
    if (k === "p") control.paused ? control.resume() : control.pause();
    else if (k === "q" || k === "\u0003") stop();
  };
  process.stdin.on("data", onKey);
  process.stderr.write("keys: p pause/resume · q stop (resume later with the same command)\n");
  return () => {
    process.off("SIGINT", stop);
    process.stdin.off("data", onKey);
    process.stdin.setRawMode(false);
    process.stdin.pause();
  };
}

export function progressLine(p: ExperimentProgress): string {
  const eta = Number.isFinite(p.etaSeconds) ? `${Math.round(p.etaSeconds)} s left` : "? s left";
  const endpoints = (p.endpoints ?? [])
    .map((e) => ` · ${e.endpoint}: ${e.done} done, ${e.running} running, ${e.tokensPerSecond.toFixed(0)} tokens/s${e.down ? " (DOWN)" : ""}`)
    .join("");
  return `${p.done}/${p.total} cells · ${p.running} running${p.paused ? " · PAUSED (p resumes)" : ""} · ${eta} · ${p.tokensPerSecond.toFixed(0)} tokens/s · ${p.cacheHits} cached generations${endpoints}`;
}

export async function commandExperiment(args: string[]): Promise<number> {
  const { values } = parse(args, flagOptions(COMMAND_FLAGS.experiment));
  if (!values.out) throw new UsageError("--out <folder> is required (it is also how a stopped experiment resumes)");
  if (values.judge?.length && !values.grader) throw new UsageError("--judge needs --grader checklist, rubric or pairwise");
  if (values.grader && !values.judge?.length) throw new UsageError(`--grader ${values.grader} needs at least one --judge <model> (a GGUF file or an endpoint)`);
  if (values.baseline && values.grader !== "pairwise")
    throw new UsageError("--baseline names the column the pairwise grader compares with: use it with --grader pairwise");
  if (values["checklist-calls"] && values.grader !== "checklist")
    throw new UsageError("--checklist-calls says how the checklist grader asks its judges: use it with --grader checklist");
  outFolderOption(values.out);
  let config = readExperimentConfig(values.out);
  if (config) {
    if (values.repeats !== undefined && intOption(values.repeats, "repeats", 1) !== repeatsOf(config))
      throw new UsageError(`${values.out} was started with --repeats ${repeatsOf(config)}; resume it without --repeats or use another folder`);
    if (values.frontier !== undefined && intOption(values.frontier, "frontier", 1) !== config.frontier)
      throw new UsageError(
        `${values.out} was started ${config.frontier ? `with --frontier ${config.frontier}` : "without --frontier"}; resume it without --frontier or use another folder`,
      );
    if (values.sampling !== undefined && JSON.stringify(samplingFlag(values.sampling)) !== JSON.stringify(config.sampling ?? { kind: "paper" }))
      throw new UsageError(`${values.out} was started with --sampling ${config.sampling?.kind ?? "paper"}; resume it without --sampling or use another folder`);
    if ((values.grader || values.judge?.length) && !config.judging)
      throw new UsageError(`${values.out} holds an experiment started without judges; start another folder to judge its answers`);
    if (values["checklist-calls"] && values["checklist-calls"] !== (config.judging?.checklistCalls ?? "structured"))
      throw new UsageError(
        `${values.out} was judged with --checklist-calls ${config.judging?.checklistCalls ?? "structured"}; resume it without --checklist-calls or use another folder`,
      );
    if (!values.quiet) process.stderr.write(`resuming the experiment in ${values.out} (${readResults(values.out).length} cells already done)\n`);
    warnCheckpointDamage(values.out);
  } else {
    const actors = [...(values.actor ?? []), ...(values.pool ? readPool(values.pool) : [])];
    if (!values.dataset || !(actors.length || values.pair?.length) || !values.strategy?.length)
      throw new UsageError("a new experiment needs --dataset, --actor (or --pair, --pool) and at least one --strategy");
    // The numbers are checked by the contract's schema, as the compare tab's form is: same rules, same words.
    const sampling = defined({ maxTokens: flagNumber(values["max-tokens"]), thinkingBudget: flagNumber(values["thinking-budget"]) });
    const criticSampling = defined({ thinkingBudget: flagNumber(values["critic-thinking-budget"]) });
    const checked = validateRequest(
      "startExperiment",
      {
        ...defined({
          limit: flagNumber(values.limit),
          offset: flagNumber(values.offset),
          seed: flagNumber(values.seed),
          repeats: flagNumber(values.repeats),
          frontier: flagNumber(values.frontier),
          maxTotalTokens: flagNumber(values["max-total-tokens"]),
        }),
        pairs: [{ actor: { path: "-", sampling }, critic: { path: "-", sampling: criticSampling } }],
      },
      "cli",
    );
    if (!checked.ok) throw new UsageError(checked.error);
    const maxTokens = sampling.maxTokens;
    const specs = applyEndpointFlags(values, { actor: actors, critic: values.critic ? [values.critic] : [] });
    // Pair specs keep their shape (pairsFrom checks it); only their endpoints lose credentials.
    const redactPair = (pair: string) => {
      const parts = pair.split(",");
      const keyed = applyEndpointFlags(values, { actor: parts[0] ? [parts[0]] : [], critic: parts[1] ? [parts[1]] : [] });
      return [keyed.actor[0] ?? parts[0], ...(parts.length > 1 ? [keyed.critic[0] ?? parts[1]] : []), ...parts.slice(2)].join(",");
    };
    const pairs = pairsFrom(specs.actor, specs.critic[0], values.pair?.map(redactPair), maxTokens, {
      actor: sampling.thinkingBudget,
      critic: criticSampling.thinkingBudget,
    });
    const fields = values.field?.length ? parseFieldMapping(values.field) : undefined;
    config = await buildExperimentConfig({
      dataset: values.dataset,
      limit: intOption(values.limit, "limit", 1),
      offset: intOption(values.offset, "offset"),
      fields,
      skipMalformed: values["skip-malformed"],
      strategies: values.strategy.map(strategyFrom),
      pairs,
      seed: intOption(values.seed, "seed"),
      repeats: intOption(values.repeats, "repeats", 1),
      frontier: intOption(values.frontier, "frontier", 1),
      threads: threadsOption(values.threads),
      gpu: values.gpu as GpuChoice | undefined,
      maxTotalTokens: intOption(values["max-total-tokens"], "max-total-tokens"),
      ...(values.sampling !== undefined ? { sampling: samplingFlag(values.sampling) } : {}),
      ...(values.grader
        ? {
            judging: {
              grader: values.grader,
              judges: applyEndpointFlags(values, { actor: [], critic: values.judge ?? [] }).critic,
              ...(values.baseline ? { baseline: values.baseline } : {}),
              ...(values["judge-max-tokens"] ? { maxTokens: intOption(values["judge-max-tokens"], "judge-max-tokens", 1) } : {}),
              ...(values["checklist-calls"] ? { checklistCalls: values["checklist-calls"] } : {}),
            },
          }
        : {}),
    }).catch((error: unknown) => {
      if (error instanceof ExperimentError && values.grader) throw new UsageError(error.message);
      throw error;
    });
  }
  // Keys of the experiment's endpoints (a resumed one too) from the environment; configs never hold them.
  const models = config.columns.flatMap((c) => [c.actor, c.critic]);
  applyEndpointFlags(values, {
    actor: config.columns.flatMap((c) => c.actor.replicas ?? [c.actor.path]),
    critic: [...config.columns.flatMap((c) => c.critic.replicas ?? [c.critic.path]), ...(config.judging?.judges.map((j) => j.path) ?? [])],
  });
  // Only remote models: each endpoint's own concurrency decides (what it reports, or 4).
  const concurrency =
    values.concurrency === undefined && models.every((m) => !sourceFor(m.path).loadsLocally) ? undefined : await concurrencyFor(values.concurrency, config);
  const control = new ExperimentControl();
  const unwatch = watchKeys(control, values.quiet === true);
  let reportedSkips = false;
  try {
    const results = await runExperiment(values.out, config, {
      control,
      concurrency,
      cache: !values["no-cache"],
      onProgress: (p) => {
        if (!reportedSkips && p.skippedRecords.length) {
          reportedSkips = true;
          process.stderr.write(
            `skipped ${p.skippedRecords.length} malformed records: ${p.skippedRecords
              .slice(0, 10)
              .map((r) => `line ${r.line} (${r.reason})`)
              .join(", ")}${p.skippedRecords.length > 10 ? ", …" : ""}\n`,
          );
        }
        if (!values.quiet) process.stderr.write(`\r${progressLine(p)}   `);
      },
      onJudging: (done, total) => {
        if (!values.quiet) process.stderr.write(`\rjudging: ${done}/${total} answers   `);
      },
    });
    if (!values.quiet) process.stderr.write("\n");
    printSummary(results, config, values.json === true, undefined, experimentCoverage(values.out, config, results), judgedColumns(values.out));
    return control.signal.aborted ? 130 : 0;
  } finally {
    unwatch();
  }
}

function samplingFlag(text: string): SamplingPolicy {
  try {
    return parseSamplingPolicy(text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** --concurrency n, or auto: several items at once on a GPU, one at a time on the CPU (cores are the limit there). */
async function concurrencyFor(option: string | undefined, config: ExperimentConfig): Promise<number> {
  if (option !== undefined && option !== "auto") {
    const n = intOption(option, "concurrency");
    if (!n) throw new UsageError("--concurrency must be at least 1 (or auto)");
    return n;
  }
  const { openRuntime } = await import("../llm/runtime.ts");
  const runtime = await openRuntime({ gpu: config.gpu, threads: config.threads });
  return autoConcurrency(runtime.report.active);
}

/** Damaged checkpoint lines are skipped (those cells run again on resume); the user hears where. */
function warnCheckpointDamage(dir: string): void {
  const { damaged, tornTail } = readCheckpoint(dir);
  const path = join(dir, "results.jsonl");
  if (damaged.length)
    process.stderr.write(
      `warning: skipped ${damaged.length} unreadable line${damaged.length === 1 ? "" : "s"} of the checkpoint (those cells run again on resume): ${describeDamage(path, damaged)}\n`,
    );
  if (tornTail) process.stderr.write(`warning: the last line of ${path} was cut short by a crash; that cell runs again on resume\n`);
}

function printSummary(
  results: ReturnType<typeof readResults>,
  config: ExperimentConfig,
  json: boolean,
  baseline: string | undefined,
  coverage: CellCoverage,
  judged: ReadonlyMap<string, JudgedColumn>,
) {
  const summary = summarize(results, shownColumns(config), baseline, { ...summaryOptions(config), judged });
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...summary, coverage }, null, 2)}\n`);
    return;
  }
  const incomplete = describeCoverage(coverage);
  if (incomplete) process.stdout.write(`${incomplete}; the figures below count only the cells with a result\n`);
  if (summary.repeats > 1)
    process.stdout.write(
      `${summary.repeats} repeats (seeds ${config.seed}…${config.seed + summary.repeats - 1}): accuracy is each item's mean over its repeats; intervals resample items with their repeats\n`,
    );
  for (const c of summary.columns) {
    const v = c.versusBaseline;
    process.stdout.write(
      `${c.column}${c.oracle ? " (oracle: upper bound)" : ""}: ${(c.accuracy * 100).toFixed(1)}% [${(c.interval[0] * 100).toFixed(1)}, ${(c.interval[1] * 100).toFixed(1)}] on ${c.items} items` +
        `${v ? ` · vs ${summary.baseline}: ${v.wins}/${v.ties}/${v.losses} W/T/L, p=${v.pValue.toPrecision(3)}${v.perRepeat ? ` · ${signWords(v.perRepeat)}` : ""}` : " · baseline"}` +
        ` · ${c.meanTotalTokens.toFixed(0)} tokens/item\n`,
    );
  }
  for (const c of summary.columns) if (c.judged) process.stdout.write(`${c.column}: ${describeJudged(c.judged)}\n`);
  for (const c of summary.columns) {
    if (c.flaky?.length) process.stdout.write(`${c.column}: ${flakyWords(c.flaky, c.items)}\n`);
  }
  for (const c of summary.columns) {
    const cut = Object.entries(c.stops).filter(([reason]) => CUT_REASONS.has(reason as StopReason));
    if (cut.length)
      process.stdout.write(
        `${c.column}: ${cut.map(([reason, n]) => `${n} of ${c.items * summary.repeats} stopped by ${STOP_REASON_LABELS[reason as StopReason]}`).join(", ")}\n`,
      );
    if (c.cutBeforeRevision)
      process.stdout.write(`${c.column}: ${cutBeforeRevisionWords(c.cutBeforeRevision, c.items * summary.repeats, c.cutBeforeRevisionBy ?? [])}\n`);
    if (c.warning) process.stdout.write(`warning: ${c.column}: ${c.warning}\n`);
  }
  for (const curve of summary.frontier) {
    const shown = curve.points.filter((p) => (p.k & (p.k - 1)) === 0 || p.k === curve.n);
    process.stdout.write(
      `sampling frontier of ${curve.column}${curve.hidden ? " (run only for the frontier)" : ""} (n=${curve.n}; pass@k is an oracle): ${shown
        .map(
          (p) =>
            `k=${p.k} ${p.meanTokens.toFixed(0)} tokens maj ${pct(p.majAtK)} pass ${pct(p.passAtK)}${p.bestOfKAtK !== undefined ? ` best ${pct(p.bestOfKAtK)}` : ""}`,
        )
        .join(" · ")}\n`,
    );
  }
  for (const c of summary.columns) {
    const v = c.versusFrontier;
    if (!v) continue;
    const points = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}`;
    process.stdout.write(
      `${c.column} vs sampling at its budget (${v.frontierColumn} maj@k at ${v.budget.toFixed(0)} tokens: ${pct(v.frontierAccuracy)}): ${points(v.difference)} points [${points(v.differenceInterval[0])}, ${points(v.differenceInterval[1])}]${v.perRepeat ? ` · ${signWords(v.perRepeat)}` : ""}\n`,
    );
  }
  for (const row of summary.budgetMatched) {
    process.stdout.write(
      `at ${row.budget} tokens/item: ${Object.entries(row.accuracy)
        .map(([column, accuracy]) => `${column} ${(accuracy * 100).toFixed(1)}%`)
        .join(
          ", ",
        )}${row.bestSampling ? ` · best sampling ${pct(row.bestSampling.accuracy)} (${row.bestSampling.column} ${measureLabel(row.bestSampling.measure)})` : ""}\n`,
    );
  }
}

export async function commandReport(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, flagOptions(COMMAND_FLAGS.report));
  const dir = positionals[0];
  if (!dir) throw new UsageError("report needs an experiment folder");
  const config = readExperimentConfig(dir);
  if (!config) throw new UsageError(`${dir} is not an experiment folder (no experiment.json)`);
  const columns = shownColumns(config);
  if (values.baseline && !columns.includes(values.baseline)) throw new UsageError(`--baseline must be one of: ${columns.join(", ")}`);
  const results = readResults(dir);
  warnCheckpointDamage(dir);
  const judged = judgedColumns(dir);
  const summary = summarize(results, columns, values.baseline, { ...summaryOptions(config), judged });
  const coverage = experimentCoverage(dir, config, results);
  if (values.html) {
    // The dataset's categorical fields (level, subject…) break accuracy down; a dataset moved away only loses that.
    const dataset = await loadExperimentDataset(config, { skipMalformed: true }).catch(() => null);
    const breakdowns = dataset ? breakdownByField(results, columns, dataset.fields) : [];
    writeFileSync(
      values.html,
      htmlReport(config, summary, results, { manifests: readManifests(dir, results), breakdowns, coverage, judgedCells: readJudgements(dir) }),
    );
  }
  if (values.csv) writeFileSync(values.csv, resultsCsv(results));
  if (values.jsonl) writeFileSync(values.jsonl, resultsJsonl(results, columns));
  if (values.pairs) writeFileSync(values.pairs, (await preferencePairs(dir, results)).map((p) => JSON.stringify(p)).join("\n") + "\n");
  printSummary(results, config, values.json === true, values.baseline, coverage, judged);
  // Where each file went, absolute: the summary alone does not say. On stderr with --json, so stdout stays JSON.
  const requested: Array<[string, string | undefined]> = [
    ["HTML report", values.html],
    ["CSV", values.csv],
    ["JSONL", values.jsonl],
    ["preference pairs", values.pairs],
  ];
  const written = requested.filter((entry): entry is [string, string] => Boolean(entry[1]));
  const out = values.json ? process.stderr : process.stdout;
  for (const [what, path] of written) out.write(`wrote ${what}: ${resolvePath(path)}\n`);
  if (written.length === 0) out.write("no files written (--html, --csv, --jsonl or --pairs <file> writes one)\n");
  return 0;
}

export async function commandCriticEval(args: string[]): Promise<number> {
  const { values } = parse(args, flagOptions(COMMAND_FLAGS["critic-eval"]));
  if (values.mode === "metacritique") return metaCritiqueEval(values);
  if (values.mode !== "processbench" && values.mode !== "realcritic") throw new UsageError("--mode processbench, realcritic or metacritique");
  const verifyK = criticEvalVerifyK(values.param as string[] | undefined, values.mode);
  if (verifyK > 1 && !(Number(values.temperature) > 0)) {
    throw new UsageError(`--param verifyK=${verifyK} needs --temperature above 0: at 0 the ${verifyK} verifications are one verdict repeated`);
  }
  if (!values.dataset || !values.critic) throw new UsageError("critic-eval needs --dataset and --critic");
  const { describeCriticEval, runCriticEvaluation } = await import("../eval/critic-eval.ts");
  const { ModelLoadError } = await import("../llm/runtime.ts");
  let outcome;
  try {
    outcome = await runCriticEvaluation({
      mode: values.mode,
      dataset: values.dataset,
      limit: intOption(values.limit, "limit", 1),
      critic: values.critic,
      ...(values.actor ? { actor: values.actor } : {}),
      maxTokens: intOption(values["max-tokens"], "max-tokens"),
      ...(verifyK > 1 ? { verifyK } : {}),
      ...(values["meta-critique"] ? { metaCritique: true } : {}),
      ...(values.temperature !== undefined ? { temperature: temperatureOption(values.temperature) } : {}),
      gpu: (values.gpu ?? "auto") as GpuChoice,
      threads: threadsOption(values.threads),
    });
  } catch (error) {
    if (error instanceof ModelLoadError) throw new UsageError(error.message);
    throw error;
  }
  process.stdout.write(values.json ? `${JSON.stringify(outcome.result, null, 2)}\n` : `${describeCriticEval(outcome)}\n`);
  return 0;
}

/** critic-eval --mode metacritique: the critic's free-text critiques scored by a judge as MetaCritique does. */
async function metaCritiqueEval(values: {
  dataset?: string;
  critic?: string;
  judge?: string;
  limit?: string;
  "max-tokens"?: string;
  gpu?: string;
  threads?: string;
  json?: boolean;
}): Promise<number> {
  if (!values.dataset || !values.critic || !values.judge)
    throw new UsageError("critic-eval --mode metacritique needs --dataset <MetaCritique benchmark_data.json>, --critic <model> and --judge <model>");
  const { readMetaCritique, evaluateMetaCritique, describeMetaCritique } = await import("../eval/judges/metacritique.ts");
  const { openModelBackend } = await import("../runs/open-model.ts");
  const { specLabel } = await import("../protocol/model-spec.ts");
  // The file first: a wrong file is refused before any model loads.
  const items = await readMetaCritique(values.dataset, intOption(values.limit, "limit", 1));
  const open = (path: string, scope: string) =>
    openModelBackend({ path }, { gpu: values.gpu as GpuChoice | undefined, threads: threadsOption(values.threads), laneScope: scope });
  const critic = await open(values.critic, "metacritique-critic");
  const judge = { label: specLabel(values.judge), backend: await open(values.judge, "metacritique-judge") };
  const maxTokens = intOption(values["max-tokens"], "max-tokens", 1);
  const result = await evaluateMetaCritique(items, critic, judge, maxTokens ? { maxTokens } : {});
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${describeMetaCritique(specLabel(values.critic), judge.label, result)}\n`);
  return 0;
}

/** critic-eval's only parameter: --param verifyK=k, ProcessBench verifications per item (1 to 64). */
function criticEvalVerifyK(params: string[] | undefined, mode: string): number {
  let verifyK = 1;
  for (const pair of params ?? []) {
    const [name, value] = pair.split("=", 2);
    if (name !== "verifyK") throw new UsageError(`critic-eval --param takes verifyK=k, got '${pair}'`);
    const k = Number(value);
    if (!Number.isInteger(k) || k < 1 || k > 64) throw new UsageError(`--param verifyK must be a whole number from 1 to 64, got '${value ?? ""}'`);
    if (mode !== "processbench") throw new UsageError("--param verifyK applies to --mode processbench");
    verifyK = k;
  }
  return verifyK;
}

function temperatureOption(value: string): number {
  const t = Number(value);
  if (value.trim() === "" || !Number.isFinite(t) || t < 0 || t > 2) throw new UsageError(`--temperature must be a number from 0 to 2, got '${value}'`);
  return t;
}
