// A run whose models are already loaded (a server's next request, an experiment's next cell) is not planned
// against the memory again: nothing would load. A run that needs another copy still is.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { executeRun } from "../../native/runs/runner.ts";
import { storiesModel } from "../support/models.ts";

const outDir = mkdtempSync(join(tmpdir(), "refinery-held-"));
const run = (contextSize: number, memoryBudget?: { ram: number; vram: number }) => {
  const model = { path: storiesModel, sampling: { maxTokens: 4 }, load: { contextSize } };
  return executeRun({
    strategy: "single-pass",
    actor: model,
    critic: model,
    task: { question: "Once upon a time" },
    seed: 1,
    outDir,
    threads: 1,
    memoryBudget,
  });
};

test("a run on a copy already loaded skips the fit check; one that would load another copy is still refused", async () => {
  const tiny = { ram: 64 * 1024, vram: 0 };
  await assert.rejects(run(640, tiny), /will not fit in memory/, "nothing loaded yet: the plan refuses");
  const first = await run(640);
  assert.equal(first.state.status, "finished", first.state.failure?.reason ?? "");
  const again = await run(640, tiny);
  assert.equal(again.state.status, "finished", again.state.failure?.reason ?? "");
  const manifest = JSON.parse(readFileSync(again.manifestPath, "utf8")) as { memory?: { estimate?: { ram: number } } };
  assert.ok((manifest.memory?.estimate?.ram ?? 0) > 0, "the manifest still records the plan beside what the run used");
  await assert.rejects(run(768, tiny), /will not fit in memory/, "another context size is another copy: planned, refused");
});
