// The experiment's cells between workers: each cell is queued, in flight with one worker, or settled (its result,
// finished or failed with a reason, is in the checkpoint). A cell in flight can come back (its endpoint died), so
// a worker that finds the queue empty waits while any cell is in flight instead of leaving: no cell is forgotten.

export class CellQueue<Cell> {
  private readonly queued: Cell[];
  private inFlight = 0;
  private wakers: Array<() => void> = [];

  constructor(
    cells: readonly Cell[],
    private readonly signal: AbortSignal,
  ) {
    this.queued = [...cells];
    signal.addEventListener("abort", () => this.wake(), { once: true });
  }

  /** The next cell, now in flight with the caller; null once nothing is queued or in flight, or when stopped. */
  async take(): Promise<Cell | null> {
    for (;;) {
      if (this.signal.aborted) return null;
      const cell = this.queued.shift();
      if (cell !== undefined) {
        this.inFlight++;
        return cell;
      }
      if (this.inFlight === 0) return null;
      await new Promise<void>((resolve) => this.wakers.push(resolve));
    }
  }

  /** The cell in flight has its result in the checkpoint. */
  settle(): void {
    this.inFlight--;
    this.wake();
  }

  /** The cell in flight did not get a result (its endpoint died, the worker stopped): it runs next. */
  putBack(cell: Cell): void {
    this.inFlight--;
    this.queued.unshift(cell);
    this.wake();
  }

  /** Cells without a result: queued or still in flight. */
  get unsettled(): number {
    return this.queued.length + this.inFlight;
  }

  private wake(): void {
    for (const wake of this.wakers.splice(0)) wake();
  }
}
