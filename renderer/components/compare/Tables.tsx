// The compare view's tables: per-column aggregates against the baseline, budget-matched accuracy, and accuracy
// by the values of one dataset field.
import { measureLabel } from "../../../native/protocol/plot-geometry.ts";
import { roleSamplingLabel } from "../../../native/protocol/sampling-policy.ts";
import { CUT_REASONS, cutBeforeRevisionWords, STOP_REASON_LABELS, type StopReason } from "../../../native/protocol/stop-reason.ts";
import type { ExperimentSummary, FieldBreakdown } from "../../../native/protocol/experiment-results.ts";
import { fixed, pct } from "../../../native/protocol/format.ts";
import { describeJudged } from "../../../native/protocol/judged-format.ts";
import { flakyWords, signWords } from "../../../native/protocol/repeat-words.ts";

/** "3 of 10 token budget · 1 answer cut at max tokens": the cells a budget or a limit stopped, when any. */
function stopsLine(c: ExperimentSummary["columns"][number], repeats: number): string {
  return Object.entries(c.stops)
    .filter(([reason]) => CUT_REASONS.has(reason as StopReason))
    .map(([reason, count]) => `${count} of ${c.items * repeats} stopped by ${STOP_REASON_LABELS[reason as StopReason]}`)
    .join(" · ");
}

