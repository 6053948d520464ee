// Every run in the runs folder: when, which models, how long, how it ended. Search, filters and a sort tell
// eight runs on one question apart; delete moves a run to the trash after the user confirms.
import { useState } from "react";
import type { RunSummary } from "../../native/protocol/contract.ts";
import { formatDuration } from "../../native/protocol/format.ts";
import { durationOf, HISTORY_SORTS, type HistorySort, historyChoices, visibleRuns } from "../store/history-view.ts";
import { useAppState, useAppStateShallow, useController } from "../store/context.tsx";
import { Errors } from "./Errors.tsx";

const dateFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });

function modelsLine(run: RunSummary) {
  if (!run.actor) return null;
  return run.critic && run.critic !== run.actor ? `${run.actor} + ${run.critic}` : run.actor;
}

function HistoryFilters({ runs }: { runs: RunSummary[] }) {
  const view = useAppStateShallow((s) => s.historyView);
  const update = useAppState((s) => s.updateHistoryView);
  const choices = historyChoices(runs);
  const select = (key: "strategy" | "model" | "status", all: string, values: string[]) => (
    <select data-testid={`history-filter-${key}`} value={view[key]} onChange={(e) => update({ [key]: e.target.value })} aria-label={`filter by ${key}`}>
      <option value="">{all}</option>
      {values.map((value) => (
        <option key={value} value={value}>
          {value}
        </option>
      ))}
    </select>
  );
  return (
    <div className="history-filters">
      <input
        type="search"
        data-testid="history-search"
        placeholder="search question, model, answer…"
        value={view.search}
        onChange={(e) => update({ search: e.target.value })}
      />
      {select("strategy", "all strategies", choices.strategies)}
      {select("model", "all models", choices.models)}
      {select("status", "any status", choices.statuses)}
      <select data-testid="history-sort" value={view.sort} onChange={(e) => update({ sort: e.target.value as HistorySort })} aria-label="sort runs">
        {Object.entries(HISTORY_SORTS).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

function HistoryItem({ run, current }: { run: RunSummary; current: boolean }) {
  const controller = useController();
  const [confirming, setConfirming] = useState(false);
  const duration = durationOf(run);
  const models = modelsLine(run);
  return (
    <li
      data-testid="history-item"
      data-run-id={run.runId}
      className={`${run.status} ${current ? "current" : ""}`}
      onClick={() => void controller.openRun(run.runId)}
      onKeyDown={(event) => event.key === "Enter" && event.target === event.currentTarget && void controller.openRun(run.runId)}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the whole row opens the run (its own buttons put the settings back or delete it); Tab reaches it, Enter opens it
      tabIndex={0}
    >
      <div className="history-title">
        {run.strategy} · {run.status}
        {run.correct !== null && (run.correct ? " ✓" : " ✗")}
      </div>
      <div className="history-meta" data-testid="history-meta">
        <time dateTime={run.createdAt}>{dateFormat.format(new Date(run.createdAt))}</time>
        {duration !== null && <> · {formatDuration(duration)}</>}
        {models && <> · {models}</>}
      </div>
      <div className="history-question">{run.question.slice(0, 70)}</div>
      {run.failure && <div className="history-failure">{run.failure}</div>}
      {/* The row's own buttons must not open the run too. */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: stops the row's click, the buttons inside do the work */}
      <div className="history-actions" onClick={(event) => event.stopPropagation()} onKeyDown={(event) => event.stopPropagation()}>
        <button
          type="button"
          className="history-again"
          data-testid="history-run-again"
          title="Put this run's settings into the run setup"
          onClick={async () => {
            await controller.openRun(run.runId);
            await controller.runAgainWith(run.runId);
          }}
        >
          run again
        </button>
        {confirming ? (
          <span className="history-confirm" data-testid="history-confirm-delete">
            move to trash?{" "}
            <button type="button" data-testid="history-delete-yes" className="danger" onClick={() => void controller.deleteRun(run.runId)}>
              delete
            </button>{" "}
            <button type="button" data-testid="history-delete-no" onClick={() => setConfirming(false)}>
              keep
            </button>
          </span>
        ) : (
          <button
            type="button"
            data-testid="history-delete"
            disabled={run.status === "running"}
            title={run.status === "running" ? "cancel the run before deleting it" : "Move this run's folder to the trash folder in the runs folder"}
            onClick={() => setConfirming(true)}
          >
            delete
          </button>
        )}
      </div>
    </li>
  );
}

export function History() {
  const controller = useController();
  const history = useAppStateShallow((s) => s.history);
  const view = useAppStateShallow((s) => s.historyView);
  const current = useAppState((s) => s.currentRunId);
  const shown = visibleRuns(history, view);
  return (
    <div className="history" data-testid="history">
      <h3>
        Runs{history.length > 0 && shown.length !== history.length ? ` (${shown.length} of ${history.length})` : ""}{" "}
        <button type="button" title="Read the runs folder again" onClick={() => void controller.refreshHistory()}>
          ↻
        </button>
      </h3>
      {history.length > 1 && <HistoryFilters runs={history} />}
      <Errors where="history" />
      <ul>
        {shown.map((run) => (
          <HistoryItem key={run.runId} run={run} current={run.runId === current} />
        ))}
      </ul>
      {history.length > 0 && shown.length === 0 && <div className="history-none">No run matches the search and filters.</div>}
    </div>
  );
}
