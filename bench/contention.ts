// Threads under contention: best-of-n (4 samples at once, 128 tokens each, a critic scoring each) on a generated
// model, with no load added and with two busy processes taking cores, at the engine's default threads and pinned
// to 1 and to every core. Each run is its own process (one runtime per process); the time is from run-started
// to run-finished, so neither start-up nor loading counts. A section of `npm run bench` (bench.ts); alone:
//   node --import tsx bench/contention.ts [--model <gguf>] [--settings default,1,2]     prints the table
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { executeRun } from "../native/runs/runner.ts";
import { testModel } from "../test/support/models.ts";

export interface ContentionRow {
  load: "no added load" | "2 busy processes";
  /** "default" (the engine's choice) or the --threads value. */
  setting: string;
  ms: number | null;
  threads: number | null;
  parallelThreads: number | null;
  threadsReason: string | null;
  tokens: number | null;
  /** Why there is no time: the run did not finish within the limit, or failed. */
  note?: string;
}

const RUN_LIMIT_MS = 240_000;
const self = fileURLToPath(import.meta.url);

/** Runs best-of-n once in this process and prints what it took (the child side). */
async function child(model: string, threads: number | undefined): Promise<void> {
  let started = 0;
  let ended = 0;
  const result = await executeRun({
    strategy: "best-of-n",
    params: { n: 4, temperature: 0.8 },
    actor: { path: model, sampling: { maxTokens: 128 }, load: { contextSize: 2048 } },
    critic: { path: model, sampling: { maxTokens: 64 }, load: { contextSize: 2048 } },
    task: { question: "A farmer has 17 sheep. All but 9 run away. How many are left?" },
    seed: 1,
    outDir: mkdtempSync(join(tmpdir(), "refinery-contention-")),
    threads,
    gpu: "cpu",
    onEvent: (event) => {
      if (event.type === "run-started") started = performance.now();
      if (event.type === "run-finished") ended = performance.now();
    },
  });
  const { readFileSync } = await import("node:fs");
  const backend = JSON.parse(readFileSync(result.manifestPath, "utf8")).backend;
  const tokens = Object.values(result.state.nodes).reduce((sum, node) => sum + node.tokensOut, 0);
  process.stdout.write(
    `${JSON.stringify({ ms: ended - started, threads: backend.threads, parallelThreads: backend.parallelThreads, threadsReason: backend.threadsReason ?? null, tokens, status: result.state.status })}\n`,
  );
  process.exit(0);
}

/** Two processes that keep a core each busy, as `yes > /dev/null` does. */
function busyProcesses(): ChildProcess[] {
  return [0, 1].map(() =>
    process.platform === "win32"
      ? spawn(process.execPath, ["-e", "for (;;);"], { stdio: "ignore" })
      : spawn("yes", [], { stdio: ["ignore", "ignore", "ignore"] }),
  );
}

function timedRun(model: string, setting: string): Omit<ContentionRow, "load" | "setting"> {
  const args = ["--import", "tsx", self, "--child", "--model", model, ...(setting === "default" ? [] : ["--threads", setting])];
  const run = spawnSync(process.execPath, args, { encoding: "utf8", timeout: RUN_LIMIT_MS, killSignal: "SIGKILL" });
  const line = run.stdout?.trim().split("\n").at(-1);
  if (run.error || run.status !== 0 || !line) {
    const timedOut = run.signal === "SIGKILL";
    return {
      ms: null,
      threads: null,
      parallelThreads: null,
      threadsReason: null,
      tokens: null,
      note: timedOut ? `did not finish within ${RUN_LIMIT_MS / 1000} s` : `failed: ${run.stderr?.trim().split("\n").at(-1) ?? run.error?.message}`,
    };
  }
  const parsed = JSON.parse(line) as { ms: number; threads: number; parallelThreads: number; threadsReason: string | null; tokens: number; status: string };
  return {
    ms: parsed.ms,
    threads: parsed.threads,
    parallelThreads: parsed.parallelThreads,
    threadsReason: parsed.threadsReason,
    tokens: parsed.tokens,
    ...(parsed.status === "finished" ? {} : { note: `run ${parsed.status}` }),
  };
}

/** Each setting with no load added, then with two busy processes (killed afterwards, also when a run fails). */
export function threadsUnderContention(model: string, settings = ["default", "1", String(availableParallelism())]): ContentionRow[] {
  const rows: ContentionRow[] = [];
  for (const setting of settings) rows.push({ load: "no added load", setting, ...timedRun(model, setting) });
  const busy = busyProcesses();
  try {
    for (const setting of settings) rows.push({ load: "2 busy processes", setting, ...timedRun(model, setting) });
  } finally {
    for (const p of busy) p.kill("SIGKILL");
  }
  return rows;
}

/** Markdown rows for the engine table: each load and setting with its time and the threads it ran on. */
export function contentionTableRows(rows: readonly ContentionRow[]): string[] {
  const idleDefault = rows.find((r) => r.load === "no added load" && r.setting === "default")?.ms ?? null;
  return rows.map((r) => {
    const ratio = r.ms !== null && idleDefault ? `${(r.ms / idleDefault).toFixed(2)}×` : "–";
    const setting = r.setting === "default" ? "default threads" : `--threads ${r.setting}`;
    const detail =
      r.ms === null
        ? (r.note ?? "")
        : `${(r.ms / 1000).toFixed(2)} s, ${r.tokens} tokens; ran on ${r.threads} thread(s) alone, ${r.parallelThreads} for a batch${r.threadsReason ? ` (${r.threadsReason})` : ""}`;
    return `| best-of-n (n=4, 128 tokens), ${r.load}, ${setting}: time ÷ no added load at default threads | ${ratio} | ${detail} |`;
  });
}

if (process.argv[1] === self) {
  const { values } = parseArgs({
    options: { child: { type: "boolean" }, model: { type: "string" }, threads: { type: "string" }, settings: { type: "string" } },
  });
  const model = values.model ?? (await testModel("tinyChat"));
  if (values.child) await child(model, values.threads ? Number(values.threads) : undefined);
  else {
    const rows = threadsUnderContention(model, values.settings?.split(","));
    process.stdout.write(`${["| measure | ratio | detail |", "| --- | --- | --- |", ...contentionTableRows(rows)].join("\n")}\n`);
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  }
}
