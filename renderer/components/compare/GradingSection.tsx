// The experiment form's Grading section: the checker (answers against the reference or tests) or judge models
// grading each cell's answer after the cells ran — a checklist, a 1–10 rubric, or pairwise against a baseline
// column or the reference, in both orders. Several judges make a jury. What it sends is what the CLI's --grader,
// --judge, --baseline and --judge-max-tokens send.
import { useAppState } from "../../store/context.tsx";
import { GRADERS, type GraderChoice } from "../../store/judging.ts";
import { useJudging } from "../../store/use-judging.ts";
import { criticPath } from "../../store/selectors.ts";
import { endpointSpecExamples } from "../../../native/protocol/model-spec.ts";

const GRADER_LABELS: Record<GraderChoice, string> = {
  checker: "checker (reference answers or tests)",
  checklist: "checklist (judges answer each criterion)",
  rubric: "rubric (judges rate 1–10)",
  pairwise: "pairwise (against a baseline, both orders)",
};

export function GradingSection({ strategies }: { strategies: readonly string[] }) {
  const grading = useJudging((s) => s.grading);
  const update = useJudging((s) => s.updateGrading);
  const library = useAppState((s) => s.library);
  const setup = useAppState((s) => s.setup);
  const judged = grading.grader !== "checker";
  const setJudge = (i: number, path: string) => update({ judges: grading.judges.map((j, k) => (k === i ? path : j)) });
  return (
    <div className="row small grading" data-testid="experiment-grading">
      <label title="how each cell's answer is graded">
        grading
        <select data-testid="experiment-grader" value={grading.grader} onChange={(e) => update({ grader: e.target.value as GraderChoice })}>
          {GRADERS.map((g) => (
            <option key={g} value={g}>
              {GRADER_LABELS[g]}
            </option>
          ))}
        </select>
      </label>
      {judged && (
        <>
          <datalist id="judge-models">
            {library.map((m) => (
              <option key={m.path} value={m.path}>
                {m.name}
              </option>
            ))}
          </datalist>
          <span className="judges" data-testid="experiment-judges">
            {grading.judges.length > 1 ? "jury:" : "judge:"}
            {grading.judges.map((judge, i) => (
              <span key={i} className="judge">
                <input
                  data-testid="experiment-judge"
                  list="judge-models"
                  placeholder={`a .gguf file or ${endpointSpecExamples()}`}
                  value={judge}
                  onChange={(e) => setJudge(i, e.target.value)}
                />
                <button type="button" title="remove this judge" onClick={() => update({ judges: grading.judges.filter((_, k) => k !== i) })}>
                  ×
                </button>
              </span>
            ))}
            <button
              type="button"
              data-testid="experiment-add-judge"
              title="adds a judge (the run setup's critic to start with); several judges make a jury: majority for verdicts, mean for ratings"
              onClick={() => update({ judges: [...grading.judges, criticPath(setup)] })}
            >
              + judge
            </button>
          </span>
          {grading.grader === "pairwise" && (
            <label title="what each answer is compared with: a column's name, or 'reference' (the item's reference answer); empty: the first column">
              baseline
              <datalist id="pairwise-baselines">
                <option value="reference" />
                {strategies.map((s) => (
                  <option key={s} value={s} />
                ))}
              </datalist>
              <input
                data-testid="experiment-baseline"
                className="short"
                list="pairwise-baselines"
                placeholder="first column"
                value={grading.baseline}
                onChange={(e) => update({ baseline: e.target.value })}
              />
            </label>
          )}
          <label title="each judge call's answer budget, reasoning included (empty: the default)">
            judge max tokens
            <input
              data-testid="experiment-judge-max-tokens"
              className="short"
              placeholder="default"
              value={grading.maxTokens}
              onChange={(e) => update({ maxTokens: e.target.value })}
            />
          </label>
        </>
      )}
    </div>
  );
}
