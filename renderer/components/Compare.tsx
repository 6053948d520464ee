// The compare view: start (or resume) an experiment with the run setup's models and watch it fill in; an
// experiment's columns side by side — aggregates with intervals, paired tests against a chosen baseline and the
// draft → final transitions, accuracy against tokens with the Pareto frontier, refinement dynamics, budget-matched
// accuracy, and the per-item grid with filters; a cell opens that run's tree. The parts live in compare/.
import { memo, useMemo, useState } from "react";
import type { ExperimentInfo } from "../../native/protocol/contract.ts";
import { openExperimentProgress } from "../store/selectors.ts";
import { useAppState, useController } from "../store/context.tsx";
import { NewExperiment, Progress, RecentExperiments } from "./compare/ExperimentControls.tsx";
import { CoverageNote } from "./compare/CoverageNote.tsx";
import { ExportReport } from "./compare/ExportReport.tsx";
import { CostPlot, DifficultyPanel, DynamicsPlot } from "./compare/Plots.tsx";
import { CellIndex, ResultsGrid } from "./compare/ResultsGrid.tsx";
import { JudgeEval } from "./JudgeEval.tsx";
import { PerficsRanking } from "./compare/PerficsRanking.tsx";
import { AggregatesTable, BreakdownTable, BudgetTable } from "./compare/Tables.tsx";
import { CriticEval } from "./CriticEval.tsx";
import { Errors } from "./Errors.tsx";

interface GridFilter {
  onlyDiffer: boolean;
  onlyFailures: boolean;
  field: { name: string; value: string };
}

type LoadedExperiment = Omit<ExperimentInfo, "progress">;

/** The grid's rows (an item, or an item in one repeat) shown under the filters. */
function visibleRows(experiment: LoadedExperiment, index: CellIndex, filter: GridFilter): number[] {
  const { onlyDiffer, onlyFailures, field } = filter;
  if (!onlyDiffer && !onlyFailures && !(field.name && field.value)) return index.rows;
  return index.rows.filter((row) => {
    const cells = index.cells(row);
    if (onlyDiffer && new Set(cells.map((c) => c?.correct)).size < 2) return false;
    if (onlyFailures && !cells.some((c) => c && c.correct !== true)) return false;
    if (field.name && field.value && experiment.itemFields[index.itemOf(row)]?.[field.name] !== field.value) return false;
    return true;
  });
}

/** The parts that change only when the experiment does, so a filter or a scroll does not redraw them. */
const Overview = memo(function Overview({
  summary,
  columns,
  plannedMemory,
}: {
  summary: LoadedExperiment["summary"];
  columns: readonly string[];
  plannedMemory: LoadedExperiment["plannedMemory"];
}) {
  return (
    <>
      <ExportReport />
      <AggregatesTable summary={summary} />
      <PerficsRanking summary={summary} plannedMemory={plannedMemory} />
      <div className="row plots">
        <CostPlot summary={summary} />
        <DynamicsPlot columns={summary.columns} />
      </div>
      <BudgetTable summary={summary} columns={columns} />
      <DifficultyPanel summary={summary} />
    </>
  );
});

function GridFilters({
  experiment,
  filter,
  setFilter,
  shown,
  total,
  repeats,
}: {
  experiment: LoadedExperiment;
  filter: GridFilter;
  setFilter: (filter: GridFilter) => void;
  shown: number;
  total: number;
  /** Seeds per item: the grid has a row per item and seed. */
  repeats: number;
}) {
  const controller = useController();
  const { field } = filter;
  const fieldNames = [...new Set(Object.values(experiment.itemFields).flatMap((f) => Object.keys(f)))].sort();
  const fieldValues = field.name
    ? [
        ...new Set(
          Object.values(experiment.itemFields)
            .map((f) => f[field.name])
            .filter((v): v is string => v !== undefined),
        ),
      ].sort()
    : [];
  return (
    <div className="row small filters">
      <label>
        baseline{" "}
        <select
          data-testid="compare-baseline"
          value={experiment.summary.baseline}
          onChange={(e) => void controller.loadExperiment(experiment.path, e.target.value)}
        >
          {experiment.columns.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
      <label>
        <input
          type="checkbox"
          data-testid="filter-differ"
          checked={filter.onlyDiffer}
          onChange={(e) => setFilter({ ...filter, onlyDiffer: e.target.checked })}
        />{" "}
        only where columns differ
      </label>
      <label>
        <input
          type="checkbox"
          data-testid="filter-failures"
          checked={filter.onlyFailures}
          onChange={(e) => setFilter({ ...filter, onlyFailures: e.target.checked })}
        />{" "}
        only failures
      </label>
      {fieldNames.length > 0 && (
        <label>
          field{" "}
          <select data-testid="filter-field" value={field.name} onChange={(e) => setFilter({ ...filter, field: { name: e.target.value, value: "" } })}>
            <option value="">(any)</option>
            {fieldNames.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
          {field.name && (
            <select data-testid="filter-field-value" value={field.value} onChange={(e) => setFilter({ ...filter, field: { ...field, value: e.target.value } })}>
              <option value="">(any)</option>
              {fieldValues.map((value) => (
                <option key={value}>{value}</option>
              ))}
            </select>
          )}
        </label>
      )}
      <span data-testid="grid-count">
        {shown} of {total} {repeats > 1 ? `rows (an item in one of ${repeats} seeds)` : "items"}
      </span>
    </div>
  );
}

function ExperimentView({ experiment }: { experiment: LoadedExperiment }) {
  const progress = useAppState(openExperimentProgress);
  const [filter, setFilter] = useState<GridFilter>({ onlyDiffer: false, onlyFailures: false, field: { name: "", value: "" } });
  const repeats = experiment.summary.repeats ?? 1;
  const index = useMemo(() => new CellIndex(experiment.results, experiment.columns, repeats), [experiment.results, experiment.columns, repeats]);
  const visible = useMemo(() => visibleRows(experiment, index, filter), [experiment, index, filter]);
  const { columns, summary } = experiment;
  return (
    <>
      <div className="small muted" data-testid="experiment-where">
        {experiment.path} · dataset {experiment.dataset}
      </div>
      {progress && <Progress progress={progress} />}
      <CoverageNote coverage={experiment.coverage} running={progress?.state === "running" || progress?.state === "paused"} />
      <Overview summary={summary} columns={columns} plannedMemory={experiment.plannedMemory} />
      <GridFilters experiment={experiment} filter={filter} setFilter={setFilter} shown={visible.length} total={index.rows.length} repeats={repeats} />
      {experiment.breakdowns
        .filter((b) => b.field === filter.field.name)
        .map((b) => (
          <BreakdownTable key={b.field} breakdown={b} columns={columns} />
        ))}
      <ResultsGrid index={index} columns={columns} rows={visible} texts={experiment.itemTexts} judged={experiment.judgedMarks} />
    </>
  );
}

export function Compare() {
  const controller = useController();
  const experiment = useAppState((s) => s.experiment);
  const [path, setPath] = useState("");
  return (
    <div className="compare" data-testid="compare">
      <NewExperiment />
      <CriticEval />
      <JudgeEval />
      <div className="row small open-experiment">
        <label className="wide">
          open an experiment folder
          <input data-testid="experiment-path" placeholder="the --out folder of refinery experiment" value={path} onChange={(e) => setPath(e.target.value)} />
        </label>
        <button type="button" data-testid="experiment-load" onClick={() => void controller.loadExperiment(path)}>
          Load
        </button>
      </div>
      <Errors where="compare" />
      <RecentExperiments />
      {experiment && <ExperimentView experiment={experiment} />}
    </div>
  );
}
