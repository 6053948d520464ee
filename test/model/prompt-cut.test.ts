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
const model = (maxTokens: number) => ({ path: storiesModel, sampling: { maxTokens }, load: { contextSize: 256 } });

test("a prompt longer than the context is reported as cut on its node; one that fits is not", async () => {
  const long = await executeRun({ strategy: "single-pass", actor: model(8), critic: model(8), task: { question: "Once upon a time there was a cat. ".repeat(400) }, seed: 1, outDir, threads: 1 });
  assert.equal(long.state.status, "finished", long.state.failure?.reason ?? "");
  const node = long.state.nodes.n1!;
  assert.match(node.warning ?? "", /^the prompt was cut to fit the 256-token context: the model saw [\d,]+ of its 13,\d{3} characters$/);
  assert.equal((await replayRunLog(long.logPath)).state.nodes.n1!.warning, node.warning, "the warning is in the log");

  const short = await executeRun({ strategy: "single-pass", actor: model(8), critic: model(8), task: { question: "Once upon a time" }, seed: 1, outDir, threads: 1 });
  assert.equal(short.state.nodes.n1!.warning, undefined);
});
