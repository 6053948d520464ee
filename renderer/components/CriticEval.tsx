// Critic evaluation in the compare tab: the run setup's critic on ProcessBench (earliest wrong step: accuracy on
// erroneous and on correct items, F1) or RealCritic (closed loop: accuracy before → after the critique and the
// transition matrix; stored solutions = cross-critique, the actor's own = self-critique when one file). Each
// finished evaluation lists its rows; a row opens as a tree (the solution and the critique the critic wrote).
import type { CriticEvalRow } from "../../native/protocol/contract.ts";
import { pct } from "../../native/protocol/format.ts";
import { useAppState, useController } from "../store/context.tsx";
import { FileLinks } from "./compare/ExportReport.tsx";

export function CriticEval() {
  const controller = useController();
  const form = useAppState((s) => s.criticEvalForm);
  const update = useAppState((s) => s.updateCriticEvalForm);
  const setup = useAppState((s) => s.setup);
  // Select the record itself: a fresh array from the selector would re-render forever.
  const evaluations = Object.values(useAppState((s) => s.criticEvals));
  const critic = setup.criticPath || setup.actorPath;
  return (
    <details className="critic-eval" data-testid="critic-eval">
      <summary>Evaluate the critic ({critic.split(/[\\/]/).pop() || "choose one in the run setup"})</summary>
      <div className="row small critic-eval-fields">
        <label>
          benchmark
          <select data-testid="critic-eval-mode" value={form.mode} onChange={(e) => update({ mode: e.target.value as typeof form.mode })}>
            <option value="processbench">ProcessBench (earliest wrong step)</option>
            <option value="realcritic">RealCritic (closed-loop correction)</option>
          </select>
        </label>
        <label className="wide">
          dataset file
          <input
            data-testid="critic-eval-dataset"
            placeholder={form.mode === "processbench" ? "processbench/gsm8k.json" : "realcritic/gsm8k.jsonl"}
            value={form.dataset}
            onChange={(e) => update({ dataset: e.target.value })}
          />
        </label>
        <label title="how many items, from the first (empty: all)">
          items (empty: all)
          <input data-testid="critic-eval-limit" className="short" placeholder="all" value={form.limit} onChange={(e) => update({ limit: e.target.value })} />
        </label>
        <label title="max tokens per critique (empty: the default)">
          max tokens
          <input
            data-testid="critic-eval-max-tokens"
            className="short"
            placeholder="default"
            value={form.maxTokens}
            onChange={(e) => update({ maxTokens: e.target.value })}
          />
        </label>
        {form.mode === "realcritic" && (
          <label className="inline" title="the actor writes each solution first; self-critique when actor and critic are the same file">
            <input type="checkbox" checked={form.actorSolves} onChange={(e) => update({ actorSolves: e.target.checked })} /> actor's own solutions
          </label>
        )}
        <label
          className="inline"
          title="the critic re-reads each verdict with the solution and revises it (SPARK's meta-critique); costs a second critique turn"
        >
          <input
            type="checkbox"
            data-testid="critic-eval-meta-critique"
            checked={form.metaCritique}
            onChange={(e) => update({ metaCritique: e.target.checked })}
          />{" "}
          meta-critique
        </label>
        <button type="button" data-testid="critic-eval-start" onClick={() => void controller.startCriticEval()}>
          Evaluate
        </button>
      </div>
      {evaluations.length > 0 && (
        <table className="critic-evals" data-testid="critic-eval-results">
          <thead>
            <tr>
              <th>mode</th>
              <th>dataset</th>
              <th>progress</th>
              <th>result</th>
            </tr>
          </thead>
          <tbody>
            {evaluations.map((e) => (
              <tr key={e.evalId} data-testid="critic-eval-row" data-state={e.state}>
                <td>
                  {e.mode === "processbench"
                    ? "ProcessBench"
                    : `RealCritic${e.realcritic ? (e.realcritic.solver === "actor" ? " (actor's solutions)" : " (stored solutions)") : ""}`}
                </td>
                <td title={e.dataset}>{e.dataset.split(/[\\/]/).slice(-2).join("/")}</td>
                <td>
                  <progress max={e.total} value={e.done} /> {e.done}/{e.total} · {e.state}
                  {e.state === "running" && (
                    <>
                      {" "}
                      <button type="button" data-testid="critic-eval-cancel" onClick={() => void controller.cancelCriticEval(e.evalId)}>
                        Cancel
                      </button>
                    </>
                  )}
                </td>
                <td data-testid="critic-eval-summary">
                  {e.processbench &&
                    `erroneous ${pct(e.processbench.erroneousAccuracy)} · correct ${pct(e.processbench.correctAccuracy)} · F1 ${pct(e.processbench.f1)} · ${e.processbench.unparseable} unparseable`}
                  {e.realcritic &&
                    `${pct(e.realcritic.accuracyBefore)} → ${pct(e.realcritic.accuracyAfter)} · kept ${e.realcritic.transitions.correctToCorrect} · fixed ${e.realcritic.transitions.wrongToCorrect} · harmed ${e.realcritic.transitions.correctToWrong} · still wrong ${e.realcritic.transitions.wrongToWrong}`}
                  {e.error && <span className="error-text">{e.error}</span>}
                  {e.resultPath && (
                    <div className="muted">
                      rows in {e.resultPath} <FileLinks path={e.resultPath} />
                    </div>
                  )}
                  {e.rows && e.folder && <CriticEvalRows rows={e.rows} folder={e.folder} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}

/** Every row of a finished evaluation: how the critic did, why its verdict was unreadable, and a link to its tree. */
function CriticEvalRows({ rows, folder }: { rows: CriticEvalRow[]; folder: string }) {
  const controller = useController();
  return (
    <details className="critic-eval-items" data-testid="critic-eval-items">
      <summary>
        {rows.length} items, each as a tree ({rows.filter((r) => r.unparseable).length} unreadable verdicts)
      </summary>
      <ol>
        {rows.map((row) => (
          <li key={row.runId} data-testid="critic-eval-item" data-correct={row.correct}>
            <button
              type="button"
              className="node-link"
              data-testid="critic-eval-item-open"
              onClick={() => void controller.openCriticEvalRun(row.runId, folder)}
            >
              {row.item}
            </button>{" "}
            {row.correct ? "✓" : "✗"} {row.outcome}
            {row.unparseable && <span className="muted"> · unreadable: {row.unparseable}</span>}
          </li>
        ))}
      </ol>
    </details>
  );
}
