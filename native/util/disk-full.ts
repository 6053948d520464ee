// A full disk is the user's problem to fix, not an internal error: it is said once, in plain words, with the
// place that filled up. Writers turn ENOSPC (and EDQUOT, a full quota) into this error.
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

export class DiskFullError extends Error {
  constructor(readonly path: string) {
    super(`the disk is full at ${path}: free some space, then start it again (finished work is kept)`);
    this.name = "DiskFullError";
  }
}

export function isDiskFull(error: unknown): boolean {
  if (error instanceof DiskFullError) return true;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
}

/** Rethrows a full-disk failure as a DiskFullError naming `path`; anything else unchanged. */
export function asDiskFull(error: unknown, path: string): unknown {
  if (error instanceof DiskFullError) return error;
  return isDiskFull(error) ? new DiskFullError(path) : error;
}

/** The DiskFullError behind an error, also one a strategy wrapped (GenerationError keeps its cause). */
export function diskFullCause(error: unknown): DiskFullError | null {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DiskFullError) return e;
  }
  return null;
}

/**
 * A little space held back while a run writes, so that when the disk fills the run can still end its log and
 * mark its manifest instead of being left "running". Released (deleted) to make that room, or when the run ends.
 */
export class SpaceReserve {
  private path: string | null;

  constructor(dir: string, bytes = 128 * 1024) {
    const path = join(dir, ".space-reserve");
    // Real blocks (zeros written, not a sparse file), or deleting it would free nothing.
    const fd = openSync(path, "w");
    try {
      writeSync(fd, Buffer.alloc(bytes));
    } catch (error) {
      closeSync(fd);
      rmSync(path, { force: true });
      throw asDiskFull(error, dir);
    }
    closeSync(fd);
    this.path = path;
  }

  release(): void {
    if (this.path) rmSync(this.path, { force: true });
    this.path = null;
  }
}
