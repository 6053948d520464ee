// The joint memory plan of each column's models, as the runs recorded it in their manifests: the cost the PeRFICS
// ranking weighs on a personal computer. A column's cells load the same models with the same settings, so the
// first cell that recorded a plan speaks for the column; cells loaded from a pool or an endpoint record none.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CellResult } from "../../protocol/experiment-results.ts";
import { runDir } from "../../runs/paths.ts";

const MANIFESTS_TRIED = 3;

/** Bytes (VRAM + RAM) the joint plan gave each column's models, for the columns where some cell recorded one. */
export function plannedMemory(dir: string, results: readonly CellResult[]): Record<string, number> {
  const found: Record<string, number> = {};
  const tried = new Map<string, number>();
  for (const cell of results) {
    if (cell.column in found || cell.status !== "finished") continue;
    // One manifest per column is enough when it holds a plan; a column whose first few hold none has none.
    const attempts = tried.get(cell.column) ?? 0;
    if (attempts >= MANIFESTS_TRIED) continue;
    tried.set(cell.column, attempts + 1);
    const bytes = manifestPlan(dir, cell.runId);
    if (bytes !== null) found[cell.column] = bytes;
  }
  return found;
}

function manifestPlan(dir: string, runId: string): number | null {
  try {
    const manifest = JSON.parse(readFileSync(join(runDir(join(dir, "runs"), runId), "manifest.json"), "utf8")) as {
      memory?: { estimate?: { vram?: unknown; ram?: unknown } };
    };
    const estimate = manifest.memory?.estimate;
    if (!estimate || typeof estimate.vram !== "number" || typeof estimate.ram !== "number") return null;
    return estimate.vram + estimate.ram;
  } catch {
    return null;
  }
}
