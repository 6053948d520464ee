// PeRFICS's memory cost per column, read from the manifests the cells' runs wrote: VRAM + RAM of the joint plan,
// the first finished cell that recorded one speaking for its column, and a column whose first few cells recorded
// none (a pool, an endpoint) left without one rather than read to its last cell.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CellResult } from "../../protocol/experiment-results.ts";
import { plannedMemory } from "./planned-memory.ts";

const dir = mkdtempSync(join(tmpdir(), "refinery-planned-memory-"));

function cell(column: string, runId: string, manifest: object | null, status: CellResult["status"] = "finished"): CellResult {
  if (manifest) {
    mkdirSync(join(dir, "runs", runId), { recursive: true });
    writeFileSync(join(dir, "runs", runId, "manifest.json"), JSON.stringify(manifest));
  }
  return { item: 0, itemId: "0", column, runId, status } as CellResult;
}

const plan = (vram: number, ram: number) => ({ memory: { estimate: { vram, ram, verdict: "fits" }, actual: { vram: 0, rssGrowth: 0 } } });

test("each column's joint plan in bytes (VRAM + RAM), from its first finished cell that recorded one", () => {
  const results = [
    cell("single", "r-single-1", plan(1_000, 200)),
    cell("single", "r-single-2", plan(9_000, 9_000)),
    cell("refine", "r-refine-failed", plan(5, 5), "failed"),
    cell("refine", "r-refine-none", { memory: { error: "no plan: the model came from a pool" } }),
    cell("refine", "r-refine-plan", plan(0, 3_000)),
    cell("endpoint", "r-endpoint-1", {}),
    cell("endpoint", "r-endpoint-2", null),
    cell("endpoint", "r-endpoint-3", { memory: { estimate: { vram: "1", ram: 2 } } }),
    cell("endpoint", "r-endpoint-4", plan(7, 7)),
  ];
  assert.deepEqual(plannedMemory(dir, results), { single: 1_200, refine: 3_000 });
});
