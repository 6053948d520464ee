// Single runs: start one in the background, cancel it, list the runs folder, read one run's events.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunSummary } from "../../protocol/contract.ts";
import type { RunEvent } from "../../protocol/events.ts";
import { settleInterruptedRun } from "../../runs/interrupted.ts";
import { readManifest } from "../../runs/manifest.ts";
import { runDir } from "../../runs/paths.ts";
import { readRunLog } from "../../runs/run-log.ts";
import { executeRun, newRunId, RunInputError, WillNotFitError } from "../../runs/runner.ts";
import { getStrategy } from "../../strategies/registry.ts";
import { resolveStrategyParams } from "../../strategies/types.ts";
import { checkRoleModels, type EngineContext, type Input } from "./context.ts";

export async function startRun(ctx: EngineContext, input: Input<"startRun">): Promise<{ runId: string }> {
  // Validate what can be validated before answering, so a bad request fails the call itself.
  if (!input.task.question.trim()) throw new RunInputError("the task is empty: type a question");
  resolveStrategyParams(getStrategy(input.strategy), input.params ?? {});
  await checkRoleModels(input);
  const runId = newRunId(input.strategy);
  const signal = ctx.jobs.start("run", runId);
  const emit = (event: RunEvent) => ctx.batcher.push(runId, event);
  void executeRun({
    ...input,
    runId,
    outDir: ctx.options.runsDir,
    gpu: ctx.options.gpu,
    threads: ctx.options.threads,
    signal,
    onEvent: emit,
  })
    .catch((error: Error) => {
      // Failures before the log opens (a model that does not load) still reach the UI as a failed run.
      const code = signal.aborted
        ? "cancelled"
        : error instanceof WillNotFitError
          ? "will-not-fit"
          : error instanceof RunInputError
            ? "model-error"
            : "internal";
      emit({ type: "run-failed", at: Date.now(), reason: signal.aborted ? "cancelled by the user" : error.message, code });
    })
    .finally(() => {
      ctx.batcher.flush();
      ctx.jobs.finish(runId);
    });
  return { runId };
}

export async function cancelRun(ctx: EngineContext, { runId }: Input<"cancelRun">): Promise<{ cancelled: boolean }> {
  return { cancelled: ctx.jobs.cancel("run", runId) };
}

export async function listRunsHandler(ctx: EngineContext, _input: Input<"listRuns">): Promise<RunSummary[]> {
  return listRuns(ctx.options.runsDir, new Set(ctx.jobs.ids("run")));
}

export async function loadRun(ctx: EngineContext, { runId, experiment }: Input<"loadRun">): Promise<RunEvent[]> {
  return (await readRunLog(join(runDir(experiment ? join(experiment, "runs") : ctx.options.runsDir, runId), "events.jsonl"))).events;
}

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
    let status = manifest.status;
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
    summaries.push({
      runId,
      strategy: manifest.strategy,
      question: manifest.task.question,
      status,
      createdAt: manifest.createdAt,
      answer,
      correct,
      ...(failure ? { failure } : {}),
    });
  }
  return summaries.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
