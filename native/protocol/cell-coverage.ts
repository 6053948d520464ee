// How much of an experiment its numbers stand on: the cells asked for (items × columns), those with a result and
// those that failed, with why. The summary, the report and the compare view say it in the same words whenever the
// numbers rest on fewer cells than were asked for. Pure, so the renderer bundles it.
import type { CellResult } from "./experiment-results.ts";
import { cellKey } from "./cell-key.ts";

export interface CellCoverage {
  /** Items × columns × repeats of the experiment. */
  asked: number;
  /** Cells with a result in the checkpoint, finished or failed. */
  done: number;
  failed: number;
  /** Why cells failed, the most frequent first. */
  reasons: Array<{ reason: string; cells: number }>;
}

/** Longest reason quoted: failures can carry a whole server reply. */
const REASON_CHARS = 120;
const REASONS_SHOWN = 3;

export function cellCoverage(
  results: ReadonlyArray<Pick<CellResult, "item" | "column" | "repeat" | "status" | "failure">>,
  items: number,
  columns: readonly string[],
  repeats = 1,
): CellCoverage {
  const names = new Set(columns);
  const byCell = new Map(results.filter((r) => r.item < items && names.has(r.column) && (r.repeat ?? 0) < repeats).map((r) => [cellKey(r), r]));
  const counts = new Map<string, number>();
  let failed = 0;
  for (const cell of byCell.values()) {
    if (cell.status !== "failed") continue;
    failed++;
    const reason = (cell.failure ?? "no reason recorded").trim();
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return {
    asked: items * columns.length * repeats,
    done: byCell.size,
    failed,
    reasons: [...counts].map(([reason, cells]) => ({ reason, cells })).sort((a, b) => b.cells - a.cells || a.reason.localeCompare(b.reason)),
  };
}

/** "14 of 16 cells done; 2 failed (the server closed the connection ×2)", or null when every cell finished. */
export function describeCoverage({ asked, done, failed, reasons }: CellCoverage): string | null {
  if (done === asked && failed === 0) return null;
  const shown = reasons
    .slice(0, REASONS_SHOWN)
    .map(({ reason, cells }) => `${reason.length > REASON_CHARS ? `${reason.slice(0, REASON_CHARS - 1)}…` : reason}${cells > 1 ? ` ×${cells}` : ""}`);
  if (reasons.length > REASONS_SHOWN) shown.push(`${reasons.length - REASONS_SHOWN} other reasons`);
  return `${done} of ${asked} cells done; ${failed} failed${failed ? ` (${shown.join("; ")})` : ""}`;
}