export function AggregatesTable({ summary }: { summary: ExperimentSummary }) {
  const repeats = summary.repeats ?? 1;
  return (
    <table className="aggregates" data-testid="compare-aggregates">
      <thead>
        <tr>
          <th>column</th>
          <th>items</th>
          <th
            title={
              repeats > 1
                ? `each item's accuracy over its ${repeats} seeds, averaged; the interval resamples items with all their seeds`
                : "Wilson 95% interval"
            }
          >
            accuracy (95% CI)
          </th>
          <th>vs baseline</th>
          <th>W/T/L</th>
          <th>p</th>
          <th title="McNemar odds ratio: items only this column got right ÷ items only the baseline got right">odds ratio</th>
          <th>draft → final</th>
          <th title="the sampling frontier's maj@k read at this column's own tokens per item; paired bootstrap 95% interval">vs sampling at its budget</th>
          <th>tokens (path / all)</th>
          <th title="thought tokens per item, part of the cost">thinking</th>
          <th>time</th>
          <th>tokens/s</th>
        </tr>
      </thead>
      <tbody>
        {summary.columns.map((c) => (
          <tr key={c.column} data-testid="aggregate-row" data-column={c.column}>
            <td>
              {c.column}
              {c.oracle ? <em title="the runs used what grades them (reference answers or grading tests)"> (oracle: upper bound)</em> : null}
              {c.warning ? (
                <div className="warning small" data-testid="column-warning">
                  ⚠ {c.warning}
                </div>
              ) : null}
              {stopsLine(c, repeats) ? <div className="small muted">{stopsLine(c, repeats)}</div> : null}
              {c.cutBeforeRevision ? (
                <div className="small muted" data-testid="column-cut-before-revision">
                  {cutBeforeRevisionWords(c.cutBeforeRevision, c.items * repeats, c.cutBeforeRevisionBy ?? [])}
                </div>
              ) : null}
              {c.flaky?.length ? (
                <div className="small muted" data-testid="column-flaky" title={c.flaky.join(", ")}>
                  {flakyWords(c.flaky, c.items)}
                </div>
              ) : null}
              {c.sampling ? (
                <div className="small muted" data-testid="column-sampling" title={`seeds: ${c.sampling.seedRule}`}>
                  {c.sampling.policy} · actor {roleSamplingLabel(c.sampling.actor)} · critic {roleSamplingLabel(c.sampling.critic)}
                </div>
              ) : null}
              {c.judged ? (
                <div className="small" data-testid="column-judged" title="judge models' verdicts: each cell's tree holds them as judge nodes">
                  {describeJudged(c.judged)}
                </div>
              ) : null}
            </td>
            <td>{c.items}</td>
            <td>
              {pct(c.accuracy)} ({pct(c.interval[0])}–{pct(c.interval[1])})
            </td>
            <td
              title={
                c.versusBaseline
                  ? `paired bootstrap 95% interval: ${fixed(c.versusBaseline.differenceInterval[0] * 100, 1)} to ${fixed(c.versusBaseline.differenceInterval[1] * 100, 1)} pts`
                  : undefined
              }
            >
              {c.versusBaseline ? `${c.versusBaseline.difference >= 0 ? "+" : ""}${fixed(c.versusBaseline.difference * 100, 1)} pts` : "baseline"}
              {c.versusBaseline?.perRepeat ? (
                <div className="small muted" data-testid="sign-by-seed">
                  {signWords(c.versusBaseline.perRepeat)}
                </div>
              ) : null}
            </td>
            <td>{c.versusBaseline ? `${c.versusBaseline.wins}/${c.versusBaseline.ties}/${c.versusBaseline.losses}` : ""}</td>
            <td>{c.versusBaseline && c.versusBaseline.pValue !== null ? c.versusBaseline.pValue.toPrecision(3) : ""}</td>
            <td>{c.versusBaseline ? fixed(c.versusBaseline.oddsRatio, 2) : ""}</td>
            <td title="correct→correct / wrong→correct (fixed) / correct→wrong (harmed) / wrong→wrong">
              {c.transitions
                ? `${c.transitions.correctToCorrect} kept · ${c.transitions.wrongToCorrect} fixed · ${c.transitions.correctToWrong} harmed · ${c.transitions.wrongToWrong} wrong`
                : ""}
            </td>
            <td
              data-testid="versus-frontier"
              title={
                c.versusFrontier
                  ? `${c.versusFrontier.frontierColumn} maj@k at ${fixed(c.versusFrontier.budget)} tokens: ${pct(c.versusFrontier.frontierAccuracy)}; paired bootstrap 95% interval ${fixed(c.versusFrontier.differenceInterval[0] * 100, 1)} to ${fixed(c.versusFrontier.differenceInterval[1] * 100, 1)} pts`
                  : undefined
              }
            >
              {c.versusFrontier ? `${c.versusFrontier.difference >= 0 ? "+" : ""}${fixed(c.versusFrontier.difference * 100, 1)} pts` : ""}
              {c.versusFrontier?.perRepeat ? <div className="small muted">{signWords(c.versusFrontier.perRepeat)}</div> : null}
            </td>
            <td>
              {fixed(c.meanPathTokens)} / {fixed(c.meanTotalTokens)}
            </td>
            <td data-testid="thought-tokens">{fixed(c.meanThoughtTokens ?? 0)}</td>
            <td>{fixed(c.meanWallMs / 1000, 1)} s</td>
            <td>{fixed(c.tokensPerSecond, 1)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Anytime accuracy: the answer each run held when it had spent B tokens. */
export function BudgetTable({ summary, columns }: { summary: ExperimentSummary; columns: readonly string[] }) {
  if (!summary.budgetMatched.length) return null;
  const sampling = summary.frontier.length > 0;
  return (
    <table className="budget" data-testid="budget-matched" title="anytime accuracy: the answer each run held when it had spent B tokens">
      <thead>
        <tr>
          <th>at B tokens/item</th>
          {columns.map((c) => (
            <th key={c}>{c}</th>
          ))}
          {sampling ? (
            <th title="the best of maj@k, weighted vote@k and best-of-k read at B (pass@k is an oracle: left out)">best sampling at this budget</th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {summary.budgetMatched.map((row) => (
          <tr key={row.budget}>
            <td>{row.budget}</td>
            {columns.map((c) => (
              <td key={c}>{pct(row.accuracy[c] ?? Number.NaN)}</td>
            ))}
            {sampling ? (
              <td data-testid="best-sampling">
                {row.bestSampling ? `${pct(row.bestSampling.accuracy)} (${row.bestSampling.column} ${measureLabel(row.bestSampling.measure)})` : ""}
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function BreakdownTable({ breakdown, columns }: { breakdown: FieldBreakdown; columns: readonly string[] }) {
  return (
    <table className="breakdown" data-testid="field-breakdown">
      <thead>
        <tr>
          <th>{breakdown.field}</th>
          <th>items</th>
          {columns.map((c) => (
            <th key={c}>{c}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {breakdown.rows.map((row) => (
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
  );
}
