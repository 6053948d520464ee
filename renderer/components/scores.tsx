// Score presentation shared by the tree and the inspector.
import type { Score, StepScore } from "../../native/protocol/events.ts";

/** Red (0) through amber to green (max); grey when there is no number. */
export function scoreColor(value: number | null, scale: number): string {
  if (value === null) return "#8a8f98";
  const t = Math.max(0, Math.min(1, value / scale));
  return `hsl(${Math.round(t * 120)}, 65%, 42%)`;
}

export function ScoreBadge({ score, scale }: { score: Score; scale: number }) {
  const label = score.value === null ? score.verdict : scale === 1 ? `${Math.round(score.value * 100)}%` : `${score.value}/10`;
  return (
    <span
      className="score-badge"
      data-testid="score-badge"
      data-verdict={score.verdict}
      style={{ background: scoreColor(score.value, scale) }}
      title={`${score.source}: ${score.verdict}`}
    >
      {label}
    </span>
  );
}

export function StepStrip({ steps, firstError }: { steps: StepScore[]; firstError: number | null }) {
  return (
    <div className="step-strip" data-testid="step-strip">
      {steps.map((step) => (
        <span
          key={step.index}
          className={`step ${step.verdict} ${step.index === firstError ? "first-error" : ""}`}
          style={{ background: step.verdict === "wrong" ? "#c0392b" : scoreColor(step.score, 10) }}
          title={`step ${step.index + 1}: ${step.verdict}${step.score !== null ? ` ${step.score}/10` : ""}${step.why ? ` — ${step.why}` : ""}`}
        />
      ))}
    </div>
  );
}
