// How many cores other work leaves free, and the threads to decode with given that. llama.cpp's decode threads
// meet at a barrier every step, so a thread on a core another process holds stalls all of them: on a loaded 2-core
// machine, best-of-n (4 samples at once) with batches on both cores took 163 s, and over 240 s with two more busy
// processes, against 2.8 s and 5.2 s on the idle share (bench/results/engine.md, "Threads under contention").
// Measured when a model loads, where this process decodes nothing yet, from the kernel's per-core counters
// (os.cpus works on Linux, macOS and Windows).
import { readFile } from "node:fs/promises";
import { availableParallelism, cpus } from "node:os";

export interface DecodeThreads {
  /** One generation. */
  threads: number;
  /** A batch of several sequences. */
  parallelThreads: number;
  /** Why, in the user's words (the manifest and the backend line say it). */
  reason: string;
}

/** "0-1,4" (Linux's Cpus_allowed_list) → [0, 1, 4]. */
export function parseCpuList(list: string): number[] {
  return list
    .trim()
    .split(",")
    .filter(Boolean)
    .flatMap((part) => {
      const [from, to] = part.split("-").map(Number) as [number, number | undefined];
      return Array.from({ length: (to ?? from) - from + 1 }, (_, i) => from + i);
    });
}

/** The cores this process may run on (taskset, a container's cpuset), on Linux; null for all of them. */
async function allowedCores(): Promise<Set<number> | null> {
  if (process.platform !== "linux") return null;
  try {
    const list = /Cpus_allowed_list:\s*(\S+)/.exec(await readFile("/proc/self/status", "utf8"))?.[1];
    return list ? new Set(parseCpuList(list)) : null;
  } catch {
    return null;
  }
}

/** Cores idle over a short window: the sum, over the cores this process may use, of the share each spent idle. */
export async function idleCores(sampleMs = 200): Promise<number> {
  const allowed = await allowedCores();
  const before = cpus();
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
  const after = cpus();
  // os.cpus() lists the online cores in id order; where that cannot be matched to the allowed list, count them all.
  const counted = allowed && [...allowed].every((id) => id < after.length) ? allowed : null;
  let idle = 0;
  after.forEach((cpu, i) => {
    const start = before[i];
    if (!start || (counted && !counted.has(i))) return;
    const total = Object.values(cpu.times).reduce((a, b) => a + b, 0) - Object.values(start.times).reduce((a, b) => a + b, 0);
    // A core with no ticks in the window (too short a window for the platform's counters) counts as idle.
    idle += total > 0 ? (cpu.times.idle - start.times.idle) / total : 1;
  });
  return idle;
}

/**
 * One generation decodes on all cores but one (one on 2 cores or fewer: a single sequence on 2 threads was no
 * faster there, as its threads wait on the JavaScript thread each token); a batch on every core. With other work
 * on the machine, both on the cores it leaves idle (a core counts when at least three quarters of it is idle), at
 * least one.
 */
export function decodeThreadsFor(cores: number, idle: number): DecodeThreads {
  const single = cores <= 2 ? 1 : cores - 1;
  const free = Math.max(1, Math.min(cores, Math.floor(idle + 0.25)));
  const threads = Math.min(single, free);
  const measured = `${idle.toFixed(1)} of ${cores} cores idle when the model loaded`;
  return free >= cores
    ? { threads, parallelThreads: cores, reason: `${measured}: ${threads} thread(s) for one generation, ${cores} for a batch` }
    : {
        threads,
        parallelThreads: free,
        reason: `${measured}: ${free} thread(s) for a batch, as threads on busy cores stall llama.cpp's decode`,
      };
}

/** The decode threads for this machine as it is now. */
export async function measureDecodeThreads(): Promise<DecodeThreads> {
  return decodeThreadsFor(availableParallelism(), await idleCores());
}
