// Critic evaluations (ProcessBench earliest error, RealCritic closed loop): started in the background, progress as events.
import { join, resolve } from "node:path";
import type { CriticEvalEvent, CriticEvalRow } from "../../protocol/contract.ts";
import {
  type CriticEvalOutcome,
  describeCriticEval,
  type ProcessBenchItem,
  type RealCriticItem,
  readProcessBench,
  readRealCritic,
  runCriticEvaluation,
} from "../../eval/critic-eval.ts";
import { writeCriticEvalRuns } from "../../eval/critic-eval-runs.ts";
import { newRunId } from "../../runs/runner.ts";
import { checkModelFiles, type EngineContext, type Input } from "./context.ts";
import { writeFileAtomic } from "../../util/atomic-write.ts";

export async function startCriticEval(ctx: EngineContext, input: Input<"startCriticEval">): Promise<{ evalId: string }> {
  // A file of the wrong kind is refused in the call itself.
  const items = input.mode === "processbench" ? await readProcessBench(input.dataset, input.limit) : await readRealCritic(input.dataset, input.limit);
  await checkModelFiles([input.critic, ...(input.actor ? [input.actor] : [])]);
  const evalId = newRunId(`critic-eval-${input.mode}`);
  const signal = ctx.jobs.start("critic-eval", evalId);
  let event: CriticEvalEvent = {
    type: "critic-eval",
    evalId,
    mode: input.mode,
    dataset: resolve(input.dataset),
    state: "running",
    done: 0,
    total: items.length,
  };
  const publish = (update: Partial<CriticEvalEvent>) => {
    event = { ...event, ...update };
    ctx.options.emit(event);
  };
  publish({});
  void runCriticEvaluation({ ...input, gpu: ctx.options.gpu, threads: ctx.options.threads }, { signal, onProgress: (done, total) => publish({ done, total }) })
    .then(async (outcome) => {
      const written = await writeCriticEvalResult(ctx, evalId, input, items, outcome);
      publish({ state: "finished", summary: describeCriticEval(outcome), ...written, ...finishedScores(outcome) });
    })
    .catch((error: Error) => publish(signal.aborted ? { state: "cancelled" } : { state: "failed", error: error.message }))
    .finally(() => ctx.jobs.finish(evalId));
  return { evalId };
}

export async function cancelCriticEval(ctx: EngineContext, { evalId }: Input<"cancelCriticEval">): Promise<{ cancelled: boolean }> {
  return { cancelled: ctx.jobs.cancel("critic-eval", evalId) };
}

/** The rows' run records under `<critic-evals>/<evalId>/`, and every row (with its critic's text) in `<evalId>.json`. */
async function writeCriticEvalResult(
  ctx: EngineContext,
  evalId: string,
  request: Input<"startCriticEval">,
  items: ReadonlyArray<ProcessBenchItem | RealCriticItem>,
  outcome: CriticEvalOutcome,
): Promise<{ resultPath: string; folder: string; rows: CriticEvalRow[] }> {
  const dir = resolve(ctx.options.runsDir, "..", "critic-evals");
  const folder = join(dir, evalId);
  const rows = await writeCriticEvalRuns(folder, request, items, outcome);
  const resultPath = join(dir, `${evalId}.json`);
  const withRuns = outcome.result.rows.map((row, i) => ({ runId: rows[i]!.runId, ...row }));
  await writeFileAtomic(resultPath, `${JSON.stringify({ request, ...outcome, result: { ...outcome.result, rows: withRuns } }, null, 2)}\n`);
  return { resultPath, folder, rows };
}

function finishedScores(outcome: CriticEvalOutcome): Pick<CriticEvalEvent, "processbench" | "realcritic"> {
  if (outcome.mode === "processbench") {
    const r = outcome.result;
    return {
      processbench: { items: r.rows.length, erroneousAccuracy: r.erroneousAccuracy, correctAccuracy: r.correctAccuracy, f1: r.f1, unparseable: r.unparseable },
    };
  }
  const r = outcome.result;
  return {
    realcritic: { items: r.rows.length, solver: outcome.solver, accuracyBefore: r.accuracyBefore, accuracyAfter: r.accuracyAfter, transitions: r.transitions },
  };
}
