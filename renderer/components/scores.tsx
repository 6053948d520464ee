// Score presentation shared by the tree and the inspector. A critic's verdict comes first: "correct: false" with
// a score of 10 is a wrong answer the critic rated highly, not a good one, so it is drawn red and marked ✗.
import type { Score, StepScore } from "../../native/protocol/events.ts";

const WRONG = "#c0392b";
const RIGHT = "hsl(120, 65%, 32%)";

/** Red (0) through amber to green (max); grey when there is no number. */
export function scoreColor(value: number | null, scale: number): string {
  if (value === null) return "#8a8f98";
  const t = Math.max(0, Math.min(1, value / scale));
  return `hsl(${Math.round(t * 120)}, 65%, 42%)`;
}

/** The colour of a score: its verdict when it has one, else its number. */
export function verdictColor(score: Score, scale: number): string {
  if (score.verdict === "incorrect") return WRONG;
  if (score.verdict === "correct") return RIGHT;
  return scoreColor(score.value, scale);
}

/** "✗ 10/10", "✓ 8/10", "60%" (votes have no verdict), "−35" (a search's reward, in its own units), "unparseable". */
export function scoreText(score: Score, scale: number): string {
  // Short, to fit a card's head: the badge's title and the inspector spell out "reward … on −100…100".
  if (score.reward !== undefined) return formatReward(score.reward);
  const mark = score.verdict === "incorrect" ? "✗ " : score.verdict === "correct" ? "✓ " : "";
  if (score.value === null) return `${mark}${score.verdict === "incorrect" || score.verdict === "correct" ? "" : score.verdict}`.trim();
  return `${mark}${scale === 1 ? `${Math.round(score.value * 100)}%` : `${score.value}/10`}`;
}

/** −100…100 with a real minus sign; Q values are means, so one decimal where they have one. */
export function formatReward(value: number): string {
  const text = Number.isInteger(value) ? String(Math.abs(value)) : Math.abs(value).toFixed(1);
  return value < 0 ? `−${text}` : text;
}

const verdictWords: Record<Score["verdict"], string> = {
  correct: "judged correct",
  incorrect: "judged not correct",
  unknown: "no verdict",
  unparseable: "verdict unreadable",
};

export function ScoreBadge({ score, scale }: { score: Score; scale: number }) {
  return (
    <span
      className="score-badge"
      data-testid="score-badge"
      data-verdict={score.verdict}
      style={{ background: verdictColor(score, scale) }}
      title={
        score.reward !== undefined
          ? `${score.source}: reward ${formatReward(score.reward)} on −100…100`
          : `${score.source}: ${verdictWords[score.verdict]}${score.value !== null && scale !== 1 ? `, score ${score.value}/10` : ""}`
      }
    >
      {scoreText(score, scale)}
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
          style={{ background: step.verdict === "wrong" ? WRONG : scoreColor(step.score, 10) }}
          title={`step ${step.index + 1}: ${step.verdict}${step.score !== null ? ` ${step.score}/10` : ""}${step.why ? ` — ${step.why}` : ""}`}
        />
      ))}
    </div>
  );
}
