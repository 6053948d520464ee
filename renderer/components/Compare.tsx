// The compare view: start (or resume) an experiment with the run setup's models and watch it fill in; an
// experiment's columns side by side — aggregates with intervals, paired tests against a chosen baseline and the
// draft → final transitions, accuracy against tokens with the Pareto frontier, refinement dynamics, budget-matched
// accuracy, and the per-item grid with filters; a cell opens that run's tree.
import { useEffect, useState } from "react";
import { fixed, PALETTE, pct } from "../../native/protocol/format.ts";
import type { ExperimentInfo, ExperimentProgressEvent } from "../../native/protocol/contract.ts";
import { useAppState, useController } from "../store/context.tsx";
import { CriticEval } from "./CriticEval.tsx";
import { Errors } from "./Errors.tsx";

function Plot({ points, frontier }: { points: Array<{ id: string; tokens: number; accuracy: number }>; frontier: string[] }) {
  const w = 350;
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
        mean tokens per item (Pareto frontier dashed)
      </text>
      <polyline points={line.map((p) => `${px(p.tokens)},${py(p.accuracy)}`).join(" ")} fill="none" stroke="#2f6fde" strokeDasharray="4 3" strokeWidth={2} />
      {points.map((p) => (
        <g key={p.id}>
          <circle cx={px(p.tokens)} cy={py(p.accuracy)} r={5} fill="#1d2330" />
          <text x={px(p.tokens) + (px(p.tokens) > w * 0.6 ? -7 : 7)} y={py(p.accuracy) - 6} fontSize={11} textAnchor={px(p.tokens) > w * 0.6 ? "end" : "start"}>
            {p.id} {pct(p.accuracy)}
          </text>
        </g>
      ))}
    </svg>
  );
}

