// The runs in a runs folder, as the history list and `refinery runs` show them: newest first, each with how it
// ended. A run still marked running whose writer process is gone is settled as interrupted, on disk, here.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunSummary } from "../protocol/contract.ts";
import type { RunEvent } from "../protocol/events.ts";
import { settleInterruptedRun } from "./interrupted.ts";
import { readManifest } from "./manifest.ts";
import { CANCELLED_BY_USER } from "./run-files.ts";
import { modelLabel } from "../protocol/model-label.ts";

/** The runs in a folder, newest first; a run marked running whose writer is gone was interrupted. */
export async function listRuns(runsDir: string, active: Set<string>): Promise<RunSummary[]> {
  let names: string[];
  try {
    names = await readdir(runsDir);
  } catch {
    return [];
  }
  const summaries: RunSummary[] = [];
  for (const runId of names) {
    const manifest = await readManifest(join(runsDir, runId, "manifest.json")).catch(() => null);
    if (!manifest) continue;
    let answer: string | null = null;
    let correct: boolean | null = null;
    // Runs cancelled before "cancelled" was a status of its own say "failed" with the cancellation as the reason.
    let status = manifest.status === "failed" && manifest.failure === CANCELLED_BY_USER ? "cancelled" : manifest.status;
    let failure = manifest.failure;
    if (status === "finished") {
      const log = await readFile(join(runsDir, runId, "events.jsonl"), "utf8").catch(() => "");
      const last = log.trimEnd().split("\n").at(-1);
      try {
        const event = JSON.parse(last ?? "") as RunEvent;
        if (event.type === "run-finished") ({ answer, correct } = event);
      } catch {
        // a summary without the answer is still a summary
      }
    } else if (status === "running") {
      // Settled on disk too when its writer is gone; a run another live process writes stays "running".
      ({ status, failure } = await settleInterruptedRun(join(runsDir, runId), manifest, active.has(runId)));
    }
    const labelOf = (role: "actor" | "critic") => {
      const model = manifest.models?.find((m) => m.role === role);
      return model ? modelLabel(model.path) : null;
    };
    summaries.push({
      runId,
      strategy: manifest.strategy,
      question: manifest.task.question,
      status,
      createdAt: manifest.createdAt,
      ...(manifest.endedAt ? { endedAt: manifest.endedAt } : {}),
      actor: labelOf("actor"),
      critic: labelOf("critic"),
      answer,
      correct,
      ...(failure ? { failure } : {}),
    });
  }
  return summaries.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
