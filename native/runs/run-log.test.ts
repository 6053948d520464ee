import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { holistic, isCritique, scriptedRun } from "../../test/support/scripted-run.ts";
import type { RunEvent } from "../protocol/events.ts";
import { foldRunEvents } from "../protocol/state.ts";
import { describeRunLogDamage, readRunLog, replayRunLog, RunLogWriter } from "./run-log.ts";
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

test("a corrupt line in the middle is skipped and reported by number; the rest of the run still reads", async () => {
  const run = await scriptedRun({ strategy: "single-pass", actor: () => "The answer is 1" });
  const broken = `${run.logPath}.broken`;
  const lines = readFileSync(run.logPath, "utf8").split("\n");
  lines.splice(1, 0, "{not json", "null");
  writeFileSync(broken, lines.join("\n"));
  const { state, log } = await replayRunLog(broken);
  assert.deepEqual(
    log.damaged.map((d) => d.line),
    [2, 3],
  );
  assert.match(log.damaged[1]!.reason, /null instead of an object/);
  assert.equal(state.status, "finished", "every event but the damaged lines was read");
  assert.deepEqual(state.order, run.state.order);
  assert.match(describeRunLogDamage(broken, log)!, /skipped 2 damaged lines of the run log: .*broken:2 \(not JSON/);
  await assert.rejects(readRunLog(`${run.logPath}.missing`), /run log not found/);
  writeFileSync(broken, `null\n${lines.slice(1).join("\n")}`);
  await assert.rejects(readRunLog(broken), /does not start with a run-started event \(.*:1 \(null instead of an object\)\)/);
  assert.equal(foldRunEvents([]).status, "empty");
});

test("an event appended to a log cut mid-line (the supervisor failing a crashed run) lands on a line of its own", async () => {
  const run = await scriptedRun({ strategy: "single-pass", actor: () => "The answer is 1" });
  const lines = readFileSync(run.logPath, "utf8").trimEnd().split("\n");
  writeFileSync(run.logPath, `${lines.slice(0, -1).join("\n")}\n${lines.at(-1)!.slice(0, 15)}`);
  const writer = new RunLogWriter(run.logPath);
  writer.append({ type: "run-failed", at: 1, reason: "the engine process stopped", code: "engine-crashed" });
  writer.close();
  const { state, log } = await replayRunLog(run.logPath);
  assert.equal(log.truncatedTail, false);
  assert.deepEqual(log.damaged, []);
  assert.equal(state.status, "failed");
  assert.equal(state.failure?.reason, "the engine process stopped");
});

test("a completed node's flush runs behind the run; the run's end waits for the disk", async () => {
  const run = await scriptedRun({ strategy: "single-pass", actor: () => "The answer is 1" });
  const events = readFileSync(run.logPath, "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as RunEvent);
  const path = `${run.logPath}.rewritten`;
  const writer = new RunLogWriter(path);
  const completed = events.find((e) => e.type === "node-completed")!;
  writer.append(completed);
  assert.equal(writer.pendingFlushes, 1, "the node's flush is in the background");
  assert.ok(readFileSync(path, "utf8").includes('"node-completed"'), "and the node is in the file already");
  while (writer.pendingFlushes > 0) await new Promise((resolveTurn) => setImmediate(resolveTurn));
  writer.append(events.find((e) => e.type === "run-finished")!);
  assert.equal(writer.pendingFlushes, 0, "the run's end flushed before append returned");
  writer.close();
});
