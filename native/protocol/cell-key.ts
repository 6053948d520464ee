// An experiment's cell is one (item, column, repeat): the checkpoint, resume, the coverage, the summary and the grid
// key cells the same way. A cell written before repeats existed is repeat 0.

export interface CellPosition {
  item: number;
  column: string;
  repeat?: number;
}

export function cellKey({ item, column, repeat }: CellPosition): string {
  return `${item}|${repeat ?? 0}|${column}`;
}

/** The seeds an experiment's repeats run with: seed, seed + 1, …; the repeat count an experiment without one has. */
export function repeatsOf(config: { repeats?: number }): number {
  return config.repeats ?? 1;
}
