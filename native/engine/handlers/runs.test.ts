// Deleting a run through the engine's handler: a run still going is refused (its writer would recreate files);
// an ended one moves to the trash.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBatcher } from "../event-batcher.ts";
import { Jobs } from "../jobs.ts";
import type { EngineContext } from "./context.ts";
import { deleteRun } from "./runs.ts";

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
