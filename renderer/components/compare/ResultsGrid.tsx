// The per-item grid: one row per item, one cell per column; a cell opens that run's tree. Cells are found through
// an index built once per experiment load, not searched per cell.
import type { ExperimentInfo } from "../../../native/protocol/contract.ts";
import { useController } from "../../store/context.tsx";

export type GridCell = ExperimentInfo["results"][number];

/** The experiment's cells by item and column. */
export class CellIndex {
  private readonly cells = new Map<string, GridCell>();
  readonly items: number[];

  constructor(results: readonly GridCell[]) {
    for (const r of results) this.cells.set(`${r.item}|${r.column}`, r);
    this.items = [...new Set(results.map((r) => r.item))].sort((a, b) => a - b);
  }

  get(item: number, column: string): GridCell | undefined {
    return this.cells.get(`${item}|${column}`);
  }
}

function cellText(r: GridCell): string {
  return `${r.status === "failed" ? "failed" : r.correct === null ? "?" : r.correct ? "✓" : "✗"} ${r.answer ?? ""}`;
}

export function ResultsGrid({ index, columns, items }: { index: CellIndex; columns: readonly string[]; items: readonly number[] }) {
  const controller = useController();
  return (
    <table className="grid" data-testid="compare-grid">
      <thead>
        <tr>
          <th>item</th>
          {columns.map((c) => (
            <th key={c}>{c}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr key={item} data-testid="grid-row">
            <td>{index.get(item, columns[0]!)?.itemId ?? item}</td>
            {columns.map((column) => {
              const r = index.get(item, column);
              return (
                <td key={column} className={r?.correct ? "ok" : "bad"} data-testid="grid-cell" title={r ? `${r.runId} — open its tree` : ""} onClick={() => r && void controller.openExperimentRun(r.runId)}>
                  {r ? cellText(r) : ""}
                  {r && (
                    <small>
                      {" "}
                      {r.totalTokens} tok · {(r.wallMs / 1000).toFixed(1)} s
                    </small>
                  )}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
