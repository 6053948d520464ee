// The compare view's two plots, drawn from the geometry the HTML report uses (native/protocol/plot-geometry.ts).
import type { ExperimentSummary } from "../../../native/protocol/experiment-results.ts";
import { pct } from "../../../native/protocol/format.ts";
import { costPlot, difficultyMultiples, dynamicsPlot, LABEL_FONT, polylinePoints, type Axes, type PlotFrame } from "../../../native/protocol/plot-geometry.ts";

const FRAME: PlotFrame = { width: 350, height: 220, left: 40, right: 20, top: 20, bottom: 30 };
/** Wider on the left: its y ticks read "score · accuracy". */
const DYNAMICS_FRAME: PlotFrame = { ...FRAME, left: 60 };

function AxesLines({ axes, label, frame }: { axes: Axes; label: string; frame: PlotFrame }) {
  const { origin } = axes;
  return (
    <>
      <line x1={origin.x} y1={origin.y} x2={axes.xEnd} y2={origin.y} stroke="#888" />
      <line x1={origin.x} y1={axes.yEnd} x2={origin.x} y2={origin.y} stroke="#888" />
      {axes.xTicks.map((t) => (
        <text key={`x${t.at}`} x={t.at} y={origin.y + 12} textAnchor="middle" fontSize={9} className="tick">
          {t.label}
        </text>
      ))}
      {axes.yTicks.map((t) => (
        <text key={`y${t.at}`} x={origin.x - 4} y={t.at + 3} textAnchor="end" fontSize={9} className="tick">
          {t.label}
        </text>
      ))}
      <text x={frame.width / 2} y={frame.height - 2} textAnchor="middle" fontSize={11}>
        {label}
      </text>
    </>
  );
}

/**
 * Accuracy against mean tokens per item, each column a point with its Wilson interval, the Pareto frontier dashed;
 * with a sampling column, its pass@k (an oracle) and maj@k curves over k on a log token axis.
 */
export function CostPlot({ summary }: { summary: ExperimentSummary }) {
  const plot = costPlot(
    summary.columns.map((c) => ({ id: c.column, tokens: c.meanTotalTokens, accuracy: c.accuracy, interval: c.interval })),
    summary.pareto.map((p) => p.id),
    FRAME,
    summary.frontier,
  );
  return (
    <div className="cost">
      <svg width={FRAME.width} height={FRAME.height} data-testid="compare-plot" className="compare-plot">
        <AxesLines axes={plot.axes} label={`mean tokens per item${plot.logScale ? " (log)" : ""} (Pareto frontier dashed)`} frame={FRAME} />
        {plot.curves.map((line) => (
          <polyline
            key={`${line.column}-${line.measure}`}
            points={polylinePoints(line.points)}
            fill="none"
            stroke={line.colour}
            strokeWidth={line.measure === "passAtK" ? 1.5 : 2}
            strokeDasharray={line.dash || undefined}
            data-testid="frontier-curve"
            data-measure={line.measure}
          >
            <title>{line.label}</title>
          </polyline>
        ))}
        <polyline points={polylinePoints(plot.frontier)} fill="none" stroke="#2f6fde" strokeDasharray="4 3" strokeWidth={2} />
        {plot.points.map((p) => (
          <g key={p.id}>
            {p.whisker ? (
              <line x1={p.x} x2={p.x} y1={p.whisker.top} y2={p.whisker.bottom} stroke={p.colour} strokeWidth={1.5} data-testid="plot-interval" />
            ) : null}
            <circle cx={p.x} cy={p.y} r={5} fill={p.colour} data-column={p.id} />
            <text x={p.label.x} y={p.label.y} fontSize={LABEL_FONT} textAnchor={p.label.anchor} fill={p.colour} data-testid="plot-label">
              {p.label.text}
            </text>
          </g>
        ))}
      </svg>
      <Legend entries={plot.points.map((p) => ({ column: p.id, colour: p.colour }))} />
      {plot.curves.length ? (
        <div className="legend small" data-testid="frontier-legend">
          {plot.curves.map((line) => (
            <span key={`${line.column}-${line.measure}`} style={{ color: line.colour }}>
              <svg width={22} height={8} aria-hidden="true">
                <line x1={0} x2={22} y1={4} y2={4} stroke={line.colour} strokeWidth={2} strokeDasharray={line.dash || undefined} />
              </svg>{" "}
              {line.label}
            </span>
          ))}
        </div>
      ) : null}
    </div>
  );
}

