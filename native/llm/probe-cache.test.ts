// The GPU probe's cache under concurrency and faults: fresh-cache races, a corrupt probe model, failures of the
// moment (never cached) and failures that expire. Probe children are stand-ins that answer at once; the real
// CPU probe runs in test/model/gpu-probe.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { lastErrorLine, machineKey, probeBackends, type ProbeCommand, type ProbeReport } from "./gpu-probe.ts";
import { ensureProbeModel, FAILURE_TTL_MS, readCachedReport } from "./probe-cache.ts";

const here = dirname(fileURLToPath(import.meta.url));
const fresh = () => mkdtempSync(join(tmpdir(), "refinery-probe-cache-"));

/** CUDA and Vulkan refuse cleanly; the CPU stand-in checks that the model it was given is a whole GGUF. */
const CHILD = `
const [backend, model] = process.argv.slice(1);
const bytes = require("node:fs").readFileSync(model);
if (backend !== "cpu") console.log(JSON.stringify({ ok: false, error: "NoBinaryFoundError" }));
else if (bytes.subarray(0, 4).toString() !== "GGUF" || bytes.length < 1000) console.log(JSON.stringify({ ok: false, error: "bad model " + bytes.length }));
else console.log(JSON.stringify({ ok: true, devices: [], decodeMs: 1 }));
`;
const standIn: ProbeCommand = (backend, model) => ({ command: process.execPath, args: ["-e", CHILD, backend, model] });

test("six processes probing at once on a fresh cache all succeed and leave one valid model, one valid report, no temp files", async () => {
  const dir = fresh();
  const script = `
    import { probeBackends } from ${JSON.stringify(join(here, "gpu-probe.ts"))};
    const command = (backend, model) => ({ command: process.execPath, args: ["-e", ${JSON.stringify(CHILD)}, backend, model] });
    const report = await probeBackends({ refresh: true, all: true, command, cacheDir: process.argv[1] });
    if (report.chosen !== "cpu") throw new Error("chose " + report.chosen);
  `;
  const runs = await Promise.all(
    Array.from(
      { length: 6 },
      () =>
        new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, dir], { stdio: ["ignore", "ignore", "pipe"] });
          let stderr = "";
          child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
          child.on("close", (code) => resolve({ code, stderr }));
        }),
    ),
  );
  assert.deepEqual(
    runs.map((r) => r.code),
    [0, 0, 0, 0, 0, 0],
    runs.map((r) => r.stderr).join("\n"),
  );
  assert.deepEqual(readdirSync(dir).sort(), ["gpu-probe.json", "probe-model.gguf"]);
  assert.equal((await ensureProbeModel(dir)).rebuilt, false, "the model left behind is the right one");
  const cached = await readCachedReport(join(dir, "gpu-probe.json"), await machineKey());
  assert.equal(cached?.chosen, "cpu");
});

test("a corrupt or truncated probe model is rebuilt before probing", async () => {
  const dir = fresh();
  const { path, rebuilt } = await ensureProbeModel(dir);
  assert.equal(rebuilt, true, "a missing model is built");
  const good = readFileSync(path);
  assert.equal((await ensureProbeModel(dir)).rebuilt, false);
  writeFileSync(path, "GGUF but not really");
  const report = await probeBackends({ refresh: true, command: standIn, cacheDir: dir });
  assert.equal(report.chosen, "cpu", JSON.stringify(report.results));
  assert.deepEqual(readFileSync(path), good);
  truncateSync(path, 100);
  assert.equal((await ensureProbeModel(dir)).rebuilt, true);
  assert.deepEqual(readFileSync(path), good);
});

