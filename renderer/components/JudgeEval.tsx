// "Evaluate a judge" in the compare tab, beside "Evaluate the critic": a judge model against a human-labelled file
// (LLMBar or PandaLM preferences, FED ratings, MetaCritique's claim labels, or a plain file) before its verdicts are
// trusted in an experiment. Each finished evaluation shows agreement with people (accuracy and Cohen's κ, or
// Spearman's ρ and MAE for ratings), the judge's position-flip rate and its length bias.
import { JUDGE_EVAL_MODES, type JudgeEvalMode, judgeFigureParts } from "../../native/protocol/judge-agreement.ts";
import { useAppState, useController } from "../store/context.tsx";
import { useJudging } from "../store/use-judging.ts";
import { criticPath } from "../store/selectors.ts";
import { FileLinks } from "./compare/ExportReport.tsx";
import { endpointSpecExamples } from "../../native/protocol/model-spec.ts";

const MODE_LABELS: Record<JudgeEvalMode | "", string> = {
  "": "read from the file",
  pairwise: "pairwise preferences (LLMBar, PandaLM)",
  score: "ratings (FED)",
  claims: "claims (MetaCritique)",
};

export function JudgeEval() {
  const controller = useController();
  const form = useJudging((s) => s.judgeEvalForm);
  const update = useJudging((s) => s.updateJudgeEvalForm);
  // Select the record itself: a fresh array from the selector would re-render forever.
  const evaluations = Object.values(useJudging((s) => s.judgeEvals));
  const setupCritic = useAppState((s) => criticPath(s.setup));
  const library = useAppState((s) => s.library);
  return (
    <details className="judge-eval" data-testid="judge-eval">
      <summary>Evaluate a judge against people</summary>
      <datalist id="judge-eval-models">
        {library.map((m) => (
          <option key={m.path} value={m.path}>
            {m.name}
          </option>
        ))}
      </datalist>
      <div className="row small judge-eval-fields">
        <label className="wide">
          judge model
          <input
            data-testid="judge-eval-judge"
            list="judge-eval-models"
            placeholder={setupCritic || `a .gguf file or ${endpointSpecExamples()}`}
            value={form.judge}
            onChange={(e) => update({ judge: e.target.value })}
          />
        </label>
        <label className="wide">
          human-labelled file
          <input
            data-testid="judge-eval-dataset"
            placeholder="LLMBar/Natural/dataset.json"
            value={form.dataset}
            onChange={(e) => update({ dataset: e.target.value })}
          />
        </label>
        <label>
          labels
          <select data-testid="judge-eval-mode" value={form.mode} onChange={(e) => update({ mode: e.target.value as JudgeEvalMode | "" })}>
            {(["", ...JUDGE_EVAL_MODES] as const).map((mode) => (
              <option key={mode} value={mode}>
                {MODE_LABELS[mode]}
              </option>
            ))}
          </select>
        </label>
        <label title="how many labelled items, from the first (empty: all)">
          items (empty: all)
          <input data-testid="judge-eval-limit" className="short" placeholder="all" value={form.limit} onChange={(e) => update({ limit: e.target.value })} />
        </label>
        <label title="each judge call's answer budget, reasoning included (empty: the default)">
          max tokens
          <input
            data-testid="judge-eval-max-tokens"
            className="short"
            placeholder="default"
            value={form.maxTokens}
            onChange={(e) => update({ maxTokens: e.target.value })}
          />
        </label>
        <button
          type="button"
          data-testid="judge-eval-start"
          onClick={() => {
            // An empty field takes the run setup's critic, which the placeholder shows.
            if (!form.judge.trim() && setupCritic) update({ judge: setupCritic });
            void controller.startJudgeEval();
          }}
        >
          Evaluate
        </button>
      </div>
      {evaluations.length > 0 && (
        <table className="judge-evals" data-testid="judge-eval-results">
          <thead>
            <tr>
              <th>judge</th>
              <th>labels</th>
              <th>progress</th>
              <th>against people</th>
            </tr>
          </thead>
          <tbody>
            {evaluations.map((e) => (
              <tr key={e.evalId} data-testid="judge-eval-row" data-state={e.state}>
                <td>{e.judge}</td>
                <td title={e.dataset}>
                  {e.dataset.split(/[\\/]/).slice(-2).join("/")}
                  {e.figures && <div className="muted">{e.figures.format}</div>}
                </td>
                <td>
                  <progress max={e.total} value={e.done} /> {e.done}/{e.total} · {e.state}
                  {e.state === "running" && (
                    <>
                      {" "}
                      <button type="button" data-testid="judge-eval-cancel" onClick={() => void controller.cancelJudgeEval(e.evalId)}>
                        Cancel
                      </button>
                    </>
                  )}
                </td>
                <td data-testid="judge-eval-summary">
                  {e.figures && (
                    <ul className="judge-figures">
                      {judgeFigureParts(e.figures).map((part) => (
                        <li key={part.key} data-testid="judge-eval-figure" data-figure={part.key}>
                          {part.label}: <b>{part.value}</b>
                        </li>
                      ))}
                    </ul>
                  )}
                  {e.error && <span className="error-text">{e.error}</span>}
                  {e.resultPath && (
                    <div className="muted">
                      rows in {e.resultPath} <FileLinks path={e.resultPath} />
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}
