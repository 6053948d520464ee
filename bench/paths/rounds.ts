// A/B rounds on a shared, noisy machine: the two sides alternate which goes first, so drift over the run cancels
// in the medians, and the load average is sampled around every side so the results say what the machine was doing.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../test/support/models.ts";
import type { ReplayPlan, ReplayResult } from "../direct-replay.ts";

/** CPUs every process of the bench is pinned to (`--cpus`, taskset's list), so both sides run where the other did. */
let pinnedCpus: string | null = null;
export function pinCpus(list: string | null): void {
  pinnedCpus = list;
}

/** The command that starts `node <args>` for a side: under `taskset -c` when the bench pins its CPUs. */
export function nodeCommand(args: string[]): [string, string[]] {
  return pinnedCpus ? ["taskset", ["-c", pinnedCpus, process.execPath, ...args]] : [process.execPath, args];
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface Timed {
  ms: number;
  tokens: number;
}

export const msPerToken = (side: Timed) => side.ms / Math.max(1, side.tokens);

/** The 1-minute load average at every sample, kept for the results: min, median and max. */
export class LoadSampler {
  readonly samples: number[] = [];
  sample(): void {
    this.samples.push(loadavg()[0]!);
  }
  summary(): { min: number; median: number; max: number } {
    if (!this.samples.length) this.sample();
    return { min: Math.min(...this.samples), median: median(this.samples), max: Math.max(...this.samples) };
  }
  words(): string {
    const { min, median: mid, max } = this.summary();
    return `load average ${min.toFixed(2)}–${max.toFixed(2)} (median ${mid.toFixed(2)}) on ${this.samples.length} samples`;
  }
}

/**
 * `rounds` pairs of (engine, direct), the engine first in even rounds. The engine side records the plan the direct
 * side replays, so round 0 always runs the engine first; later rounds replay that first plan.
 */
export async function alternate<E extends Timed>(
  rounds: number,
  load: LoadSampler,
  engine: () => Promise<E & { plan: ReplayPlan }>,
  onRound: (round: number, engine: E, direct: ReplayResult) => void,
): Promise<Array<{ engine: E; direct: ReplayResult }>> {
  const done: Array<{ engine: E; direct: ReplayResult }> = [];
  let plan: ReplayPlan | null = null;
  for (let round = 0; round < rounds; round++) {
    const engineFirst = round % 2 === 0 || !plan;
    let engineSide: E & { plan: ReplayPlan };
    let direct: ReplayResult;
    load.sample();
    if (engineFirst) {
      engineSide = await engine();
      plan ??= engineSide.plan;
      load.sample();
      direct = replayDirect(plan);
    } else {
      direct = replayDirect(plan!);
      load.sample();
      engineSide = await engine();
    }
    load.sample();
    const { plan: _recorded, ...kept } = engineSide;
    done.push({ engine: kept as unknown as E, direct });
    onRound(round, kept as unknown as E, direct);
  }
  return done;
}

/**
 * The plan replayed straight through LlamaChat in a fresh process (bench/direct-replay.ts); with `profileDir`,
 * under `node --cpu-prof` as the path's profiled run is, so the two sides' main threads can be set side by side.
 */
export function replayDirect(plan: ReplayPlan, profileDir?: string): ReplayResult & { pid: number } {
  const file = join(mkdtempSync(join(tmpdir(), "refinery-direct-")), "plan.json");
  writeFileSync(file, JSON.stringify(plan));
  const profile = profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [];
  const child = spawnSync(...nodeCommand([...profile, "--import", "tsx", "bench/direct-replay.ts", file]), { cwd: repoRoot, encoding: "utf8" });
  if (child.status !== 0) throw new Error(`direct replay failed: ${child.stderr}`);
  return { ...(JSON.parse(child.stdout.trim().split("\n").at(-1)!) as ReplayResult), pid: child.pid };
}
