// A run whose writer was SIGKILLed is settled as interrupted on disk when runs are next listed; a run another
// live process is writing (here or on another machine) is left running.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { listRuns } from "../engine/service.ts";
import { INTERRUPTED } from "./interrupted.ts";
import { readManifest, writeManifest } from "./manifest.ts";
import { readRunLog } from "./run-log.ts";

const here = dirname(fileURLToPath(import.meta.url));

/** A writer process: starts a run whose generation never returns, says "started", and waits to be killed. */
function startWriter(runsDir: string) {
  const script = `
    import { executeRun } from ${JSON.stringify(join(here, "runner.ts"))};
    const hang = { kind: "scripted", parallelism: 1, generate: () => new Promise(() => {}), countTokens: async () => 1, usage: () => ({ tokensIn: 0, tokensOut: 0, requests: 0 }) };
    setInterval(() => {}, 1000);
    await executeRun(
      { strategy: "single-pass", actor: { path: "a" }, critic: { path: "c" }, task: { question: "q" }, outDir: process.argv[1], runId: "killed-run",
        onEvent: (e) => e.type === "node-added" && console.log("started") },
      { backends: { actor: hang, critic: hang } },
    );
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, runsDir], { stdio: ["ignore", "pipe", "inherit"] });
  const started = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("started") && resolve());
    child.on("exit", (code) => reject(new Error(`the writer exited early (${code})`)));
  });
  return { child, started };
}

test("a run whose writer is alive stays running; once the writer is SIGKILLed, listing settles it as interrupted on disk", async () => {
  const runsDir = mkdtempSync(join(tmpdir(), "refinery-interrupted-"));
  const writer = startWriter(runsDir);
  await writer.started;
  const manifestPath = join(runsDir, "killed-run", "manifest.json");
  assert.equal((await readManifest(manifestPath)).writer?.pid, writer.child.pid);
  assert.equal((await listRuns(runsDir, new Set()))[0]!.status, "running", "another live process's run is not mislabelled");
  const exited = new Promise((resolve) => writer.child.on("exit", resolve));
  writer.child.kill("SIGKILL");
  await exited;
  const [summary] = await listRuns(runsDir, new Set());
  assert.equal(summary!.status, "failed");
  assert.equal(summary!.failure, INTERRUPTED);
  const manifest = await readManifest(manifestPath);
  assert.equal(manifest.status, "failed", "settled on disk, not only in the listing");
  assert.equal(manifest.failure, INTERRUPTED);
  const log = await readRunLog(join(runsDir, "killed-run", "events.jsonl"));
  assert.deepEqual(
    log.events.map((e) => e.type),
    ["run-started", "node-added", "run-failed"],
  );
  assert.equal((await listRuns(runsDir, new Set()))[0]!.status, "failed", "settling is done once");
  assert.equal((await readRunLog(join(runsDir, "killed-run", "events.jsonl"))).events.length, 3);
});

test("a writer on another machine, or this process still running the run, is left alone; a reused pid is not the writer", async () => {
  const runsDir = mkdtempSync(join(tmpdir(), "refinery-interrupted-"));
  const writer = startWriter(runsDir);
  await writer.started;
  writer.child.kill("SIGKILL");
  const manifestPath = join(runsDir, "killed-run", "manifest.json");
  const running = await readManifest(manifestPath);
  writeManifest(manifestPath, { ...running, writer: { pid: 1, host: `${hostname()}-elsewhere` } });
  assert.equal((await listRuns(runsDir, new Set()))[0]!.status, "running");
  writeManifest(manifestPath, { ...running, writer: { pid: process.pid, host: hostname(), startTicks: -1 } });
  assert.equal((await listRuns(runsDir, new Set(["killed-run"])))[0]!.status, "running", "active in this engine");
  assert.equal((await listRuns(runsDir, new Set()))[0]!.status, "failed", "this pid, but another process start: the writer is gone");
});
