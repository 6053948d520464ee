// Single runs: start one in the background, cancel it, list the runs folder, read one run's events.
import { join } from "node:path";
import type { RunSummary } from "../../protocol/contract.ts";
import type { RunEvent } from "../../protocol/events.ts";
import { runDir } from "../../runs/paths.ts";
import { CANCELLED_BY_USER } from "../../runs/run-files.ts";
import { readRunLog } from "../../runs/run-log.ts";
import { listRuns } from "../../runs/run-list.ts";
import { moveRunToTrash } from "../../runs/trash.ts";
import { parseRunRequest, runConfigFrom, type RunPlace } from "../../runs/run-config.ts";
import { executeRun, failureCode, newRunId, RunInputError } from "../../runs/runner.ts";
import { checkRoleModels, type EngineContext, type Input } from "./context.ts";

export { listRuns };

export async function startRun(ctx: EngineContext, input: Input<"startRun">): Promise<{ runId: string }> {
  // Validate what can be validated before answering, so a bad request fails the call itself.
  const request = parseRunRequest(input, "ui");
  // A critic that could not be loaded is refused even when unused, as `refinery run` does: the user meant some other file.
  await checkRoleModels(request);
  const runId = newRunId(request.strategy);
  const signal = ctx.jobs.start("run", runId);
  const emit = (event: RunEvent) => ctx.batcher.push(runId, event);
  void executeRun(runConfigFrom(request, { ...engineRunPlace(ctx), runId, signal, onEvent: emit }))
    .catch((error: Error) => {
      // Failures before the log opens (a model that does not load) still reach the UI as a failed run.
      emit({ type: "run-failed", at: Date.now(), reason: signal.aborted ? CANCELLED_BY_USER : error.message, code: failureCode(error, signal.aborted) });
    })
    .finally(() => {
      ctx.batcher.flush();
      ctx.jobs.finish(runId);
    });
  return { runId };
}

/** Where this engine runs what it is asked: its runs folder, its backend and threads. */
export function engineRunPlace(ctx: EngineContext): RunPlace {
  return { outDir: ctx.options.runsDir, gpu: ctx.options.gpu, threads: ctx.options.threads };
}

export async function cancelRun(ctx: EngineContext, { runId }: Input<"cancelRun">): Promise<{ cancelled: boolean }> {
  return { cancelled: ctx.jobs.cancel("run", runId) };
}

export async function listRunsHandler(ctx: EngineContext, _input: Input<"listRuns">): Promise<RunSummary[]> {
  return listRuns(ctx.options.runsDir, new Set(ctx.jobs.ids("run")));
}

export async function deleteRun(ctx: EngineContext, { runId }: Input<"deleteRun">): Promise<{ trashedTo: string }> {
  if (ctx.jobs.ids("run").includes(runId)) throw new RunInputError(`run ${runId} is still running: cancel it before deleting it`);
  return { trashedTo: await moveRunToTrash(ctx.options.runsDir, runId) };
}

export async function loadRun(ctx: EngineContext, { runId, experiment }: Input<"loadRun">): Promise<RunEvent[]> {
  return (await readRunLog(join(runDir(experiment ? join(experiment, "runs") : ctx.options.runsDir, runId), "events.jsonl"))).events;
}
