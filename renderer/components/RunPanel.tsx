// The current run: its status (cancelled is the user's doing, drawn grey, not a failure), answer and budgets,
// the failure reason if it failed (with "Run anyway" when it was refused for memory), and its tree.
import type { RunFailureCode } from "../../native/protocol/events.ts";
import { useAppState, useController } from "../store/context.tsx";
import { RunHeader } from "./RunHeader.tsx";
import { Errors } from "./Errors.tsx";
import { TreeView } from "./TreeView.tsx";

/** For search strategies (MCTSr): step through the recorded iterations; the tree shows each node's visits and Q then. */
function SearchReplay({ runId }: { runId: string }) {
  const count = useAppState((s) => s.runs[runId]?.snapshots.length ?? 0);
  const step = useAppState((s) => s.searchStep);
  const setStep = useAppState((s) => s.setSearchStep);
  const expanded = useAppState((s) => (s.searchStep !== null ? s.runs[runId]?.snapshots[s.searchStep]?.expandedNodeId : null));
  if (count === 0) return null;
  return (
    <div className="search-replay" data-testid="search-replay">
      <label>
        search iteration{" "}
        <input
          type="range"
          data-testid="search-slider"
          min={1}
          max={count}
          value={step === null ? count : step + 1}
          onChange={(e) => {
            const value = Number(e.target.value);
            setStep(value >= count ? null : value - 1);
          }}
        />{" "}
        {step === null ? `final (${count} iterations)` : `${step + 1} / ${count} · expanded ${expanded}`}
      </label>
    </div>
  );
}

/** A grid cell's run, or a critic evaluation's row: one click back to where it came from (as the browser's back). */
function BackToExperiment() {
  const experiment = useAppState((s) => s.currentRunExperiment);
  const evaluation = useAppState((s) => s.currentRunEvaluation);
  const setView = useAppState((s) => s.setView);
  if (!experiment && !evaluation) return null;
  return (
    <div className="back-to-experiment">
      <button type="button" data-testid="back-to-experiment" onClick={() => setView("compare")}>
        {experiment ? "← back to the experiment" : "← back to the critic evaluation"}
      </button>{" "}
      <span className="muted">{experiment ? `a cell of ${experiment}` : `a row of ${evaluation}`}</span>
    </div>
  );
}

/** What kind of failure it was, in words (the codes are for programs). */
const failureTitle: Record<RunFailureCode, string> = {
  cancelled: "Cancelled",
  "model-error": "Run failed (the model)",
  "engine-crashed": "Run failed (the engine stopped)",
  "invalid-input": "Run refused (the settings)",
  "will-not-fit": "Run refused",
  internal: "Run failed",
};

export function RunPanel() {
  const controller = useController();
  const runId = useAppState((s) => s.currentRunId);
  const status = useAppState((s) => (runId ? s.runs[runId]?.status : undefined));
  const failure = useAppState((s) => (runId ? s.runs[runId]?.failure : null));
  if (!runId) return <div className="run-panel empty">Start a run or open one from the list.</div>;
  return (
    <div className="run-panel">
      <BackToExperiment />
      <RunHeader runId={runId} />
      {status === "cancelled" && (
        <div className="run-cancelled" data-testid="run-cancelled">
          Cancelled{failure?.reason ? `: ${failure.reason}` : ""}. The nodes finished before it stopped are kept.
        </div>
      )}
      {status === "failed" && failure && (
        <div className="error run-failure" data-testid="run-failure" role="alert">
          {failureTitle[failure.code]}: {failure.reason}
          {failure.code === "will-not-fit" && (
            <button type="button" data-testid="run-anyway" onClick={() => void controller.startRun({ force: true })}>
              Run anyway
            </button>
          )}
        </div>
      )}
      <Errors where="run" />
      <SearchReplay runId={runId} />
      <TreeView runId={runId} />
    </div>
  );
}
