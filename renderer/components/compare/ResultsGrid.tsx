// The per-item grid, as promptfoo's table: one row per item (its id, and the question and reference answer a
// click unfolds), one cell per column with the answer each run extracted and whether it is right; a cell opens
// that run's tree. Cells are found through an index built once per experiment load, not searched per cell. Rows
// are virtualised: only those in view (and a few either side) are in the DOM, so 1,000 items × 12 columns
// update within a frame; rows have fixed heights, so where each one starts is arithmetic, not measurement.
import { CUT_REASONS, cutBeforeFirstRevision, STOP_REASON_LABELS } from "../../../native/protocol/stop-reason.ts";
import { useCallback, useLayoutEffect, useRef, useState } from "react";
import type { ExperimentInfo } from "../../../native/protocol/contract.ts";
import { useController } from "../../store/context.tsx";

export type GridCell = ExperimentInfo["results"][number];

/**
 * The experiment's cells by row and column: a row per item, or with repeats per item and repeat (row = item ×
 * repeats + repeat), each holding its cells in the columns' order.
 */
export class CellIndex {
  private readonly byRow = new Map<number, (GridCell | undefined)[]>();
  readonly rows: number[];

  constructor(
    results: readonly GridCell[],
    columns: readonly string[],
    readonly repeats = 1,
  ) {
    const position = new Map(columns.map((c, i) => [c, i]));
    for (const r of results) {
      const at = position.get(r.column);
      const repeat = r.repeat ?? 0;
      if (at === undefined || repeat >= repeats) continue;
      const key = r.item * repeats + repeat;
      let row = this.byRow.get(key);
      if (!row) {
        row = new Array<GridCell | undefined>(columns.length).fill(undefined);
        this.byRow.set(key, row);
      }
      row[at] = r;
    }
    this.rows = [...this.byRow.keys()].sort((a, b) => a - b);
  }

  /** A row's cells, one per column (undefined where its run has not finished). */
  cells(row: number): readonly (GridCell | undefined)[] {
    return this.byRow.get(row) ?? [];
  }

  itemOf(row: number): number {
    return Math.floor(row / this.repeats);
  }

  repeatOf(row: number): number {
    return row % this.repeats;
  }
}

/** Pixel heights the CSS gives a row and an unfolded item's question/reference row (see .grid in styles.css). */
export const ROW_HEIGHT = 40;
export const DETAIL_HEIGHT = 150;
/** Column widths (px, as .grid col in styles.css): fixed, so the table is laid out from its header alone, not by
 * measuring every drawn cell, and columns keep their width while rows scroll by. */
const ITEM_WIDTH = 300;
const RUN_WIDTH = 220;
/** Rows drawn beyond the visible ones, above and below, so a quick scroll shows no gap. */
const OVERSCAN = 3;

type Verdict = "failed" | "right" | "wrong" | "unchecked";

function verdictOf(r: GridCell): Verdict {
  return r.status === "failed" ? "failed" : r.correct === null ? "unchecked" : r.correct ? "right" : "wrong";
}

const MARK: Record<Verdict, string> = { failed: "failed", right: "✓", wrong: "✗", unchecked: "?" };
const VERDICT_WORDS: Record<Verdict, string> = { failed: "the run failed", right: "correct", wrong: "incorrect", unchecked: "not checked (no reference)" };

/** Which rows to draw for a scroll position: the first and last item index (into `items`) and the space above. */
export function visibleWindow(
  items: readonly number[],
  expanded: ReadonlySet<number>,
  scrollTop: number,
  viewport: number,
): { first: number; last: number; top: number; total: number } {
  const height = (item: number) => ROW_HEIGHT + (expanded.has(item) ? DETAIL_HEIGHT : 0);
  let y = 0;
  let first = -1;
  let top = 0;
  let last = items.length - 1;
  for (let i = 0; i < items.length; i++) {
    const h = height(items[i]!);
    if (first < 0 && y + h > scrollTop) {
      first = Math.max(0, i - OVERSCAN);
      // The space above the first drawn row: the rows skipped.
      top = 0;
      for (let j = 0; j < first; j++) top += height(items[j]!);
    }
    if (first >= 0 && y > scrollTop + viewport && last === items.length - 1) last = Math.min(items.length - 1, i + OVERSCAN);
    y += h;
  }
  if (first < 0) first = Math.max(0, items.length - OVERSCAN);
  return { first, last, top, total: y };
}

