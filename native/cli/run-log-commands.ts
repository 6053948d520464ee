// refinery replay and refinery runs: what a run folder holds, read back without loading a model.
import { flagOptions } from "../protocol/field-labels.ts";
import { COMMAND_FLAGS } from "./command-flags.ts";
import { formatDuration } from "../protocol/format.ts";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { listRuns } from "../runs/run-list.ts";
import { describeRunLogDamage, replayRunLog } from "../runs/run-log.ts";
import { parse, UsageError } from "./args.ts";
import { renderTree } from "./render-tree.ts";

export async function commandReplay(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, flagOptions(COMMAND_FLAGS.replay));
  const target = positionals[0];
  if (!target) throw new UsageError("replay needs a run folder or an events.jsonl file");
  const path = (await stat(target).catch(() => null))?.isDirectory() ? join(target, "events.jsonl") : target;
  const { state, log } = await replayRunLog(path);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
  } else {
    process.stdout.write(`${renderTree(state)}\n`);
    if (log.truncatedTail) process.stdout.write("(the log's last line was cut short by a crash; shown up to the last complete event)\n");
    const damage = describeRunLogDamage(path, log);
    if (damage) process.stdout.write(`(${damage})\n`);
  }
  return 0;
}

export async function commandRuns(args: string[]): Promise<number> {
  const { values } = parse(args, flagOptions(COMMAND_FLAGS.runs));
  // No run is active in this process: every "running" run whose writer is gone settles as interrupted.
  const runs = await listRuns(values.out ?? "runs", new Set());
  if (values.json) {
    process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
    return 0;
  }
  for (const run of runs) {
    const outcome =
      run.status === "finished"
        ? `finished${run.answer !== null ? ` → ${run.answer}` : ""}${run.correct === null ? "" : run.correct ? " (correct)" : " (incorrect)"}`
        : run.failure && run.status !== "cancelled"
          ? `${run.status}: ${run.failure}`
          : run.status;
    // When, with which models and for how long: eight runs on one question are told apart by these.
    const took = run.endedAt ? ` · ${formatDuration(Date.parse(run.endedAt) - Date.parse(run.createdAt))}` : "";
    const models = run.actor ? ` · ${run.critic && run.critic !== run.actor ? `${run.actor} + ${run.critic}` : run.actor}` : "";
    process.stdout.write(
      `${run.runId}  ${run.strategy}  ${outcome}\n  ${run.createdAt}${took}${models}\n  ${run.question.replace(/\s+/g, " ").slice(0, 70)}\n`,
    );
  }
  if (runs.length === 0) process.stdout.write(`no runs in ${values.out ?? "runs"}\n`);
  return 0;
}
