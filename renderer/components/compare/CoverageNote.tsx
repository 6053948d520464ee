// Says, above the numbers, when they rest on fewer cells than the experiment asked for, or when cells failed:
// "14 of 16 cells done; 2 failed (reasons)". While cells are still running the progress bar says how many are done,
// so then only failures are worth the line.
import { describeCoverage, type CellCoverage } from "../../../native/protocol/cell-coverage.ts";

export function CoverageNote({ coverage, running }: { coverage: CellCoverage; running: boolean }) {
  const said = describeCoverage(coverage);
  if (!said || (running && coverage.failed === 0)) return null;
  return (
    <div className="warning" data-testid="experiment-coverage">
      {said}. The figures below count only the cells with a result.
    </div>
  );
}