function Cell({ r, judged, onOpen }: { r: GridCell | undefined; judged: string | undefined; onOpen: (runId: string) => void }) {
  if (!r) return <td className="pending" data-testid="grid-cell" data-verdict="pending" />;
  const verdict = verdictOf(r);
  return (
    <td
      className={verdict === "right" ? "ok" : verdict === "unchecked" ? "unchecked" : "bad"}
      data-testid="grid-cell"
      data-verdict={verdict}
      title={`${VERDICT_WORDS[verdict]} · ${r.runId} — click to open its tree${r.stopReason ? `\nstopped: ${STOP_REASON_LABELS[r.stopReason]}` : ""}${r.failure ? `\n${r.failure}` : ""}`}
      onClick={() => onOpen(r.runId)}
      onKeyDown={(event) => event.key === "Enter" && onOpen(r.runId)}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a cell opens its run's tree, as promptfoo's grid does; Tab reaches it, Enter opens it
      tabIndex={0}
    >
      <div className="cell">
        <span className="mark" title={VERDICT_WORDS[verdict]}>
          {MARK[verdict]}
        </span>{" "}
        <span className="answer" data-testid="grid-answer">
          {r.answer ?? (verdict === "failed" ? "" : "no answer")}
        </span>
        <small>
          {r.totalTokens} tok · {(r.wallMs / 1000).toFixed(1)} s
        </small>
        {judged ? (
          <small
            className="judged"
            data-testid="grid-judged"
            title="the judges' verdict: the cell's tree holds each judge call as a judge node with its reasoning"
          >
            {" "}
            · {judged}
          </small>
        ) : null}
        {r.stopReason && CUT_REASONS.has(r.stopReason) ? (
          <small className="stop-cut" data-testid="grid-stop" title="a budget or a limit stopped this run, not its procedure">
            {" "}
            · cut: {STOP_REASON_LABELS[r.stopReason]}
            {!r.independentSamples && cutBeforeFirstRevision(r.stopReason, r.candidates) ? ", before its first revision" : ""}
          </small>
        ) : null}
      </div>
    </td>
  );
}

export function ResultsGrid({
  index,
  columns,
  rows: shownRows,
  texts,
  judged,
}: {
  index: CellIndex;
  columns: readonly string[];
  /** The rows to show (see CellIndex), in order. */
  rows: readonly number[];
  texts: ExperimentInfo["itemTexts"];
  /** The judges' verdict per cell, by `item|column` (judged experiments run one seed: the first repeat's cells). */
  judged: ExperimentInfo["judgedMarks"];
}) {
  const controller = useController();
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ scrollTop: 0, height: 600 });
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const measure = useCallback(() => {
    const el = scroller.current;
    if (el) setView((v) => (v.scrollTop === el.scrollTop && v.height === el.clientHeight ? v : { scrollTop: el.scrollTop, height: el.clientHeight }));
  }, []);
  useLayoutEffect(() => {
    measure();
    const el = scroller.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [measure]);
  const toggle = (row: number) =>
    setExpanded((open) => {
      const next = new Set(open);
      if (!next.delete(row)) next.add(row);
      return next;
    });
  const open = (runId: string) => void controller.openExperimentRun(runId);
  const { first, last, top, total } = visibleWindow(shownRows, expanded, view.scrollTop, view.height);
  let bottom = total - top;
  const rows = [];
  for (let i = first; i <= last && i < shownRows.length; i++) {
    const row = shownRows[i]!;
    const item = index.itemOf(row);
    const isOpen = expanded.has(row);
    bottom -= ROW_HEIGHT + (isOpen ? DETAIL_HEIGHT : 0);
    const text = texts[item];
    const cells = index.cells(row);
    const id = `${cells.find((c) => c !== undefined)?.itemId ?? String(item)}${index.repeats > 1 ? ` · seed +${index.repeatOf(row)}` : ""}`;
    // Keyed by its place in the window, not by item: a scroll then reuses the drawn rows and changes their
    // text instead of removing and creating them.
    rows.push(
      <tr key={`slot-${i - first}`} data-testid="grid-row" data-item={item} data-repeat={index.repeatOf(row)} className="item-row">
        <th scope="row" className="item">
          <div className="cell">
            <button
              type="button"
              className="expand"
              data-testid="grid-expand"
              aria-expanded={isOpen}
              title={text ? "show the question and reference" : "the dataset file is not where the experiment found it"}
              onClick={() => toggle(row)}
            >
              {isOpen ? "▾" : "▸"} {id}
            </button>
            {text && <span className="question-preview">{text.question.slice(0, 120)}</span>}
          </div>
        </th>
        {columns.map((column, c) => (
          <Cell key={column} r={cells[c]} judged={index.repeatOf(row) === 0 ? judged[`${item}|${column}`] : undefined} onOpen={open} />
        ))}
      </tr>,
    );
    if (isOpen) {
      rows.push(
        <tr key={`${row}-detail`} className="item-detail" data-testid="grid-item-detail">
          <td colSpan={columns.length + 1}>
            <div className="detail">
              {text ? (
                <>
                  <div>
                    <b>question</b> <span data-testid="grid-question">{text.question}</span>
                  </div>
                  <div>
                    <b>reference</b> <span data-testid="grid-reference">{text.reference ?? "(none: answers are not checked)"}</span>
                  </div>
                </>
              ) : (
                <div>the dataset file is not where the experiment found it: its questions cannot be shown</div>
              )}
            </div>
          </td>
        </tr>,
      );
    }
  }
  return (
    <div className="grid-scroll" data-testid="compare-grid-scroll" ref={scroller} onScroll={measure}>
      <table className="grid" data-testid="compare-grid" style={{ width: ITEM_WIDTH + RUN_WIDTH * columns.length }}>
        <colgroup>
          <col className="item-col" />
          {columns.map((c) => (
            <col key={c} className="run-col" />
          ))}
        </colgroup>
        <thead>
          <tr>
            <th>item (click for question and reference)</th>
            {columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {top > 0 && <tr className="spacer" style={{ height: top }} />}
          {rows}
          {bottom > 0 && <tr className="spacer" style={{ height: bottom }} />}
        </tbody>
      </table>
    </div>
  );
}
