// Starting, resuming, finding and steering experiments: the new-experiment form, the recent experiments, the
// progress line with pause and stop.
import { useEffect } from "react";
import type { ExperimentProgressEvent } from "../../../native/protocol/contract.ts";
import { fixed } from "../../../native/protocol/format.ts";
import { criticPath } from "../../store/selectors.ts";
import { useAppState, useController } from "../../store/context.tsx";

export function Progress({ progress }: { progress: ExperimentProgressEvent }) {
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

export function NewExperiment() {
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
            the run setup's — actor {name(setup.actorPath)}, critic {name(criticPath(setup))}
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

export function RecentExperiments() {
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
