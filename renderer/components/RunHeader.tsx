// Which run this is, at a glance: its models (a file's name, an endpoint's served model and host), strategy and
// key parameters, seed, sampling, when it started and how long it took, its task and reference folded; while it
// runs, its own progress.
import type { ModelDescriptor } from "../../native/protocol/events.ts";
import { formatDuration } from "../../native/protocol/format.ts";
import { modelLabel } from "../../native/protocol/model-label.ts";
import { CUT_REASONS, stopWords } from "../../native/protocol/stop-reason.ts";
import { candidateCount, type RunState } from "../../native/protocol/state.ts";
import { useAppState } from "../store/context.tsx";
import { RunAgainButton } from "./RunAgainButton.tsx";
import { useNow } from "./use-now.ts";

const dateFormat = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

function samplingText(model: ModelDescriptor) {
  const { temperature, maxTokens, topP, topK, thinkingBudget } = model.sampling;
  return [
    `temp ${temperature}`,
    topP !== undefined && `top-p ${topP}`,
    topK !== undefined && `top-k ${topK}`,
    `max ${maxTokens} tokens`,
    thinkingBudget !== undefined && `thinking ≤ ${thinkingBudget}`,
  ]
    .filter(Boolean)
    .join(", ");
}

function ModelLine({ role, model }: { role: "actor" | "critic"; model: ModelDescriptor }) {
  return (
    <span className="run-model" data-testid={`run-${role}`} title={model.path}>
      {role} <b>{modelLabel(model.path)}</b> <span className="muted">({samplingText(model)})</span>
    </span>
  );
}

/** Nodes done, tokens generated so far (streamed ones included) and time since the start. */
export function runProgress(run: RunState, now: number) {
  let done = 0;
  let tokens = 0;
  for (const id of run.order) {
    const node = run.nodes[id]!;
    if (node.status === "running") tokens += node.streamedTokens ?? 0;
    else {
      done++;
      tokens += node.tokensOut;
    }
  }
  const elapsed = run.startedAt === null ? null : (run.endedAt ?? now) - run.startedAt;
  return { done, total: run.order.length, tokens, elapsed };
}

export function RunHeader({ runId }: { runId: string }) {
  const run = useAppState((s) => s.runs[runId]);
  const status = run?.status;
  const running = status === "running";
  const now = useNow(running);
  const progress = run ? runProgress(run, now) : null;
  const params = Object.entries(run?.params ?? {});
  return (
    <div className="run-header" data-testid="run-header" data-status={status ?? "starting"} data-run-id={runId}>
      <div className="run-header-line">
        <span className="run-id">{runId}</span>
        <span className={`run-status ${status ?? "starting"}`} data-testid="run-status">
          {status === "empty" || !status ? "starting" : status}
        </span>
        {run?.strategy && <span>{run.strategy}</span>}
        <RunAgainButton runId={runId} />
        {run && status === "finished" && (
          <span data-testid="run-answer">
            answer: {run.answer ?? "(none extracted)"} {run.correct === null ? "" : run.correct ? "✓" : "✗"}
          </span>
        )}
        {run?.stopReason && (
          <span data-testid="run-stop-reason" className={CUT_REASONS.has(run.stopReason) ? "warning inline" : undefined}>
            stopped: {stopWords(run.stopReason, candidateCount(run))}
          </span>
        )}
      </div>
      {run?.models && (
        <div className="run-header-line run-details" data-testid="run-details">
          <ModelLine role="actor" model={run.models.actor} />
          <ModelLine role="critic" model={run.models.critic} />
          {params.length > 0 && <span data-testid="run-params">{params.map(([name, value]) => `${name}=${String(value)}`).join(" · ")}</span>}
          <span data-testid="run-seed">seed {run.seed}</span>
          {run.startedAt !== null && (
            <time data-testid="run-date" dateTime={new Date(run.startedAt).toISOString()}>
              {dateFormat.format(new Date(run.startedAt))}
            </time>
          )}
        </div>
      )}
      {progress && progress.elapsed !== null && (
        <div className="run-header-line run-progress" data-testid="run-progress" data-done={progress.done} data-tokens={progress.tokens}>
          {progress.done}/{progress.total} nodes done · {progress.tokens} tokens generated · {running ? "elapsed" : "took"}{" "}
          <span data-testid="run-duration">{formatDuration(progress.elapsed)}</span>
          {run?.budgets && (
            <span data-testid="run-budgets">
              {" "}
              · tokens {run.budgets.selectedPathTokens} path / {run.budgets.totalTokens} total
            </span>
          )}
        </div>
      )}
      {run?.task && (
        <details className="run-task" data-testid="run-task">
          <summary>
            task: {run.task.question.slice(0, 100)}
            {run.task.question.length > 100 ? "…" : ""}
            {run.task.reference !== undefined && <span className="muted"> · reference {run.task.reference.slice(0, 40)}</span>}
          </summary>
          <pre className="run-task-question">{run.task.question}</pre>
          {run.task.choices && (
            <ol type="A">
              {run.task.choices.map((choice) => (
                <li key={choice}>{choice}</li>
              ))}
            </ol>
          )}
          {run.task.reference !== undefined && <div data-testid="run-reference">reference answer: {run.task.reference}</div>}
        </details>
      )}
    </div>
  );
}