test("a failure of the moment is never cached: a CPU failure, a timeout, a child that died without a report", async () => {
  const momentary: Record<string, ProbeCommand> = {
    "cpu refuses": (backend, model) =>
      backend === "cpu"
        ? { command: process.execPath, args: ["-e", 'console.log(JSON.stringify({ ok: false, error: "EACCES: permission denied" }))'] }
        : standIn(backend, model),
    "cpu times out": (backend, model) =>
      backend === "cpu" ? { command: process.execPath, args: ["-e", "setTimeout(() => {}, 60000)"] } : standIn(backend, model),
    "vulkan's child dies before reporting": (backend, model) =>
      backend === "vulkan"
        ? {
            command: process.execPath,
            args: ["-e", "console.error('Error [ERR_MODULE_NOT_FOUND]: Cannot find package tsx'); console.error('Node.js v20.20.2'); process.exit(1)"],
          }
        : standIn(backend, model),
    "cuda's probe command does not exist": (backend, model) => (backend === "cuda" ? { command: "/nonexistent/node", args: [] } : standIn(backend, model)),
  };
  for (const [what, command] of Object.entries(momentary)) {
    const dir = fresh();
    const report = await probeBackends({ refresh: true, all: true, command, cacheDir: dir, timeoutMs: 1500 });
    assert.ok(
      report.results.some((r) => !r.ok && r.reproducible === false),
      `${what}: ${JSON.stringify(report.results)}`,
    );
    assert.equal(existsSync(join(dir, "gpu-probe.json")), false, `${what}: not cached`);
  }
  const dir = fresh();
  const died = await probeBackends({ refresh: true, all: true, command: momentary["vulkan's child dies before reporting"]!, cacheDir: dir });
  assert.match(
    died.results[1]!.reason!,
    /exited with code 1: Error \[ERR_MODULE_NOT_FOUND\]: Cannot find package tsx$/,
    "the real error, not Node's version footer",
  );
  // Clean refusals by CUDA and Vulkan with a working CPU are cached.
  const clean = await probeBackends({ refresh: true, all: true, command: standIn, cacheDir: dir });
  assert.deepEqual(
    clean.results.map((r) => r.reproducible ?? null),
    [true, true, null],
  );
  assert.ok(existsSync(join(dir, "gpu-probe.json")));
});

test("a cached report is reused only for this machine, without failures of the moment, and failures expire after a day", async () => {
  const dir = fresh();
  const file = join(dir, "gpu-probe.json");
  const machine = await machineKey();
  const report = (results: ProbeReport["results"], probedAt = new Date().toISOString()): ProbeReport => ({
    machine,
    results,
    chosen: "cpu",
    reasons: [],
    fromCache: false,
    probedAt,
  });
  const refused = { backend: "cuda" as const, ok: false, devices: [], reason: "cuda skipped: no cuda build", reproducible: true };
  const cpu = { backend: "cpu" as const, ok: true, devices: [] };
  const write = (value: unknown) => writeFileSync(file, JSON.stringify(value));
  write(report([refused, cpu]));
  assert.ok(await readCachedReport(file, machine));
  assert.equal(await readCachedReport(file, `${machine} with another driver`), null);
  write(report([refused, cpu], new Date(Date.now() - FAILURE_TTL_MS - 1000).toISOString()));
  assert.equal(await readCachedReport(file, machine), null, "an old failure is probed again");
  write(report([cpu], new Date(Date.now() - 30 * FAILURE_TTL_MS).toISOString()));
  assert.ok(await readCachedReport(file, machine), "a success does not expire");
  // What a fresh machine's first `npm test` once cached: a one-off "cpu skipped" (written before this rule).
  write(report([{ backend: "cpu", ok: false, devices: [], reason: "cpu skipped: its process exited with code 1: Node.js v20.20.2", crashed: true }]));
  assert.equal(await readCachedReport(file, machine), null);
  for (const junk of ["null", "[]", "{", '{"machine":1}']) {
    writeFileSync(file, junk);
    assert.equal(await readCachedReport(file, machine), null, junk);
  }
});

test("the error line of a dead child skips stack frames and Node's version footer", () => {
  assert.equal(
    lastErrorLine("node:internal/x:1\n  throw err;\n  ^\n\nError: Cannot find module 'tsx'\n    at Module._resolve (node:x:1)\n\nNode.js v20.20.2\n"),
    "Error: Cannot find module 'tsx'",
  );
  assert.equal(lastErrorLine("something odd\n"), "something odd");
  assert.equal(lastErrorLine(""), undefined);
});
