// The current run: its status, answer and budgets, the failure reason if it failed, and its tree.
import { useAppState } from "../store/context.tsx";
import { Errors } from "./Errors.tsx";
import { TreeView } from "./TreeView.tsx";

export function RunPanel() {
  const runId = useAppState((s) => s.currentRunId);
  const status = useAppState((s) => (runId ? s.runs[runId]?.status : undefined));
  const strategy = useAppState((s) => (runId ? s.runs[runId]?.strategy : null));
  const answer = useAppState((s) => (runId ? s.runs[runId]?.answer : null));
  const correct = useAppState((s) => (runId ? s.runs[runId]?.correct : null));
  const budgets = useAppState((s) => (runId ? s.runs[runId]?.budgets : null));
  const failure = useAppState((s) => (runId ? s.runs[runId]?.failure : null));
  if (!runId) return <div className="run-panel empty">Start a run or open one from the list.</div>;
  return (
    <div className="run-panel">
      <div className="run-header" data-testid="run-header" data-status={status ?? "starting"}>
        <span className="run-id">{runId}</span>
        <span className={`run-status ${status ?? "starting"}`} data-testid="run-status">
          {status === "empty" || !status ? "starting" : status}
        </span>
        {strategy && <span>{strategy}</span>}
        {status === "finished" && (
          <span data-testid="run-answer">
            answer: {answer ?? "(none extracted)"} {correct === null ? "" : correct ? "✓" : "✗"}
          </span>
        )}
        {budgets && (
          <span>
            tokens {budgets.selectedPathTokens} path / {budgets.totalTokens} total
          </span>
        )}
      </div>
      {failure && (
        <div className="error run-failure" data-testid="run-failure" role="alert">
          Run failed ({failure.code}): {failure.reason}
        </div>
      )}
      <Errors where="run" />
      <TreeView runId={runId} />
    </div>
  );
}
