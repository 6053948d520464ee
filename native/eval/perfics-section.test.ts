import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CellResult, ColumnSummary, ExperimentSummary } from "../protocol/experiment-results.ts";
import { runDir } from "../runs/paths.ts";
import { plannedMemory } from "./experiment/planned-memory.ts";
import { perficsSection } from "./perfics-section.ts";

function column(name: string, accuracy: number, draft: number, tokens: number, wallMs: number): ColumnSummary {
  return {
    column: name,
    accuracy,
    meanTotalTokens: tokens,
    meanWallMs: wallMs,
    dynamics: [{ candidate: 1, items: 4, accuracy: draft, meanScore: null }],
  } as ColumnSummary;
}

test("the report ranks every column under each preset: the dear refined column first for a batch job, last when latency-bound", () => {
  const summary = { columns: [column("single", 0.5, 0.5, 100, 1000), column("refine", 0.8, 0.5, 400, 4000)] } as ExperimentSummary;
  const html = perficsSection(summary, { single: 2 ** 30, refine: 2 ** 31 });
  const ranks = (name: string) => [...html.matchAll(new RegExp(`data-perfics-column="${name}">.*?</tr>`, "gs"))][0]![0].match(/data-perfics-rank="(\d)"/g);
  // Columns: personal computer, batch job, latency-bound. refine: .6 / .8 / .4; single: .4 / .2 / .6.
  assert.deepEqual(ranks("refine"), ['data-perfics-rank="1"', 'data-perfics-rank="1"', 'data-perfics-rank="2"']);
  assert.deepEqual(ranks("single"), ['data-perfics-rank="2"', 'data-perfics-rank="2"', 'data-perfics-rank="1"']);
  assert.match(html, /#1 · 0\.800<br><small>400 tokens/);
  assert.match(html, /2\.00 GiB/);
  assert.equal(perficsSection({ columns: [column("only", 1, 0, 1, 1)] } as ExperimentSummary), "", "one column has nothing to rank against");
});

test("a column's planned memory is the joint plan its first run recorded (VRAM + RAM); a run without one records none", () => {
  const dir = mkdtempSync(join(tmpdir(), "refinery-planned-"));
  const manifest = (runId: string, memory: unknown) => {
    mkdirSync(runDir(join(dir, "runs"), runId), { recursive: true });
    writeFileSync(join(runDir(join(dir, "runs"), runId), "manifest.json"), JSON.stringify({ memory }));
  };
  manifest("r1", { estimate: { vram: 100, ram: 20, verdict: "fits" }, actual: { vram: 0, rssGrowth: 0 } });
  manifest("r2", { error: "no plan" });
  const cell = (runId: string, column: string) => ({ runId, column, status: "finished" }) as CellResult;
  assert.deepEqual(plannedMemory(dir, [cell("r1", "a"), cell("r2", "b"), cell("missing", "b")]), { a: 120 });
});
