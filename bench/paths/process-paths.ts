// The command-line paths, each in its own process as a user starts it: `refinery run` and `refinery experiment`.
// Each returns its time per token from its run logs and the plan a direct replay sends to do the same work.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../test/support/models.ts";
import type { ReplayPlan } from "../direct-replay.ts";
import { nodeCommand } from "./rounds.ts";
import { readRunRecord, type ReplaySampling, type RunRecord, samplingWords } from "./run-record.ts";

export interface PathSettings {
  model: string;
  threads: number;
  maxTokens: number;
  samples: number;
  temperature: number;
  seed: number;
  /** Where `node --cpu-prof` writes the engine process's profile; absent: not profiled. */
  profileDir?: string;
}

export interface PathRun {
  ms: number;
  tokens: number;
  evaluated: number;
  /** The window less the nodes' own wall times: the engine between nodes (strategy, events, files). */
  betweenNodesMs: number;
  /** For an experiment: the span from the first cell's start to the last cell's end less the cells' windows. */
  betweenCellsMs?: number;
  /** For serve: the client's wall time less the runs' windows (HTTP, JSON, and each run's set-up and wrap-up: ~15-25 ms a request). */
  httpMs?: number;
  /** For serve: the first request after the server started, untimed in `ms` (it pays for lazy set-up once). */
  firstRequestMs?: number;
  /** For serve: the tokens that first request generated (the replay's warm-up says its own, warmUpTokens). */
  firstRequestTokens?: number;
  /** The windows on the wall clock, for a profile of the same process. */
  windows: Array<{ fromMs: number; toMs: number }>;
  /** The engine's process: its profile carries this id. */
  pid: number;
  /** What the runs' logs record, which the replay applies. */
  sampling: ReplaySampling;
  plan: ReplayPlan;
}

export const TASK = "A farmer has 17 sheep. All but 9 run away. How many are left?";

/** Runs the command to its end; its process id names its profile. */
function refinery(args: string[], settings: PathSettings): number {
  const profile = settings.profileDir ? ["--cpu-prof", "--cpu-prof-dir", settings.profileDir] : [];
  const child = spawnSync(...nodeCommand([...profile, "bin/refinery.mjs", ...args]), { cwd: repoRoot, encoding: "utf8" });
  if (child.status !== 0) throw new Error(`refinery ${args[0]} failed (${child.status}): ${child.stderr}`);
  return child.pid;
}

/**
 * Records → one run's worth of path figures, with the plan whose replay sends their requests in the same order.
 * `lanes`: "shared" where the runs' lanes keep their names from run to run (an experiment's item slot), so a lane
 * finds its sequence again; "per-run" where each run's lanes are its own (a server's requests).
 */
export function fromRecords(records: RunRecord[], settings: PathSettings, sequences: number, pid: number, lanes: "shared" | "per-run"): PathRun {
  const sampling = records[0]!.sampling;
  const differing = records.find((r) => samplingWords(r.sampling) !== samplingWords(sampling));
  if (differing) throw new Error(`${differing.dir} sampled with ${samplingWords(differing.sampling)}, ${records[0]!.dir} with ${samplingWords(sampling)}`);
  const ms = records.reduce((sum, r) => sum + r.windowMs, 0);
  const span = Math.max(...records.map((r) => r.finishedAt)) - Math.min(...records.map((r) => r.startedAt));
  return {
    ms,
    tokens: records.reduce((sum, r) => sum + r.tokens, 0),
    evaluated: records.reduce((sum, r) => sum + r.evaluated, 0),
    betweenNodesMs: records.reduce((sum, r) => sum + r.windowMs - r.nodeWallMs, 0),
    ...(records.length > 1 ? { betweenCellsMs: span - ms } : {}),
    windows: records.map((r) => ({ fromMs: r.startedAt, toMs: r.finishedAt })),
    pid,
    sampling,
    plan: {
      model: settings.model,
      contextSize: records[0]!.contextSize,
      sequences,
      threads: settings.threads,
      requests: records
        .flatMap((r, run) => r.requests.map((request) => (lanes === "per-run" ? { ...request, lane: `${run}/${request.lane}` } : request)))
        .map((request, index) => ({ ...request, seed: settings.seed + index })),
    },
  };
}

/** `refinery run` of self-consistency, its samples one after another on one thread. */
export async function cliPath(settings: PathSettings): Promise<PathRun> {
  const out = mkdtempSync(join(tmpdir(), "refinery-cli-path-"));
  const pid = refinery(
    [
      "run",
      "--strategy",
      "self-consistency",
      "--param",
      `n=${settings.samples}`,
      "--param",
      `temperature=${settings.temperature}`,
      "--actor",
      settings.model,
      "--task",
      TASK,
      "--max-tokens",
      String(settings.maxTokens),
      "--sequential",
      "--threads",
      String(settings.threads),
      "--seed",
      String(settings.seed),
      "--out",
      out,
      "--quiet",
      "--json",
    ],
    settings,
  );
  const record = readRunRecord(join(out, readdirSync(out).find((name) => !name.startsWith("."))!), settings.seed);
  // One sequence per lane, as the run loaded the model.
  return fromRecords([record], settings, record.requests.length, pid, "per-run");
}

/** `refinery experiment`: single-pass and self-consistency columns over a few GSM8K items, one cell at a time. */
export async function experimentPath(settings: PathSettings & { dataset: string; items: number }): Promise<PathRun> {
  const out = join(mkdtempSync(join(tmpdir(), "refinery-experiment-path-")), "experiment");
  const pid = refinery(
    [
      "experiment",
      "--dataset",
      settings.dataset,
      "--limit",
      String(settings.items),
      "--strategy",
      "single-pass",
      "--strategy",
      `self-consistency:n=${settings.samples}`,
      "--actor",
      settings.model,
      "--threads",
      String(settings.threads),
      "--concurrency",
      "1",
      "--seed",
      String(settings.seed),
      "--max-tokens",
      String(settings.maxTokens),
      // One temperature for every actor generation, so the replay's sampling is the cells' own.
      "--sampling",
      `matched:${settings.temperature}`,
      // Every cell generates: a cache hit would replay a generation and take no decode time.
      "--no-cache",
      "--quiet",
      "--out",
      out,
    ],
    settings,
  );
  const runs = join(out, "runs");
  const records = readdirSync(runs)
    .filter((name) => !name.startsWith("."))
    .map((name) => readRunRecord(join(runs, name), settings.seed))
    .sort((a, b) => a.startedAt - b.startedAt);
  // The experiment loads the model once, with sequences for its widest column's actor lanes and as many critic
  // lanes on the same copy (the critic is the actor's file). Its cells run in one item slot whose lane names
  // repeat from cell to cell.
  return fromRecords(records, settings, 2 * Math.max(...records.map((r) => r.requests.length)), pid, "shared");
}
