// Deleting a run moves its folder into the runs folder's trash, never erases it: a run deleted by mistake is one
// move away. The trash holds no manifest at its top, so the run list never shows it.
import { existsSync } from "node:fs";
import { mkdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { runDir } from "./paths.ts";

export const TRASH_FOLDER = ".trash";

export class RunNotFoundError extends Error {
  constructor(runId: string) {
    super(`there is no run '${runId}' in the runs folder (already deleted?)`);
    this.name = "RunNotFoundError";
  }
}

/** Moves the run into `<runsDir>/.trash/`; a run deleted twice under one id keeps both copies. */
export async function moveRunToTrash(runsDir: string, runId: string): Promise<string> {
  const from = runDir(runsDir, runId);
  if (!existsSync(join(from, "manifest.json"))) throw new RunNotFoundError(runId);
  const trash = join(runsDir, TRASH_FOLDER);
  await mkdir(trash, { recursive: true });
  let to = join(trash, runId);
  for (let copy = 2; existsSync(to); copy++) to = join(trash, `${runId}.${copy}`);
  await rename(from, to);
  return to;
}
