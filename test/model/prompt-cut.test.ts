// A dataset line longer than the context: node-llama-cpp's context shift drops what does not fit and generates
// anyway; the node says the prompt was cut (with how much the model saw), in the log and the replayed state.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { executeRun } from "../../native/runs/runner.ts";
import { replayRunLog } from "../../native/runs/run-log.ts";
import { storiesModel } from "../support/models.ts";

const outDir = mkdtempSync(join(tmpdir(), "refinery-prompt-cut-"));
const model = (maxTokens: number, contextSize = 256) => ({ path: storiesModel, sampling: { maxTokens }, load: { contextSize } });

test("a prompt longer than the context is refused before the run starts, in words; one that fits runs with no warning", async () => {
  // The run's own fit check refuses it before anything loads; node-llama-cpp's silent context shift, which would
  // drop most of the question, is never reached. A cut that still happens is a node warning (promptCut).
  await assert.rejects(
    executeRun({
      strategy: "single-pass",
      actor: model(8),
      critic: model(8),
      task: { question: "Once upon a time there was a cat. ".repeat(400) },
      seed: 1,
      outDir,
      threads: 1,
    }),
    /single-pass needs about \d+ tokens of context for its longest conversation .* but the actor's context is 256 tokens \(the context size given\)/,
  );
  const short = await executeRun({
    strategy: "single-pass",
    actor: model(8, 512),
    critic: model(8, 512),
    task: { question: "Once upon a time" },
    seed: 1,
    outDir,
    threads: 1,
  });
  assert.equal(short.state.status, "finished", short.state.failure?.reason ?? "");
  assert.equal(short.state.nodes.n1!.warning, undefined);
  assert.equal((await replayRunLog(short.logPath)).state.nodes.n1!.warning, undefined);
});

test("a strategy that never calls the critic is not bounded by the critic's budget (single-pass, a large critic budget, a small actor context)", async () => {
  const withBigCriticBudget = (strategy: string) =>
    executeRun({
      strategy,
      actor: model(8, 512),
      critic: { path: storiesModel, sampling: { maxTokens: 1500 } },
      task: { question: "Once upon a time" },
      seed: 1,
      outDir,
      threads: 1,
    });
  const run = await withBigCriticBudget("single-pass");
  assert.equal(run.state.status, "finished", run.state.failure?.reason ?? "");
  // Self-Refine does call it: the same budgets are refused, naming the critic's share.
  await assert.rejects(
    withBigCriticBudget("self-refine"),
    /self-refine needs about \d+ tokens of context .*critic 1500; grows with Max iterations \(4\)\), but the actor's context is 512 tokens/,
  );
});
