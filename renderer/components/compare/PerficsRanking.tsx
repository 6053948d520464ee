// The compare view's cost-aware ranking (PeRFICS): the columns ranked by quality after refinement, gain over the
// draft and cost, with weights the user sets or takes from a preset. The arithmetic is native/protocol/perfics.ts,
// the same the HTML report ranks with.
import { useMemo, useState } from "react";
import type { ExperimentSummary } from "../../../native/protocol/experiment-results.ts";
import { fixed } from "../../../native/protocol/format.ts";
import {
  checkPerficsWeights,
  formatPerficsCost,
  PERFICS_COST_LABELS,
  PERFICS_COSTS,
  PERFICS_PRESETS,
  PERFICS_RULE,
  type PerficsCost,
  type PerficsPreset,
  type PerficsWeights,
  perficsInputs,
  rankPerfics,
} from "../../../native/protocol/perfics.ts";

type WeightKey = "quality" | "gain" | "cost";
const PRESETS = Object.keys(PERFICS_PRESETS) as PerficsPreset[];

/** The preset whose weights these are, or null once the user changed one. */
function presetOf(weights: PerficsWeights): PerficsPreset | null {
  return (
    PRESETS.find((name) => {
      const p = PERFICS_PRESETS[name];
      return p.quality === weights.quality && p.gain === weights.gain && p.cost === weights.cost && p.costMeasure === weights.costMeasure;
    }) ?? null
  );
}

export function PerficsRanking({ summary, plannedMemory }: { summary: ExperimentSummary; plannedMemory: Readonly<Record<string, number>> }) {
  const [weights, setWeights] = useState<PerficsWeights>({ ...PERFICS_PRESETS["batch job"] });
  // Typed text per weight, so a half-typed "0." is kept while the ranking uses the last number that parsed.
  const [typed, setTyped] = useState<Record<WeightKey, string>>({ quality: "0.6", gain: "0.2", cost: "0.2" });
  const refusal = checkPerficsWeights(weights);
  const ranking = useMemo(() => {
    if (refusal) return null;
    try {
      return { value: rankPerfics(perficsInputs(summary.columns, plannedMemory), weights), error: null };
    } catch (error) {
      return { value: null, error: (error as Error).message };
    }
  }, [summary, plannedMemory, weights, refusal]);
  if (summary.columns.length < 2) return null;
  const choosePreset = (name: PerficsPreset) => {
    const p = PERFICS_PRESETS[name];
    setWeights({ ...p });
    setTyped({ quality: String(p.quality), gain: String(p.gain), cost: String(p.cost) });
  };
  const setWeight = (key: WeightKey, text: string) => {
    setTyped({ ...typed, [key]: text });
    setWeights({ ...weights, [key]: text.trim() === "" ? Number.NaN : Number(text) });
  };
  const preset = presetOf(weights);
  return (
    <details className="perfics" open data-testid="perfics">
      <summary>Cost-aware ranking (PeRFICS)</summary>
      <div className="row small">
        <label>
          preset
          <select data-testid="perfics-preset" value={preset ?? ""} onChange={(e) => e.target.value && choosePreset(e.target.value as PerficsPreset)}>
            {preset === null && <option value="">(your weights)</option>}
            {PRESETS.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        {(["quality", "gain", "cost"] as const).map((key) => (
          <label key={key} title={key === "gain" ? "quality after refinement − the first draft's" : key === "cost" ? "cheaper is better" : "after refinement"}>
            {key} weight
            <input data-testid={`perfics-weight-${key}`} className="short" value={typed[key]} onChange={(e) => setWeight(key, e.target.value)} />
          </label>
        ))}
        <label>
          cost in
          <select
            data-testid="perfics-cost"
            value={weights.costMeasure}
            onChange={(e) => setWeights({ ...weights, costMeasure: e.target.value as PerficsCost })}
          >
            {PERFICS_COSTS.map((measure) => (
              <option key={measure} value={measure}>
                {PERFICS_COST_LABELS[measure]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="small muted">{PERFICS_RULE}.</div>
      {(refusal ?? ranking?.error) && (
        <div className="error inline" data-testid="perfics-error">
          {refusal ?? ranking?.error}
        </div>
      )}
      {ranking?.value && (
        <>
          {ranking.value.note && (
            <div className="small muted" data-testid="perfics-note">
              {ranking.value.note}
            </div>
          )}
          <table className="perfics-table" data-testid="perfics-table">
            <thead>
              <tr>
                <th>rank</th>
                <th>column</th>
                <th title="weighted mean of the normalised terms, 0–1">score</th>
                <th>quality (term)</th>
                <th>gain over draft (term)</th>
                <th>{PERFICS_COST_LABELS[weights.costMeasure]} (term)</th>
              </tr>
            </thead>
            <tbody>
              {ranking.value.rows.map((row) => (
                <tr key={row.column} data-testid="perfics-row" data-column={row.column} data-rank={row.rank}>
                  <td>#{row.rank}</td>
                  <td>{row.column}</td>
                  <td data-testid="perfics-score">{fixed(row.score, 3)}</td>
                  <td>{fixed(row.terms.quality, 2)}</td>
                  <td>{row.gain === null ? "–" : `${row.gain >= 0 ? "+" : ""}${fixed(row.gain * 100, 1)} pts (${fixed(row.terms.gain, 2)})`}</td>
                  <td>
                    {formatPerficsCost(row.cost, weights.costMeasure)} ({fixed(row.terms.cost, 2)})
                  </td>
                </tr>
              ))}
              {ranking.value.unranked.map((u) => (
                <tr key={u.column} data-testid="perfics-unranked" data-column={u.column}>
                  <td>–</td>
                  <td>{u.column}</td>
                  <td colSpan={4} className="muted">
                    {u.reason}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </details>
  );
}
