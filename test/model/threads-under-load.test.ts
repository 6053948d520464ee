// The engine's default threads follow the machine's load: with two busy processes holding cores when the model
// loads, best-of-n's batches decode on the cores left idle, and the run manifest says which threads it used and
// why; --threads pins them and the manifest says so.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { executeRun } from "../../native/runs/runner.ts";
import { openRuntime } from "../../native/llm/runtime.ts";
import { testModel } from "../support/models.ts";

const outDir = mkdtempSync(join(tmpdir(), "refinery-threads-"));

after(async () => {
  await (await openRuntime({ gpu: "cpu" })).dispose();
  await (await openRuntime({ gpu: "cpu", threads: 1 })).dispose();
});

async function bestOfFour(threads?: number) {
  const model = await testModel("tinyChat");
  const result = await executeRun({
    strategy: "best-of-n",
    params: { n: 4 },
    actor: { path: model, sampling: { maxTokens: 8 }, load: { contextSize: 1024 } },
    critic: { path: model, sampling: { maxTokens: 8 }, load: { contextSize: 1024 } },
    task: { question: "2+2?" },
    seed: 1,
    outDir,
    gpu: "cpu",
    threads,
  });
  assert.equal(result.state.status, "finished", result.state.failure?.reason);
  return JSON.parse(readFileSync(result.manifestPath, "utf8")).backend as { threads: number; parallelThreads: number; threadsReason: string };
}

test("with two busy processes at load, batches decode on the idle cores; the manifest records threads and why", { timeout: 120_000 }, async () => {
  const cores = availableParallelism();
  const busy = [0, 1].map(() => spawn(process.execPath, ["-e", "process.stdout.write('spinning'); for (;;);"], { stdio: ["ignore", "pipe", "ignore"] }));
  let backend: Awaited<ReturnType<typeof bestOfFour>>;
  try {
    await Promise.all(busy.map((p) => new Promise((resolve) => p.stdout!.once("data", resolve))));
    backend = await bestOfFour();
  } finally {
    for (const p of busy) p.kill("SIGKILL");
  }
  // Today's default would batch on every core whatever the load.
  assert.ok(backend.parallelThreads <= Math.max(1, cores - 1), JSON.stringify(backend));
  assert.ok(backend.threads >= 1 && backend.threads <= backend.parallelThreads, JSON.stringify(backend));
  assert.match(backend.threadsReason, /of \d+ cores idle when the model loaded/);
});

test("--threads pins them, and the manifest says so", { timeout: 120_000 }, async () => {
  const backend = await bestOfFour(1);
  assert.deepEqual(backend.threads, 1);
  assert.deepEqual(backend.parallelThreads, 1);
  assert.equal(backend.threadsReason, "set to 1 (--threads)");
});
