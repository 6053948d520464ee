// Starting, resuming, finding and steering experiments: the new-experiment form, the recent experiments, the
// progress line with pause and stop.
import { useEffect } from "react";
import type { ExperimentListing, ExperimentProgressEvent } from "../../../native/protocol/contract.ts";
import { fieldLabel } from "../../../native/protocol/field-labels.ts";
import { fixed } from "../../../native/protocol/format.ts";
import { criticPath } from "../../store/selectors.ts";
import { useAppState, useController } from "../../store/context.tsx";
import { GradingSection } from "./GradingSection.tsx";

export function Progress({ progress }: { progress: ExperimentProgressEvent }) {
  const controller = useController();
  const active = progress.state === "running" || progress.state === "paused";
  return (
    <div className="row small experiment-progress" data-testid="experiment-progress" data-state={progress.state}>
      <progress max={progress.total} value={progress.done} />
      <span data-testid="experiment-progress-text">
        {progress.state} · {progress.done}/{progress.total} cells · {progress.running} running
        {progress.etaSeconds !== null && active ? ` · ${Math.round(progress.etaSeconds)} s left` : ""} · {fixed(progress.tokensPerSecond, 1)} tokens/s ·{" "}
        {progress.cacheHits} cached
        {progress.skippedRecords ? ` · ${progress.skippedRecords} malformed records skipped` : ""}
        {progress.error ? ` · ${progress.error}` : ""}
        {progress.endpoints?.map((e) => (
          <span key={e.endpoint} className="endpoint-progress" data-testid="endpoint-progress">
            {" "}
            · {e.endpoint}: {e.done} done, {e.running} running, {fixed(e.tokensPerSecond, 1)} tokens/s{e.down ? ` (down: ${e.down})` : ""}
          </span>
        ))}
      </span>
      {active && (
        <>
          <button
            type="button"
            data-testid="experiment-pause"
            onClick={() => void controller.controlExperiment(progress.state === "paused" ? "resume" : "pause")}
          >
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
  const toggle = (name: string) =>
    setForm({ strategies: form.strategies.includes(name) ? form.strategies.filter((s) => s !== name) : [...form.strategies, name] });
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
        <button
          type="button"
          data-testid="experiment-add-pair"
          title="columns become strategy × model pair"
          onClick={() => setForm({ ...form, pairs: [...form.pairs, controller.setupPair()] })}
        >
          + add the run setup's models as a pair
        </button>
      </div>
      <div className="row small experiment-fields">
        <label className="wide">
          {fieldLabel("dataset")}
          <input
            data-testid="experiment-dataset"
            placeholder="tasks/gsm8k_test.jsonl"
            value={form.dataset}
            onChange={(e) => setForm({ ...form, dataset: e.target.value })}
          />
        </label>
        <label title="how many items of the dataset, from the first (empty: all)">
          {fieldLabel("limit")}
          <input
            data-testid="experiment-limit"
            className="short"
            placeholder="all"
            value={form.limit}
            onChange={(e) => setForm({ ...form, limit: e.target.value })}
          />
        </label>
        <label className="wide" title="where results go; a folder holding a stopped experiment resumes it">
          {fieldLabel("out")}
          <input
            data-testid="experiment-out"
            placeholder="a new folder next to the runs"
            value={form.out}
            onChange={(e) => setForm({ ...form, out: e.target.value })}
          />
        </label>
        <label title="dataset items run at the same time (empty: the engine decides)">
          {fieldLabel("concurrency")}
          <input
            data-testid="experiment-concurrency"
            className="short"
            placeholder="auto"
            value={form.concurrency}
            onChange={(e) => setForm({ ...form, concurrency: e.target.value })}
          />
        </label>
        <label title="the run stops taking steps once it has spent this many tokens: evaluated prompt + generated tokens, thinking included, over every generation of the run (empty: none)">
          {fieldLabel("maxTotalTokens")}
          <input
            data-testid="experiment-budget"
            className="short"
            placeholder="none"
            value={form.budget}
            onChange={(e) => setForm({ ...form, budget: e.target.value })}
          />
          <span className="small muted" data-testid="experiment-budget-unit">
            evaluated prompt + generated tokens
          </span>
        </label>
        <label title="paper: each strategy's documented temperatures; matched:T: every actor generation at T (critics at their own), except where a procedure requires its value (GLoRe's greedy draft, MCTSr's 0.95)">
          {fieldLabel("sampling")}
          <input
            data-testid="experiment-sampling"
            className="short"
            placeholder="paper"
            value={form.sampling}
            onChange={(e) => setForm({ ...form, sampling: e.target.value })}
          />
        </label>
        <label title="seeds each item and column runs with (seed, seed + 1, …): accuracy is each item's mean over them, intervals resample items with their repeats, and items whose correctness changes with the seed are listed as flaky (empty: 1)">
          {fieldLabel("repeats")}
          <input
            data-testid="experiment-repeats"
            className="short"
            placeholder="1"
            value={form.repeats}
            onChange={(e) => setForm({ ...form, repeats: e.target.value })}
          />
        </label>
        <label title="adds a hidden self-consistency column with this many samples per item, run only to draw the sampling frontier (pass@k and maj@k for every k) that every column is compared with at its own budget; it is not a column of the table or the grid (empty: none)">
          {fieldLabel("frontier")}
          <input
            data-testid="experiment-frontier"
            className="short"
            placeholder="none"
            value={form.frontier}
            onChange={(e) => setForm({ ...form, frontier: e.target.value })}
          />
        </label>
        <label title="the actor's answer budget per generation (empty: the model's default)">
          {fieldLabel("maxTokens")}
          <input
            data-testid="experiment-max-tokens"
            className="short"
            placeholder="default"
            value={form.maxTokens}
            onChange={(e) => setForm({ ...form, maxTokens: e.target.value })}
          />
        </label>
        <label title="the critic's answer budget per generation (empty: the model's default)">
          {fieldLabel("critic.sampling.maxTokens")}
          <input
            data-testid="experiment-critic-max-tokens"
            className="short"
            placeholder="default"
            value={form.criticMaxTokens}
            onChange={(e) => setForm({ ...form, criticMaxTokens: e.target.value })}
          />
        </label>
      </div>
      <div className="row small strategy-choices">
        {strategies
          .filter((s) => s.name !== "pipeline")
          .map((s) => (
            <label key={s.name} title={s.summary}>
              <input type="checkbox" data-testid={`experiment-strategy-${s.name}`} checked={form.strategies.includes(s.name)} onChange={() => toggle(s.name)} />{" "}
              {s.name}
            </label>
          ))}
      </div>
      <div className="row small">
        <label className="wide">
          more columns (strategy:param=value; … or @preset.json)
          <input
            data-testid="experiment-specs"
            placeholder="self-consistency:n=8; best-of-n:n=4,temperature=1; @path/to/preset.json"
            value={form.specs}
            onChange={(e) => setForm({ specs: e.target.value })}
          />
        </label>
      </div>
      <GradingSection strategies={form.strategies} />
      <div className="row small">
        <label className="wide">
          field mapping for other datasets (name=field, …)
          <input
            data-testid="experiment-fields"
            placeholder="question=problem, reference=gold, choices=options"
            value={form.fields}
            onChange={(e) => setForm({ fields: e.target.value })}
          />
        </label>
        <label className="inline">
          <input type="checkbox" checked={form.skipMalformed} onChange={(e) => setForm({ ...form, skipMalformed: e.target.checked })} /> skip malformed records
        </label>
        <button type="button" data-testid="experiment-start" onClick={() => void controller.startExperiment(form)}>
          {form.dataset.trim() || !form.out.trim() ? "Start" : "Resume"}
        </button>
      </div>
    </details>
  );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * "from-ui · 4 columns · 7/16 cells · paused": while this engine runs one, its live progress (the listing is
 * read when the experiment starts and ends), else the checkpoint's count.
 */
export function recentText(e: ExperimentListing, live?: ExperimentProgressEvent): string {
  const done = live ? live.done : e.done;
  const total = live?.total ?? e.total;
  const state = live?.state ?? e.state;
  const cells = total ? `${done}/${total} cells` : plural(done, "cell");
  return `${e.path.split(/[\\/]/).pop()} · ${plural(e.columns.length, "column")} · ${cells}${state ? ` · ${state}` : ""}`;
}

export function RecentExperiments() {
  const controller = useController();
  const experiments = useAppState((s) => s.experiments);
  const open = useAppState((s) => s.experiment?.path);
  const progress = useAppState((s) => s.experimentProgress);
  useEffect(() => {
    void controller.refreshExperiments();
  }, [controller]);
  if (!experiments.length) return null;
  return (
    <div className="row small recent-experiments" data-testid="recent-experiments">
      <span>recent:</span>
      {experiments.slice(0, 8).map((e) => (
        <button
          type="button"
          key={e.path}
          className={e.path === open ? "active" : ""}
          title={`${e.path}\n${e.dataset}\n${e.columns.join(", ")}`}
          data-testid="recent-experiment"
          onClick={() => void controller.loadExperiment(e.path)}
        >
          {recentText(e, progress[e.path])}
        </button>
      ))}
    </div>
  );
}
