import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { holistic, isCritique, scriptedRun } from "../../test/support/scripted-run.ts";
import { foldRunEvents } from "../protocol/state.ts";
import { readRunLog, replayRunLog } from "./run-log.ts";
import { readManifest } from "./manifest.ts";

test("replaying the log rebuilds the state the run ended with; token deltas are not stored", async () => {
  const live: string[] = [];
  const run = await scriptedRun({
    strategy: "self-refine",
    actor: (r) => (isCritique(r) ? holistic(false, 3) : "Step 1\nThe answer is 3"),
    onEvent: (event) => live.push(event.type),
  });
  const { state, log } = await replayRunLog(run.logPath);
  assert.deepEqual(state, run.state);
  assert.ok(live.includes("token-delta"));
  assert.ok(!log.events.some((e) => e.type === "token-delta"));
  assert.equal(log.truncatedTail, false);
  const manifest = await readManifest(run.manifestPath);
  assert.equal(manifest.status, "finished");
  assert.equal(manifest.seed, 1);
  assert.ok(manifest.prompts.solverSystem);
});

test("a log cut mid-line by a crash replays up to the last whole event and shows the run unfinished", async () => {
  const run = await scriptedRun({ strategy: "single-pass", actor: () => "The answer is 1" });
  const lines = readFileSync(run.logPath, "utf8").trimEnd().split("\n");
  const crashed = `${run.logPath}.crashed`;
  writeFileSync(crashed, `${lines.slice(0, -1).join("\n")}\n${lines.at(-1)!.slice(0, 20)}`);
  const { state, log } = await replayRunLog(crashed);
  assert.equal(log.truncatedTail, true);
  assert.equal(state.status, "running");
  assert.deepEqual(state.order, run.state.order);
});

test("a corrupt line in the middle is an error naming the line", async () => {
  const run = await scriptedRun({ strategy: "single-pass", actor: () => "The answer is 1" });
  const broken = `${run.logPath}.broken`;
  const lines = readFileSync(run.logPath, "utf8").split("\n");
  lines.splice(1, 0, "{not json");
  writeFileSync(broken, lines.join("\n"));
  await assert.rejects(readRunLog(broken), /:2: not a run event/);
  await assert.rejects(readRunLog(`${run.logPath}.missing`), /run log not found/);
  appendFileSync(broken, "");
  assert.equal(foldRunEvents([]).status, "empty");
});
