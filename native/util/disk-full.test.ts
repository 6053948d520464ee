// A disk that fills mid-run, on a real small tmpfs: one plain message, every file consistent, no temp files,
// and an experiment that resumes once there is space. Needs mount(8) permission (root); skipped without it.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isCritique } from "../../test/support/scripted-run.ts";
import { ScriptedBackend } from "../llm/scripted-backend.ts";
import { readCheckpoint, runExperiment, summarize, type ExperimentConfig } from "../eval/experiment.ts";
import { readManifest } from "../runs/manifest.ts";
import { readRunLog } from "../runs/run-log.ts";
import { executeRun } from "../runs/runner.ts";

const mounts: string[] = [];
function smallDisk(size: string): string | null {
  const dir = mkdtempSync(join(tmpdir(), "refinery-full-"));
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { encoding: "utf8" });
  if (mounted.status !== 0) return null;
  mounts.push(dir);
  return dir;
}
after(() => {
  for (const dir of mounts) spawnSync("umount", [dir]);
});
const probe = smallDisk("64k");
const skip = probe ? false : "mounting a tmpfs is not permitted here (needs root or CAP_SYS_ADMIN); the disk-full tests did not run";

/** Every file under dir, relative. */
function allFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? allFiles(join(dir, name), `${prefix}${name}/`) : [`${prefix}${name}`]));
}
const leftovers = (dir: string) => allFiles(dir).filter((f) => f.endsWith(".tmp") || f.endsWith(".space-reserve"));
const big = (kb: number) => `The answer is 3\n${"x".repeat(kb * 1024)}`;

test("a run that fills the disk ends with one run-failed saying where, and its log and manifest agree", { skip }, async () => {
  const disk = smallDisk("512k")!;
  const events: string[] = [];
  const result = await executeRun(
    {
      strategy: "self-refine",
      params: { maxIterations: 16, stopScore: 10 },
      actor: { path: "a" },
      critic: { path: "c" },
      task: { question: "What is 1 + 2?", reference: "3" },
      outDir: disk,
      runId: "full-run",
      parallel: false,
      onEvent: (event) => event.type !== "token-delta" && events.push(event.type),
    },
    {
      backends: {
        actor: new ScriptedBackend((r) => (isCritique(r) ? JSON.stringify({ critique: "redo", correct: false, score: 1 }) : big(40))),
        critic: new ScriptedBackend(() => "{}"),
      },
    },
  );
  assert.ok(result.diskFull, "the run knows the disk filled");
  assert.equal(result.state.status, "failed");
  assert.match(result.state.failure!.reason, /^the disk is full at \S*full-run\S*: free some space/);
  assert.deepEqual(
    events.filter((t) => t === "run-finished" || t === "run-failed"),
    ["run-failed"],
    "said once, to the UI",
  );
  const log = await readRunLog(result.logPath);
  assert.deepEqual(log.damaged, []);
  assert.equal(log.truncatedTail, false);
  const ends = log.events.filter((e) => e.type === "run-finished" || e.type === "run-failed");
  assert.deepEqual(
    ends.map((e) => e.type),
    ["run-failed"],
    "the log ends once, failed",
  );
  assert.ok(log.events.filter((e) => e.type === "node-completed").length >= 2, "the nodes written before the disk filled are kept");
  const manifest = await readManifest(result.manifestPath);
  assert.equal(manifest.status, "failed");
  assert.equal(manifest.failure, result.state.failure!.reason);
  assert.equal(manifest.writer, undefined, "a run that ended names no writer");
  assert.deepEqual(leftovers(disk), []);
  assert.doesNotMatch(readFileSync(result.logPath, "utf8"), /ENOSPC/);
});

test("a run that cannot start on a full disk says so and leaves no folder", { skip }, async () => {
  const disk = smallDisk("64k")!;
  writeFileSync(join(disk, "filler"), Buffer.alloc(60 * 1024));
  await assert.rejects(
    executeRun(
      { strategy: "single-pass", actor: { path: "a" }, critic: { path: "c" }, task: { question: "q" }, outDir: disk, runId: "no-room" },
      { backends: { actor: new ScriptedBackend(() => "The answer is 1"), critic: new ScriptedBackend(() => "{}") } },
    ),
    (error: Error) => error.name === "DiskFullError" && /^the disk is full at .*no-room/.test(error.message),
  );
  assert.deepEqual(readdirSync(disk), ["filler"]);
});

test("an experiment that fills the disk stops with the message, keeps a consistent checkpoint, and resumes when there is space", { skip }, async () => {
  const disk = smallDisk("1m")!;
  const dataset = join(mkdtempSync(join(tmpdir(), "refinery-full-data-")), "tasks.jsonl");
  writeFileSync(dataset, Array.from({ length: 16 }, (_, i) => JSON.stringify({ question: `What is ${i} + 0?`, answer: String(i) })).join("\n"));
  const config: ExperimentConfig = { dataset, columns: [{ name: "single", strategy: "single-pass", actor: { path: "a" }, critic: { path: "c" } }], seed: 0 };
  const backends = () => ({
    actor: new ScriptedBackend((r) => `The answer is ${/What is (\d+)/.exec(r.messages.at(-1)!.content)?.[1]}\n${"y".repeat(30 * 1024)}`),
    critic: new ScriptedBackend(() => "{}"),
  });
  const dir = join(disk, "exp");
  await assert.rejects(
    runExperiment(dir, config, { deps: { backends: backends() } }),
    (error: Error) => /^the disk is full at /.test(error.message) && !/ENOSPC/.test(error.message),
  );
  const checkpoint = readCheckpoint(dir);
  assert.deepEqual(checkpoint.damaged, []);
  assert.equal(checkpoint.tornTail, false);
  const done = checkpoint.records.length;
  assert.ok(done > 0 && done < 16, `some cells finished before the disk filled (${done})`);
  assert.ok(
    checkpoint.records.every((r) => r.status === "finished"),
    "no cell was recorded as failed for the disk's sake",
  );
  assert.deepEqual(leftovers(dir), []);
  JSON.parse(readFileSync(join(dir, "experiment.json"), "utf8"));
  for (const runId of readdirSync(join(dir, "runs"))) {
    const manifest = await readManifest(join(dir, "runs", runId, "manifest.json"));
    assert.notEqual(manifest.status, "running", `${runId} is not left running`);
  }
  // More space (as if the user freed some): the experiment resumes and finishes every cell once.
  assert.equal(spawnSync("mount", ["-o", "remount,size=16m", disk]).status, 0);
  const results = await runExperiment(dir, config, { deps: { backends: backends() } });
  assert.deepEqual(
    results.map((r) => r.item).sort((a, b) => a - b),
    Array.from({ length: 16 }, (_, i) => i),
  );
  assert.equal(summarize(results, ["single"]).columns[0]!.accuracy, 1);
  assert.deepEqual(leftovers(dir), []);
  rmSync(dataset, { force: true });
});
