// The decode threads follow the cores other work leaves idle: all of them on an idle machine, fewer (at least one)
// when other processes hold cores, measured with real busy processes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { decodeThreadsFor, idleCores, measureDecodeThreads, parseCpuList } from "./cpu-headroom.ts";

test("idle machine: one generation on all cores but one (one on two cores), a batch on every core", () => {
  assert.deepEqual(
    [1, 2, 4, 16].map((cores) => {
      const { threads, parallelThreads } = decodeThreadsFor(cores, cores);
      return [threads, parallelThreads];
    }),
    [
      [1, 1],
      [1, 2],
      [3, 4],
      [15, 16],
    ],
  );
  assert.match(decodeThreadsFor(2, 1.9).reason, /^1\.9 of 2 cores idle when the model loaded: 1 thread\(s\) for one generation, 2 for a batch$/);
});

test("busy cores: both counts shrink to the idle cores, never below one", () => {
  const fitted = (cores: number, idle: number) => {
    const { threads, parallelThreads } = decodeThreadsFor(cores, idle);
    return [threads, parallelThreads];
  };
  assert.deepEqual(fitted(2, 0.05), [1, 1], "both cores taken: a batch on one thread");
  assert.deepEqual(fitted(2, 1.1), [1, 1]);
  assert.deepEqual(fitted(2, 1.74), [1, 1], "a core counts when three quarters of it is idle");
  assert.deepEqual(fitted(2, 1.75), [1, 2]);
  assert.deepEqual(fitted(16, 13.9), [14, 14]);
  assert.deepEqual(fitted(16, 0), [1, 1]);
  assert.match(decodeThreadsFor(2, 0.05).reason, /0\.1 of 2 cores idle when the model loaded: 1 thread\(s\) for a batch, as threads on busy cores stall/);
});

test("Linux's list of allowed cores is read as ranges", () => {
  assert.deepEqual(parseCpuList("0-1,4,6-7\n"), [0, 1, 4, 6, 7]);
  assert.deepEqual(parseCpuList("3"), [3]);
});

test("two busy processes take cores away from the batch", { timeout: 30_000 }, async () => {
  const cores = availableParallelism();
  const busy = [0, 1].map(() => spawn(process.execPath, ["-e", "process.stdout.write('spinning'); for (;;);"], { stdio: ["ignore", "pipe", "ignore"] }));
  try {
    // Both say when they start spinning; only then is the machine measured.
    await Promise.all(busy.map((p) => new Promise((resolve) => p.stdout!.once("data", resolve))));
    const idle = await idleCores(300);
    assert.ok(idle >= 0 && idle <= cores - 1.5, `${idle.toFixed(2)} of ${cores} cores idle with two spinning`);
    const fitted = await measureDecodeThreads();
    assert.ok(fitted.parallelThreads <= Math.max(1, cores - 1), JSON.stringify(fitted));
  } finally {
    for (const p of busy) p.kill("SIGKILL");
  }
});
