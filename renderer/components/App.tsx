import { useAppState } from "../store/context.tsx";
import { Errors } from "./Errors.tsx";
import { Compare } from "./Compare.tsx";
import { Hardware } from "./Hardware.tsx";
import { History } from "./History.tsx";
import { Library } from "./Library.tsx";
import { NodeInspector } from "./NodeInspector.tsx";
import { PanelFrame, PanelResizer } from "./PanelFrame.tsx";
import { usePanel } from "./panels.ts";
import { RunPanel } from "./RunPanel.tsx";
import { RunSetup } from "./RunSetup.tsx";

function EngineStatus() {
  const engine = useAppState((s) => s.engine);
  const backend = engine.info?.backend;
  return (
    <div className="engine-status" data-testid="engine-status" data-status={engine.status}>
      engine {engine.status}
      {backend && (
        <>
          {" "}
          · {backend.active}
          {backend.devices.length > 0 && ` (${backend.devices.join(", ")})`} · {backend.threads} thread(s)
          {backend.parallelThreads !== backend.threads && `, ${backend.parallelThreads} for parallel drafts`}
          {/* The reason is long (one clause per backend tried): a short word here, the whole of it on hover and in the hardware panel. */}
          {backend.fallbackReason && (
            <span className="fallback" data-testid="backend-fallback" title={backend.fallbackReason}>
              {" "}
              · {backend.active === "cpu" ? "no usable GPU backend" : `not ${backend.requested}`} (hover for why)
            </span>
          )}
        </>
      )}
    </div>
  );
}

export function App() {
  const runId = useAppState((s) => s.currentRunId);
  const view = useAppState((s) => s.view);
  const setView = useAppState((s) => s.setView);
  const restored = useAppState((s) => s.restored);
  const left = usePanel("left", 320);
  const right = usePanel("right", 360);
  const inspector = view !== "compare";
  const columns = `${left.shownWidth}px 6px minmax(0, 1fr)${inspector ? ` 6px ${right.shownWidth}px` : ""}`;
  return (
    <div className="app" data-testid="app" data-restored={restored}>
      <header>
        <h1>Refinery</h1>
        <EngineStatus />
      </header>
      <Hardware />
      <Errors where="engine" />
      {/* The compare tab has no node to inspect (a grid cell opens its run on the Run tab): it gets the width. */}
      <main style={{ gridTemplateColumns: columns }}>
        <PanelFrame panel={left} side="left" label="setup and runs">
          <RunSetup />
          <Library />
          <History />
        </PanelFrame>
        <PanelResizer panel={left} side="left" label="setup and runs" />
        <section className="center">
          <nav className="tabs">
            <button type="button" data-testid="tab-run" className={view === "run" ? "active" : ""} onClick={() => setView("run")}>
              Run
            </button>
            <button type="button" data-testid="tab-compare" className={view === "compare" ? "active" : ""} onClick={() => setView("compare")}>
              Compare
            </button>
          </nav>
          {view === "run" ? <RunPanel /> : <Compare />}
        </section>
        {inspector && (
          <>
            <PanelResizer panel={right} side="right" label="inspector" />
            <PanelFrame panel={right} side="right" label="inspector">
              {runId && <NodeInspector runId={runId} />}
            </PanelFrame>
          </>
        )}
      </main>
    </div>
  );
}
