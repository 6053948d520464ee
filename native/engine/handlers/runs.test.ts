// Runs through the engine's handlers: a run refused before its log opens reports the failure code the runner
// would give; a run still going is refused deletion (its writer would recreate files), an ended one moves to the trash.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GgmlType, GgufValueType } from "../../llm/gguf/format.ts";
import { writeGguf } from "../../llm/gguf/writer.ts";
import type { RunEvent } from "../../protocol/events.ts";
import { EventBatcher } from "../event-batcher.ts";
import { Jobs } from "../jobs.ts";
import type { EngineContext } from "./context.ts";
import { deleteRun, startRun } from "./runs.ts";

test("a model whose context is too small for the run is refused as wrong input, not as a model failure", async () => {
  const dir = mkdtempSync(join(tmpdir(), "refinery-refused-"));
  const model = join(dir, "tiny-context.gguf");
  await writeGguf(
    model,
    new Map([
      ["general.architecture", { type: GgufValueType.STRING, value: "llama" }],
      ["llama.context_length", { type: GgufValueType.UINT32, value: 64 }],
    ]),
    [{ name: "a", dims: [8], type: GgmlType.F32, fill: (b) => b.fill(1) }],
  );
  const events: RunEvent[] = [];
  const jobs = new Jobs();
  const ctx = { options: { runsDir: join(dir, "runs") }, jobs, batcher: new EventBatcher((_id, batch) => events.push(...batch)) } as unknown as EngineContext;
  const { runId } = await startRun(ctx, {
    strategy: "single-pass",
    actor: { path: model },
    critic: { path: model },
    task: { question: "What is 2+2?" },
  } as Parameters<typeof startRun>[1]);
  while (jobs.ids("run").includes(runId)) await new Promise((resolve) => setTimeout(resolve, 5));
  const failed = events.find((e) => e.type === "run-failed");
  assert.ok(failed?.type === "run-failed", "the refused run is reported");
  assert.match(failed.reason, /needs about \d+ tokens of context/);
  assert.equal(failed.code, "invalid-input");
});

test("a running run is refused by name until it has ended; then it moves to the trash", async () => {
  const runsDir = mkdtempSync(join(tmpdir(), "refinery-delete-"));
  mkdirSync(join(runsDir, "r1"));
  writeFileSync(join(runsDir, "r1", "manifest.json"), "{}");
  const jobs = new Jobs();
  const ctx = { options: { runsDir }, jobs, batcher: new EventBatcher(() => {}) } as unknown as EngineContext;
  jobs.start("run", "r1");
  await assert.rejects(deleteRun(ctx, { runId: "r1" }), /run r1 is still running: cancel it before deleting it/);
  assert.equal(existsSync(join(runsDir, "r1")), true);
  jobs.finish("r1");
  assert.deepEqual(await deleteRun(ctx, { runId: "r1" }), { trashedTo: join(runsDir, ".trash", "r1") });
});
