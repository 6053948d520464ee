// Experiment exports: CSV of the cells, preference pairs (a right and a wrong candidate of the same item, with
// their scores) for training critics, and one standalone HTML report (no external resources: it opens offline)
// with the aggregates, paired tests, transitions, the accuracy-vs-tokens plot with its Pareto frontier, and the
// per-item grid.
import { join } from "node:path";
import { answersMatch, referenceAnswer } from "./answers.ts";
import type { CellResult, ExperimentConfig, ExperimentSummary } from "./experiment.ts";
import { latestScore } from "../protocol/state.ts";
import { replayRunLog } from "../runs/run-log.ts";

const csvField = (value: unknown) => {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function resultsCsv(results: readonly CellResult[]): string {
  const header = ["item", "itemId", "column", "status", "correct", "initialCorrect", "answer", "pathTokens", "totalTokens", "wallMs", "runId", "failure"] as const;
  return [header.join(","), ...results.map((r) => header.map((key) => csvField(r[key])).join(","))].join("\n") + "\n";
}

export interface PreferencePair {
  item: number;
  column: string;
  prompt: string;
  chosen: string;
  rejected: string;
  chosenScore: number | null;
  rejectedScore: number | null;
}

/** Right/wrong candidate pairs from each run's tree (answers checked against the item's reference). */
export async function preferencePairs(dir: string, results: readonly CellResult[], perRun = 4): Promise<PreferencePair[]> {
  const pairs: PreferencePair[] = [];
  for (const cell of results) {
    const { state } = await replayRunLog(join(dir, "runs", cell.runId, "events.jsonl")).catch(() => ({ state: null }));
    const reference = state?.task?.reference;
    if (!state || reference === undefined) continue;
    const candidates = state.order.map((id) => state.nodes[id]!).filter((n) => (n.role === "draft" || n.role === "refine") && n.status === "done");
    const right = candidates.filter((n) => answersMatch(n.answer, referenceAnswer(reference)));
    const wrong = candidates.filter((n) => !answersMatch(n.answer, referenceAnswer(reference)));
    for (let i = 0; i < Math.min(perRun, right.length * wrong.length); i++) {
      const chosen = right[i % right.length]!;
      const rejected = wrong[Math.floor(i / right.length) % wrong.length]!;
      pairs.push({
        item: cell.item,
        column: cell.column,
        prompt: state.task!.question,
        chosen: chosen.text,
        rejected: rejected.text,
        chosenScore: latestScore(chosen, "critic")?.value ?? null,
        rejectedScore: latestScore(rejected, "critic")?.value ?? null,
      });
    }
  }
  return pairs;
}

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
const pct = (value: number) => (Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : "–");

function plot(summary: ExperimentSummary): string {
  const points = summary.columns.map((c) => ({ id: c.column, x: c.meanTotalTokens, y: c.accuracy }));
  const maxX = Math.max(1, ...points.map((p) => p.x)) * 1.1;
  const w = 560;
  const h = 300;
  const px = (x: number) => 50 + (x / maxX) * (w - 70);
  const py = (y: number) => h - 40 - y * (h - 70);
  const frontier = summary.pareto.map((p) => `${px(p.tokens)},${py(p.accuracy)}`).join(" ");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img" aria-label="accuracy against tokens">
<line x1="50" y1="${h - 40}" x2="${w - 10}" y2="${h - 40}" stroke="#888"/><line x1="50" y1="20" x2="50" y2="${h - 40}" stroke="#888"/>
<text x="${w / 2}" y="${h - 8}" text-anchor="middle" font-size="12">mean tokens per item (all tokens)</text>
<text x="14" y="${h / 2}" transform="rotate(-90 14 ${h / 2})" text-anchor="middle" font-size="12">accuracy</text>
${[0, 0.5, 1].map((y) => `<text x="44" y="${py(y) + 4}" text-anchor="end" font-size="10">${y * 100}%</text>`).join("")}
<polyline points="${frontier}" fill="none" stroke="#2f6fde" stroke-width="2" stroke-dasharray="4 3"/>
${points.map((p) => `<circle cx="${px(p.x)}" cy="${py(p.y)}" r="5" fill="#1d2330"/><text x="${px(p.x) + 8}" y="${py(p.y) - 6}" font-size="11">${escape(p.id)}</text>`).join("\n")}
</svg>`;
}

export function htmlReport(config: ExperimentConfig, summary: ExperimentSummary, results: readonly CellResult[]): string {
  const columns = summary.columns.map((c) => c.column);
  const items = [...new Set(results.map((r) => r.item))].sort((a, b) => a - b);
  const cell = (item: number, column: string) => results.find((r) => r.item === item && r.column === column);
  const rows = summary.columns
    .map((c) => {
      const v = c.versusBaseline;
      return `<tr><td>${escape(c.column)}</td><td>${c.items}</td><td>${pct(c.accuracy)}</td><td>${pct(c.interval[0])} – ${pct(c.interval[1])}</td><td>${v ? `${v.difference >= 0 ? "+" : ""}${(v.difference * 100).toFixed(1)} pts` : "baseline"}</td><td>${v ? `${v.wins}/${v.ties}/${v.losses}` : ""}</td><td>${v ? v.pValue.toPrecision(3) : ""}</td><td>${v ? v.oddsRatio.toFixed(2) : ""}</td><td>${c.transitions ? `${c.transitions.wrongToCorrect} fixed, ${c.transitions.correctToWrong} harmed (${pct(c.transitions.harmRate)})` : ""}</td><td>${c.meanPathTokens.toFixed(0)}</td><td>${c.meanTotalTokens.toFixed(0)}</td><td>${(c.meanWallMs / 1000).toFixed(2)} s</td></tr>`;
    })
    .join("\n");
  const grid = items
    .map((item) => {
      const first = results.find((r) => r.item === item)!;
      return `<tr><td>${escape(first.itemId)}</td>${columns
        .map((column) => {
          const r = cell(item, column);
          if (!r) return "<td></td>";
          const mark = r.status === "failed" ? "failed" : r.correct === null ? "?" : r.correct ? "✓" : "✗";
          return `<td class="${r.correct ? "ok" : "bad"}" title="${escape(r.runId)}">${mark} ${escape(r.answer ?? "")}<br><small>${r.totalTokens} tok · ${(r.wallMs / 1000).toFixed(1)} s</small></td>`;
        })
        .join("")}</tr>`;
    })
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Refinery experiment</title>
<style>body{font:13px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330}table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #d9dde4;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f6f7f9}td.ok{background:#eafaf0}td.bad{background:#fdecea}small{color:#6b7280}pre{background:#f6f7f9;padding:8px;overflow:auto}</style></head><body>
<h1>Experiment</h1>
<p>Dataset <code>${escape(config.dataset)}</code>${config.limit ? `, first ${config.limit} items` : ""}; seed ${config.seed}; baseline <b>${escape(summary.baseline)}</b>. Accuracy intervals are bootstrap 95%; paired tests are exact McNemar (sign) tests against the baseline on the same items; W/T/L = wins/ties/losses.</p>
<table><tr><th>column</th><th>items</th><th>accuracy</th><th>95% interval</th><th>vs baseline</th><th>W/T/L</th><th>p</th><th>odds ratio</th><th>draft → final</th><th>tokens (path)</th><th>tokens (all)</th><th>time</th></tr>
${rows}</table>
<h2>Accuracy against tokens</h2>${plot(summary)}
<p>Dashed: the Pareto frontier (${summary.pareto.map((p) => escape(p.id)).join(" → ")}).</p>
<h2>Items</h2><table><tr><th>item</th>${columns.map((c) => `<th>${escape(c)}</th>`).join("")}</tr>
${grid}</table>
<h2>Settings</h2><pre>${escape(JSON.stringify(config, null, 2))}</pre>
</body></html>
`;
}
