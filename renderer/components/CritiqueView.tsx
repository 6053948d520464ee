// A critique in the inspector: the verdict and score it gave its candidate (or a search's reward in its own
// units), the critic's reasoning, and each step's verdict and why. `raw` in the inspector shows the JSON.
import { formatReward } from "./scores.tsx";
import { NodeLink } from "./tree/JoinSummary.tsx";
import type { CritiqueReading } from "./critique-view.ts";

const verdictLine: Record<string, string> = {
  correct: "✓ correct",
  incorrect: "✗ not correct",
  unknown: "no verdict",
  unparseable: "verdict unreadable (see raw)",
};

export function CritiqueView({ reading, onSelect }: { reading: CritiqueReading; onSelect: (id: string) => void }) {
  const { score } = reading;
  return (
    <div className="critique-view" data-testid="critique-view">
      <div className="critique-verdict" data-testid="critique-verdict" data-verdict={score?.verdict ?? "none"}>
        {score ? (
          score.reward !== undefined ? (
            <>reward {formatReward(score.reward)} (on −100…100)</>
          ) : (
            <>
              {verdictLine[score.verdict]}
              {score.value !== null && <> · score {score.value}/10</>}
              {score.firstErrorStep != null && <> · first error at step {score.firstErrorStep + 1}</>}
            </>
          )
        ) : (
          "no score taken from it (see raw)"
        )}
        {reading.candidateId && (
          <>
            {" "}
            · on <NodeLink id={reading.candidateId} onSelect={onSelect} />
          </>
        )}
      </div>
      {reading.steps.length > 0 && (
        <ol className="critique-steps" data-testid="critique-steps">
          {reading.steps.map((step) => (
            <li key={step.index} className={`${step.verdict} ${score?.firstErrorStep === step.index ? "first-error" : ""}`} data-verdict={step.verdict}>
              <b>{step.verdict === "wrong" ? "✗" : step.verdict === "correct" ? "✓" : "?"}</b>
              {step.score !== null && <span className="muted"> {step.score}/10</span>} {step.why}
            </li>
          ))}
        </ol>
      )}
      {reading.text && (
        <p className="critique-text" data-testid="critique-text">
          {reading.text}
        </p>
      )}
    </div>
  );
}
