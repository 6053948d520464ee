// Every run in the runs folder, newest first; opening one replays its log.
import { useAppState, useAppStateShallow, useController } from "../store/context.tsx";
import { Errors } from "./Errors.tsx";

export function History() {
  const controller = useController();
  const history = useAppStateShallow((s) => s.history);
  const current = useAppState((s) => s.currentRunId);
  return (
    <div className="history" data-testid="history">
      <h3>
        Runs{" "}
        <button type="button" onClick={() => void controller.refreshHistory()}>
          ↻
        </button>
      </h3>
      <Errors where="history" />
      <ul>
        {history.map((run) => (
          <li
            key={run.runId}
            data-testid="history-item"
            data-run-id={run.runId}
            className={`${run.status} ${run.runId === current ? "current" : ""}`}
            onClick={() => void controller.openRun(run.runId)}
            onKeyDown={(event) => event.key === "Enter" && event.target === event.currentTarget && void controller.openRun(run.runId)}
            // biome-ignore lint/a11y/noNoninteractiveTabindex: the whole row opens the run (its own button puts the settings back); Tab reaches it, Enter opens it
            tabIndex={0}
          >
            <div className="history-title">
              {run.strategy} · {run.status}
              {run.correct !== null && (run.correct ? " ✓" : " ✗")}
            </div>
            <div className="history-question">{run.question.slice(0, 70)}</div>
            {run.failure && <div className="history-failure">{run.failure}</div>}
            <button
              type="button"
              className="history-again"
              data-testid="history-run-again"
              title="Put this run's settings into the run setup"
              onClick={async (event) => {
                event.stopPropagation();
                await controller.openRun(run.runId);
                await controller.runAgainWith(run.runId);
              }}
            >
              run again
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