/** Mean critic score (solid, 0–10) and accuracy (dashed) of the k-th candidate of each column's runs. */
function DynamicsPlot({ columns }: { columns: ExperimentInfo["summary"]["columns"] }) {
  const w = 350;
  const h = 220;
  const longest = Math.max(1, ...columns.map((c) => c.dynamics.length));
  const px = (k: number) => 40 + (longest === 1 ? 0 : (k / (longest - 1)) * (w - 60));
  const py = (fraction: number) => h - 30 - fraction * (h - 50);
  return (
    <div className="dynamics">
      <svg width={w} height={h} data-testid="dynamics-plot" className="compare-plot">
        <line x1={40} y1={h - 30} x2={w - 10} y2={h - 30} stroke="#888" />
        <line x1={40} y1={10} x2={40} y2={h - 30} stroke="#888" />
        <text x={w / 2} y={h - 6} textAnchor="middle" fontSize={11}>
          candidate k (score solid, accuracy dashed)
        </text>
        {columns.map((c, i) => {
          const colour = PALETTE[i % PALETTE.length]!;
          const scored = c.dynamics.filter((d) => d.meanScore !== null);
          return (
            <g key={c.column}>
              <polyline points={c.dynamics.map((d) => `${px(d.candidate)},${py(d.accuracy)}`).join(" ")} fill="none" stroke={colour} strokeDasharray="5 3" strokeWidth={2} />
              <polyline points={scored.map((d) => `${px(d.candidate)},${py(d.meanScore! / 10)}`).join(" ")} fill="none" stroke={colour} strokeWidth={2} />
              {c.dynamics.map((d) => (
                <circle key={d.candidate} cx={px(d.candidate)} cy={py(d.accuracy)} r={3} fill={colour}>
                  <title>{`${c.column}, candidate ${d.candidate + 1}: ${pct(d.accuracy)} of ${d.items}${d.meanScore !== null ? `, mean score ${d.meanScore.toFixed(1)}` : ""}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
      </svg>
      <div className="legend small">
        {columns.map((c, i) => (
          <span key={c.column} style={{ color: PALETTE[i % PALETTE.length] }}>
            ■ {c.column}
          </span>
        ))}
      </div>
    </div>
  );
}

function Progress({ progress }: { progress: ExperimentProgressEvent }) {
  const controller = useController();
  const active = progress.state === "running" || progress.state === "paused";
  return (
    <div className="row small experiment-progress" data-testid="experiment-progress" data-state={progress.state}>
      <progress max={progress.total} value={progress.done} />
      <span data-testid="experiment-progress-text">
        {progress.state} · {progress.done}/{progress.total} cells · {progress.running} running
        {progress.etaSeconds !== null && active ? ` · ${Math.round(progress.etaSeconds)} s left` : ""} · {fixed(progress.tokensPerSecond, 1)} tokens/s · {progress.cacheHits} cached
        {progress.skippedRecords ? ` · ${progress.skippedRecords} malformed records skipped` : ""}
        {progress.error ? ` · ${progress.error}` : ""}
        {progress.endpoints?.map((e) => (
          <span key={e.endpoint} className="endpoint-progress" data-testid="endpoint-progress">
            {" "}· {e.endpoint}: {e.done} done, {e.running} running, {fixed(e.tokensPerSecond, 1)} tokens/s{e.down ? ` (down: ${e.down})` : ""}
          </span>
        ))}
      </span>
      {active && (
        <>
          <button type="button" data-testid="experiment-pause" onClick={() => void controller.controlExperiment(progress.state === "paused" ? "resume" : "pause")}>
            {progress.state === "paused" ? "Resume" : "Pause"}
          </button>
          <button type="button" data-testid="experiment-stop" onClick={() => void controller.controlExperiment("stop")}>
            Stop
          </button>
        </>
      )}
    </div>
  );
}

function NewExperiment() {
  const controller = useController();
  const strategies = useAppState((s) => s.strategies);
  const setup = useAppState((s) => s.setup);
  const form = useAppState((s) => s.experimentForm);
  const setForm = useAppState((s) => s.updateExperimentForm);
  const name = (path: string) => path.split(/[\\/]/).pop() || "—";
  const toggle = (name: string) => setForm({ strategies: form.strategies.includes(name) ? form.strategies.filter((s) => s !== name) : [...form.strategies, name] });
  return (
    <details className="new-experiment" open data-testid="new-experiment">
      <summary>New experiment</summary>
      <div className="row small pairs" data-testid="experiment-pairs">
        <span>models:</span>
        {form.pairs.length === 0 ? (
          <span>
            the run setup's — actor {name(setup.actorPath)}, critic {name(setup.criticPath || setup.actorPath)}
          </span>
        ) : (
          form.pairs.map((pair, i) => (
            <span key={i} className="pair" data-testid="experiment-pair">
              {name(pair.actor.path)} + {name(pair.critic.path)}{" "}
              <button type="button" title="remove this pair" onClick={() => setForm({ ...form, pairs: form.pairs.filter((_, j) => j !== i) })}>
                ×
              </button>
            </span>
          ))
        )}
        <button type="button" data-testid="experiment-add-pair" title="columns become strategy × model pair" onClick={() => setForm({ ...form, pairs: [...form.pairs, controller.setupPair()] })}>
          + add the run setup's models as a pair
        </button>
      </div>
      <div className="row">
        <input data-testid="experiment-dataset" placeholder="dataset (.jsonl / .json)" value={form.dataset} onChange={(e) => setForm({ ...form, dataset: e.target.value })} />
        <input data-testid="experiment-limit" className="short" placeholder="items" value={form.limit} onChange={(e) => setForm({ ...form, limit: e.target.value })} />
        <input data-testid="experiment-out" placeholder="output folder (empty: a new one)" value={form.out} onChange={(e) => setForm({ ...form, out: e.target.value })} />
        <input data-testid="experiment-concurrency" className="short" placeholder="items at once" value={form.concurrency} onChange={(e) => setForm({ ...form, concurrency: e.target.value })} />
        <input data-testid="experiment-budget" className="short" placeholder="tokens/run cap" title="max total tokens per run (empty: none)" value={form.budget} onChange={(e) => setForm({ ...form, budget: e.target.value })} />
      </div>
      <div className="row small strategy-choices">
        {strategies
          .filter((s) => s.name !== "pipeline")
          .map((s) => (
            <label key={s.name} title={s.summary}>
              <input type="checkbox" data-testid={`experiment-strategy-${s.name}`} checked={form.strategies.includes(s.name)} onChange={() => toggle(s.name)} /> {s.name}
            </label>
          ))}
      </div>
      <div className="row small">
        <input data-testid="experiment-specs" placeholder="more columns: self-consistency:n=8; best-of-n:n=4,temperature=1; @path/to/preset.json" value={form.specs} onChange={(e) => setForm({ specs: e.target.value })} />
      </div>
      <div className="row small">
        <input data-testid="experiment-fields" placeholder="field mapping for other datasets: question=problem, reference=gold, choices=options" value={form.fields} onChange={(e) => setForm({ fields: e.target.value })} />
        <label>
          <input type="checkbox" checked={form.skipMalformed} onChange={(e) => setForm({ ...form, skipMalformed: e.target.checked })} /> skip malformed records
        </label>
        <button type="button" data-testid="experiment-start" onClick={() => void controller.startExperiment(form)}>
          {form.dataset.trim() || !form.out.trim() ? "Start" : "Resume"}
        </button>
      </div>
    </details>
  );
}

function RecentExperiments() {
  const controller = useController();
  const experiments = useAppState((s) => s.experiments);
  const open = useAppState((s) => s.experiment?.path);
  useEffect(() => {
    void controller.refreshExperiments();
  }, [controller]);
  if (!experiments.length) return null;
  return (
    <div className="row small recent-experiments" data-testid="recent-experiments">
      <span>recent:</span>
      {experiments.slice(0, 8).map((e) => (
        <button type="button" key={e.path} className={e.path === open ? "active" : ""} title={`${e.path}\n${e.dataset}\n${e.columns.join(", ")}`} data-testid="recent-experiment" onClick={() => void controller.loadExperiment(e.path)}>
          {e.path.split(/[\\/]/).pop()} · {e.columns.length} columns · {e.done} cells{e.state ? ` · ${e.state}` : ""}
        </button>
      ))}
    </div>
  );
}

export function Compare() {
  const controller = useController();
  const experiment = useAppState((s) => s.experiment);
  const progress = useAppState((s) => (s.experiment ? s.experimentProgress[s.experiment.path] : undefined));
  const [path, setPath] = useState("");
  const [onlyDiffer, setOnlyDiffer] = useState(false);
  const [onlyFailures, setOnlyFailures] = useState(false);
  const [field, setField] = useState({ name: "", value: "" });
  const columns = experiment?.columns ?? [];
  const items = experiment ? [...new Set(experiment.results.map((r) => r.item))].sort((a, b) => a - b) : [];
  const cell = (item: number, column: string) => experiment?.results.find((r) => r.item === item && r.column === column);
  const fieldNames = experiment ? [...new Set(Object.values(experiment.itemFields).flatMap((f) => Object.keys(f)))].sort() : [];
  const fieldValues = experiment && field.name ? [...new Set(Object.values(experiment.itemFields).map((f) => f[field.name]).filter((v): v is string => v !== undefined))].sort() : [];
  const visible = items.filter((item) => {
    const cells = columns.map((c) => cell(item, c));
    if (onlyDiffer && new Set(cells.map((c) => c?.correct)).size < 2) return false;
    if (onlyFailures && !cells.some((c) => c && c.correct !== true)) return false;
    if (field.name && field.value && experiment?.itemFields[item]?.[field.name] !== field.value) return false;
    return true;
  });
  return (
    <div className="compare" data-testid="compare">
      <NewExperiment />
      <CriticEval />
      <div className="row">
        <input data-testid="experiment-path" placeholder="experiment folder (refinery experiment --out …)" value={path} onChange={(e) => setPath(e.target.value)} />
        <button type="button" data-testid="experiment-load" onClick={() => void controller.loadExperiment(path)}>
          Load
        </button>
      </div>
      <Errors where="compare" />
      <RecentExperiments />
      {experiment && (
        <>
          <div className="small muted" data-testid="experiment-where">
            {experiment.path} · dataset {experiment.dataset}
          </div>
          {progress && <Progress progress={progress} />}
          <table className="aggregates" data-testid="compare-aggregates">
            <thead>
              <tr>
                <th>column</th><th>items</th><th>accuracy (95% CI)</th><th>vs baseline</th><th>W/T/L</th><th>p</th><th title="McNemar odds ratio: items only this column got right ÷ items only the baseline got right">odds ratio</th><th>draft → final</th><th>tokens (path / all)</th><th>time</th><th>tokens/s</th>
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
                  <td>{c.versusBaseline ? `${c.versusBaseline.difference >= 0 ? "+" : ""}${fixed(c.versusBaseline.difference * 100, 1)} pts` : "baseline"}</td>
                  <td>{c.versusBaseline ? `${c.versusBaseline.wins}/${c.versusBaseline.ties}/${c.versusBaseline.losses}` : ""}</td>
                  <td>{c.versusBaseline && c.versusBaseline.pValue !== null ? c.versusBaseline.pValue.toPrecision(3) : ""}</td>
                  <td>{c.versusBaseline ? fixed(c.versusBaseline.oddsRatio, 2) : ""}</td>
                  <td title="correct→correct / wrong→correct (fixed) / correct→wrong (harmed) / wrong→wrong">
                    {c.transitions ? `${c.transitions.correctToCorrect} kept · ${c.transitions.wrongToCorrect} fixed · ${c.transitions.correctToWrong} harmed · ${c.transitions.wrongToWrong} wrong` : ""}
                  </td>
                  <td>
                    {fixed(c.meanPathTokens)} / {fixed(c.meanTotalTokens)}
                  </td>
                  <td>{fixed(c.meanWallMs / 1000, 1)} s</td>
                  <td>{fixed(c.tokensPerSecond, 1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="row plots">
            <Plot points={experiment.summary.columns.map((c) => ({ id: c.column, tokens: c.meanTotalTokens, accuracy: c.accuracy }))} frontier={experiment.summary.pareto.map((p) => p.id)} />
            <DynamicsPlot columns={experiment.summary.columns} />
          </div>
          {experiment.summary.budgetMatched.length > 0 && (
            <table className="budget" data-testid="budget-matched" title="anytime accuracy: the answer each run held when it had spent B tokens">
              <thead>
                <tr>
                  <th>at B tokens/item</th>
                  {columns.map((c) => (
                    <th key={c}>{c}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {experiment.summary.budgetMatched.map((row) => (
                  <tr key={row.budget}>
                    <td>{row.budget}</td>
                    {columns.map((c) => (
                      <td key={c}>{pct(row.accuracy[c] ?? Number.NaN)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
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
            {fieldNames.length > 0 && (
              <label>
                field{" "}
                <select data-testid="filter-field" value={field.name} onChange={(e) => setField({ name: e.target.value, value: "" })}>
                  <option value="">(any)</option>
                  {fieldNames.map((name) => (
                    <option key={name}>{name}</option>
                  ))}
                </select>
                {field.name && (
                  <select data-testid="filter-field-value" value={field.value} onChange={(e) => setField({ ...field, value: e.target.value })}>
                    <option value="">(any)</option>
                    {fieldValues.map((value) => (
                      <option key={value}>{value}</option>
                    ))}
                  </select>
                )}
              </label>
            )}
            <span data-testid="grid-count">
              {visible.length} of {items.length} items
            </span>
          </div>
          {experiment.breakdowns
            .filter((b) => b.field === field.name)
            .map((b) => (
              <table key={b.field} className="breakdown" data-testid="field-breakdown">
                <thead>
                  <tr>
                    <th>{b.field}</th>
                    <th>items</th>
                    {columns.map((c) => (
                      <th key={c}>{c}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {b.rows.map((row) => (
                    <tr key={row.value}>
                      <td>{row.value}</td>
                      <td>{row.items}</td>
                      {columns.map((c) => (
                        <td key={c}>{pct(row.accuracy[c] ?? null)}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            ))}
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
                      <td key={column} className={r?.correct ? "ok" : "bad"} data-testid="grid-cell" title={r ? `${r.runId} — open its tree` : ""} onClick={() => r && void controller.openExperimentRun(r.runId)}>
                        {r ? `${r.status === "failed" ? "failed" : r.correct === null ? "?" : r.correct ? "✓" : "✗"} ${r.answer ?? ""}` : ""}
                        {r && (
                          <small>
                            {" "}
                            {r.totalTokens} tok · {(r.wallMs / 1000).toFixed(1)} s
                          </small>
                        )}
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
