// The compare view: an experiment's columns side by side — aggregates with intervals and paired tests against a
// chosen baseline, accuracy against tokens with the Pareto frontier, and the per-item grid with filters; a cell
// opens that run's tree.
import { useState } from "react";
import { useAppState, useController } from "../store/context.tsx";
import { Errors } from "./Errors.tsx";

const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : "–");

function Plot({ points, frontier }: { points: Array<{ id: string; tokens: number; accuracy: number }>; frontier: string[] }) {
  const w = 420;
  const h = 220;
  const maxX = Math.max(1, ...points.map((p) => p.tokens)) * 1.1;
  const px = (x: number) => 40 + (x / maxX) * (w - 60);
  const py = (y: number) => h - 30 - y * (h - 50);
  const line = points.filter((p) => frontier.includes(p.id)).sort((a, b) => a.tokens - b.tokens);
  return (
    <svg width={w} height={h} data-testid="compare-plot" className="compare-plot">
      <line x1={40} y1={h - 30} x2={w - 10} y2={h - 30} stroke="#888" />
      <line x1={40} y1={10} x2={40} y2={h - 30} stroke="#888" />
      <text x={w / 2} y={h - 6} textAnchor="middle" fontSize={11}>
        mean tokens per item
      </text>
      <polyline points={line.map((p) => `${px(p.tokens)},${py(p.accuracy)}`).join(" ")} fill="none" stroke="#2f6fde" strokeDasharray="4 3" strokeWidth={2} />
      {points.map((p) => (
        <g key={p.id}>
          <circle cx={px(p.tokens)} cy={py(p.accuracy)} r={5} fill="#1d2330" />
          <text x={px(p.tokens) + 7} y={py(p.accuracy) - 6} fontSize={11}>
            {p.id} {pct(p.accuracy)}
          </text>
        </g>
      ))}
    </svg>
  );
}

export function Compare() {
  const controller = useController();
  const experiment = useAppState((s) => s.experiment);
  const [path, setPath] = useState("");
  const [onlyDiffer, setOnlyDiffer] = useState(false);
  const [onlyFailures, setOnlyFailures] = useState(false);
  const columns = experiment?.columns ?? [];
  const items = experiment ? [...new Set(experiment.results.map((r) => r.item))].sort((a, b) => a - b) : [];
  const cell = (item: number, column: string) => experiment?.results.find((r) => r.item === item && r.column === column);
  const visible = items.filter((item) => {
    const cells = columns.map((c) => cell(item, c));
    if (onlyDiffer && new Set(cells.map((c) => c?.correct)).size < 2) return false;
    if (onlyFailures && !cells.some((c) => c && c.correct !== true)) return false;
    return true;
  });
  return (
    <div className="compare" data-testid="compare">
      <div className="row">
        <input data-testid="experiment-path" placeholder="experiment folder (refinery experiment --out …)" value={path} onChange={(e) => setPath(e.target.value)} />
        <button type="button" data-testid="experiment-load" onClick={() => void controller.loadExperiment(path)}>
          Load
        </button>
      </div>
      <Errors where="compare" />
      {experiment && (
        <>
          <table className="aggregates" data-testid="compare-aggregates">
            <thead>
              <tr>
                <th>column</th><th>items</th><th>accuracy (95% CI)</th><th>vs baseline</th><th>W/T/L</th><th>p</th><th>tokens</th>
              </tr>
            </thead>
            <tbody>
              {experiment.summary.columns.map((c) => (
                <tr key={c.column} data-testid="aggregate-row" data-column={c.column}>
                  <td>{c.column}</td>
                  <td>{c.items}</td>
                  <td>
                    {pct(c.accuracy)} ({pct(c.interval[0])}–{pct(c.interval[1])})
                  </td>
                  <td>{c.versusBaseline ? `${c.versusBaseline.difference >= 0 ? "+" : ""}${(c.versusBaseline.difference * 100).toFixed(1)} pts` : "baseline"}</td>
                  <td>{c.versusBaseline ? `${c.versusBaseline.wins}/${c.versusBaseline.ties}/${c.versusBaseline.losses}` : ""}</td>
                  <td>{c.versusBaseline ? c.versusBaseline.pValue.toPrecision(3) : ""}</td>
                  <td>{c.meanTotalTokens.toFixed(0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Plot points={experiment.summary.columns.map((c) => ({ id: c.column, tokens: c.meanTotalTokens, accuracy: c.accuracy }))} frontier={experiment.summary.pareto.map((p) => p.id)} />
          <div className="row small filters">
            <label>
              baseline{" "}
              <select data-testid="compare-baseline" value={experiment.summary.baseline} onChange={(e) => void controller.loadExperiment(experiment.path, e.target.value)}>
                {columns.map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            </label>
            <label>
              <input type="checkbox" data-testid="filter-differ" checked={onlyDiffer} onChange={(e) => setOnlyDiffer(e.target.checked)} /> only where columns differ
            </label>
            <label>
              <input type="checkbox" data-testid="filter-failures" checked={onlyFailures} onChange={(e) => setOnlyFailures(e.target.checked)} /> only failures
            </label>
          </div>
          <table className="grid" data-testid="compare-grid">
            <thead>
              <tr>
                <th>item</th>
                {columns.map((c) => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {visible.map((item) => (
                <tr key={item} data-testid="grid-row">
                  <td>{cell(item, columns[0]!)?.itemId ?? item}</td>
                  {columns.map((column) => {
                    const r = cell(item, column);
                    return (
                      <td key={column} className={r?.correct ? "ok" : "bad"} data-testid="grid-cell" onClick={() => r && void controller.openExperimentRun(r.runId)}>
                        {r ? `${r.status === "failed" ? "failed" : r.correct === null ? "?" : r.correct ? "✓" : "✗"} ${r.answer ?? ""}` : ""}
                        {r && <small> {r.totalTokens} tok</small>}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