function Legend({ entries }: { entries: ReadonlyArray<{ column: string; colour: string }> }) {
  return (
    <div className="legend small" data-testid="plot-legend">
      {entries.map((e) => (
        <span key={e.column} style={{ color: e.colour }} data-column={e.column} data-colour={e.colour}>
          ■ {e.column}
        </span>
      ))}
    </div>
  );
}

/** Mean critic score (solid, 0–10) and accuracy (dashed) of the k-th candidate of each column's runs. */
export function DynamicsPlot({ columns }: { columns: ExperimentSummary["columns"] }) {
  const plot = dynamicsPlot(columns, DYNAMICS_FRAME);
  return (
    <div className="dynamics">
      <svg width={DYNAMICS_FRAME.width} height={DYNAMICS_FRAME.height} data-testid="dynamics-plot" className="compare-plot">
        <AxesLines axes={plot.axes} label="candidate k (score solid, accuracy dashed)" frame={DYNAMICS_FRAME} />
        {plot.lines.map((line) => (
          <g key={line.column}>
            <polyline points={polylinePoints(line.accuracy)} fill="none" stroke={line.colour} strokeDasharray="5 3" strokeWidth={2} />
            <polyline points={polylinePoints(line.score)} fill="none" stroke={line.colour} strokeWidth={2} />
            {line.dots.map((d) => (
              <circle key={`${d.x}`} cx={d.x} cy={d.y} r={3} fill={line.colour}>
                <title>{d.title}</title>
              </circle>
            ))}
          </g>
        ))}
      </svg>
      <Legend entries={plot.lines} />
    </div>
  );
}

const MULTIPLE_FRAME: PlotFrame = { width: 110, height: 70, left: 4, right: 4, top: 6, bottom: 4 };

/** One small bar chart per difficulty bin (each column's accuracy there) and the cross-fitted per-bin choice. */
export function DifficultyPanel({ summary }: { summary: ExperimentSummary }) {
  const panel = summary.difficulty;
  if (!panel) return null;
  const columns = summary.columns.map((c) => c.column);
  const multiples = difficultyMultiples(panel.bins, columns, MULTIPLE_FRAME);
  return (
    <div className="difficulty" data-testid="difficulty-panel">
      <div className="small muted">
        Accuracy by difficulty: items binned by {panel.basis} (edges {panel.edges.join(", ")})
      </div>
      <div className="row">
        {multiples.map((m) => (
          <figure key={m.label} data-testid="difficulty-bin" data-bin={m.label}>
            <svg width={MULTIPLE_FRAME.width} height={MULTIPLE_FRAME.height} className="compare-plot">
              <rect x={0} y={0} width={MULTIPLE_FRAME.width} height={MULTIPLE_FRAME.height} fill="none" stroke="#d9dde4" />
              {m.bars.map((b) => (
                <rect key={b.column} x={b.x} y={b.y} width={b.width} height={b.height} fill={b.colour}>
                  <title>{b.title}</title>
                </rect>
              ))}
            </svg>
            <figcaption className="small">
              {m.label} · {m.items} items
            </figcaption>
          </figure>
        ))}
      </div>
      {panel.choice.map((c) => (
        <div key={c.budget} className="small" data-testid="difficulty-choice">
          choose per difficulty at ≤ {c.budget} tokens/item: {pct(c.accuracy)} cross-fitted (
          {Object.entries(c.columns)
            .map(([bin, column]) => `${bin} → ${column}`)
            .join(", ")}
          )
        </div>
      ))}
    </div>
  );
}
