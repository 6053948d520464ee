// The HTML report's cost-aware ranking: every column ranked under each PeRFICS preset, so a reader sees which
// column suits a personal computer, a batch job or a latency-bound service without re-running anything.
import type { ExperimentSummary } from "../protocol/experiment-results.ts";
import { formatPerficsCost, PERFICS_COST_LABELS, PERFICS_PRESETS, PERFICS_RULE, type PerficsPreset, perficsInputs, rankPerfics } from "../protocol/perfics.ts";

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

export function perficsSection(summary: ExperimentSummary, plannedMemory: Readonly<Record<string, number>> = {}): string {
  if (summary.columns.length < 2) return "";
  const inputs = perficsInputs(summary.columns, plannedMemory);
  const presets = Object.keys(PERFICS_PRESETS) as PerficsPreset[];
  const rankings = presets.map((preset) => ({ preset, ranking: rankPerfics(inputs, PERFICS_PRESETS[preset]) }));
  const header = rankings
    .map(({ preset, ranking }) => {
      const w = ranking.weights;
      return `<th title="quality ${w.quality} · gain ${w.gain} · cost ${w.cost} (${PERFICS_COST_LABELS[w.costMeasure]})">${escapeHtml(preset)}<br><small>${w.quality}/${w.gain}/${w.cost}, ${escapeHtml(PERFICS_COST_LABELS[w.costMeasure])}</small></th>`;
    })
    .join("");
  const rows = summary.columns
    .map((c) => {
      const cells = rankings
        .map(({ ranking }) => {
          const row = ranking.rows.find((r) => r.column === c.column);
          if (!row) return `<td><small>${escapeHtml(ranking.unranked.find((u) => u.column === c.column)?.reason ?? "not ranked")}</small></td>`;
          return `<td data-perfics-rank="${row.rank}">#${row.rank} · ${row.score.toFixed(3)}<br><small>${escapeHtml(formatPerficsCost(row.cost, ranking.weights.costMeasure))}</small></td>`;
        })
        .join("");
      return `<tr data-perfics-column="${escapeHtml(c.column)}"><td>${escapeHtml(c.column)}</td>${cells}</tr>`;
    })
    .join("\n");
  const notes = [...new Set(rankings.map(({ ranking }) => ranking.note).filter(Boolean))];
  return `<h2>Cost-aware ranking (PeRFICS)</h2>
<p>${escapeHtml(PERFICS_RULE)}. Weights are quality/gain/cost per preset; quality is the judges' score where the column was judged, else accuracy. ${notes.map((n) => escapeHtml(n!)).join(" ")}</p>
<table><tr><th>column</th>${header}</tr>
${rows}</table>`;
}
