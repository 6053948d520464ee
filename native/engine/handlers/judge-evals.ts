// A judge measured against human labels from the compare tab: the file is read (and a wrong one refused) in the
// call, the judge loads and judges in the background, progress and the figures come as judge-eval events.
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { JudgeEvalEvent, JudgeEvalFigures } from "../../protocol/judge-agreement.ts";
import { specLabel } from "../../protocol/model-spec.ts";
import { evaluateJudge, type JudgeAgreement } from "../../eval/judges/judge-eval.ts";
import { readLabelled } from "../../eval/judges/human-labels.ts";
import { openModelBackend } from "../../runs/open-model.ts";
import { newRunId } from "../../runs/runner.ts";
import { writeFileAtomic } from "../../util/atomic-write.ts";
import { checkModelFiles, type EngineContext, type Input } from "./context.ts";

export async function startJudgeEval(ctx: EngineContext, input: Input<"startJudgeEval">): Promise<{ evalId: string }> {
  const set = await readLabelled(input.dataset, { limit: input.limit, mode: input.mode });
  await checkModelFiles([input.judge]);
  const evalId = newRunId("judge-eval");
  const signal = ctx.jobs.start("judge-eval", evalId);
  let event: JudgeEvalEvent = {
    type: "judge-eval",
    evalId,
    dataset: resolve(input.dataset),
    judge: specLabel(input.judge),
    state: "running",
    done: 0,
    total: set.items.length,
  };
  const publish = (update: Partial<JudgeEvalEvent>) => {
    event = { ...event, ...update };
    ctx.options.emit(event);
  };
  publish({});
  void (async () => {
    const backend = await openModelBackend({ path: input.judge }, { gpu: ctx.options.gpu, threads: ctx.options.threads, laneScope: "judge-eval", signal });
    const agreement = await evaluateJudge(
      set,
      { label: event.judge, backend },
      {
        signal,
        ...(input.seed !== undefined ? { seed: input.seed } : {}),
        ...(input.maxTokens ? { maxTokens: input.maxTokens } : {}),
        onProgress: (done, total) => publish({ done, total }),
      },
    );
    const dir = resolve(ctx.options.runsDir, "..", "judge-evals");
    await mkdir(dir, { recursive: true });
    const resultPath = join(dir, `${evalId}.json`);
    await writeFileAtomic(resultPath, `${JSON.stringify({ request: input, judge: event.judge, ...agreement }, null, 2)}\n`);
    publish({ state: "finished", figures: figuresOf(agreement), resultPath });
  })()
    .catch((error: Error) => publish(signal.aborted ? { state: "cancelled" } : { state: "failed", error: error.message }))
    .finally(() => ctx.jobs.finish(evalId));
  return { evalId };
}

export async function cancelJudgeEval(ctx: EngineContext, { evalId }: Input<"cancelJudgeEval">): Promise<{ cancelled: boolean }> {
  return { cancelled: ctx.jobs.cancel("judge-eval", evalId) };
}

/** The figures without the per-row labels: the event stays small; the rows are in the result file. */
function figuresOf(agreement: JudgeAgreement): JudgeEvalFigures {
  const { rows: _rows, ...figures } = agreement;
  return figures;
}
