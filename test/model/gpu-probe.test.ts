// Backend proving: a backend whose process aborts is reported with the reason and the next one is used.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { getLlamaGpuTypes } from "node-llama-cpp";
import { backendOptions } from "../../native/llm/backend-options.ts";
import { defaultProbeCommand, explain, probeBackends, type ProbeCommand } from "../../native/llm/gpu-probe.ts";
import { type GpuChoice, openRuntime } from "../../native/llm/runtime.ts";
import { repoRoot } from "../support/models.ts";

process.env.REFINERY_CACHE_DIR = mkdtempSync(join(tmpdir(), "refinery-probe-"));

// CUDA's probe process prints the driver error and aborts, as node-llama-cpp 3.21.1's CUDA build does on
// driver 580; Vulkan's exits with an error; the CPU probe is the real one.
const simulated: ProbeCommand = (backend, model) => {
  if (backend === "cuda") {
    return {
      command: process.execPath,
      args: ["-e", "process.stderr.write('CUDA error: the provided PTX was compiled with an unsupported toolchain.\\n'); process.abort()"],
    };
  }
  if (backend === "vulkan")
    return { command: process.execPath, args: ["-e", "console.log(JSON.stringify({ ok: false, gpu: 'vulkan', error: 'NoBinaryFoundError' }))"] };
  return defaultProbeCommand(backend, model);
};

test("a backend that aborts its process is reported, with advice, and the next backend is proven", async () => {
  const report = await probeBackends({ command: simulated, candidates: ["cuda", "vulkan", "cpu"] });
  assert.equal(report.chosen, "cpu");
  assert.deepEqual(
    report.results.map((r) => [r.backend, r.ok]),
    [
      ["cuda", false],
      ["vulkan", false],
      ["cpu", true],
    ],
  );
  const cuda = report.results[0]!;
  assert.equal(cuda.crashed, true);
  assert.match(cuda.reason!, /update the NVIDIA driver/);
  assert.match(report.reasons[0]!, /^cuda skipped: the CUDA build aborted at its first decode .* update the NVIDIA driver to use CUDA$/);
  assert.match(report.reasons[1]!, /^vulkan skipped: no vulkan build of llama.cpp loads on this machine/);
  assert.ok(report.results[2]!.decodeMs! > 0, "the CPU probe really decoded");
});

test("the first working backend wins and later ones are not probed; results are cached per machine", async () => {
  const working: ProbeCommand = (backend, model) =>
    backend === "vulkan"
      ? { command: process.execPath, args: ["-e", "console.log(JSON.stringify({ ok: true, gpu: 'vulkan', devices: ['Fake GPU'], decodeMs: 1 }))"] }
      : simulated(backend, model);
  const report = await probeBackends({ command: working, candidates: ["cuda", "vulkan", "cpu"] });
  assert.equal(report.chosen, "vulkan");
  assert.equal(report.results.length, 2);
  assert.deepEqual(report.results[1]!.devices, ["Fake GPU"]);
  assert.equal(report.reasons.length, 1);
  const fresh = await probeBackends({ refresh: true });
  const cached = await probeBackends();
  assert.equal(cached.fromCache, true);
  assert.equal(cached.chosen, fresh.chosen);
  assert.equal(explain("cuda", "its process was killed by SIGABRT"), "cuda skipped: its process was killed by SIGABRT");
});

test("the backend menu offers only what this platform has, and says in words why one cannot run", async () => {
  const valid = (await getLlamaGpuTypes("allValid")).filter((t) => t !== false);
  const supported = await getLlamaGpuTypes("supported");
  const options = await backendOptions(null);
  assert.deepEqual(
    options.map((o) => o.backend),
    ["auto", ...valid, "cpu"],
  );
  if (process.platform !== "darwin") assert.ok(!options.some((o) => o.backend === "metal"), "no Metal off macOS");
  for (const option of options) {
    assert.equal(option.available, option.backend === "auto" || option.backend === "cpu" || supported.includes(option.backend as "cuda"), option.backend);
    if (!option.available) {
      assert.match(option.reason!, /is not available on this machine: it needs /);
      assert.doesNotMatch(option.reason!, /Error\b/, "a reason, not an exception's name");
    }
  }
  // A probe that found a backend broken makes it unavailable, with the probe's reason.
  const probed = await backendOptions({ results: [{ backend: valid[0]!, ok: false, devices: [], reason: `${valid[0]} skipped: the driver is too old` }] });
  assert.deepEqual(
    probed.find((o) => o.backend === valid[0]),
    { backend: valid[0], available: false, reason: "the driver is too old" },
  );
});

test("a backend asked for by name that cannot run records why the engine runs on the CPU", async () => {
  const supported = await getLlamaGpuTypes("supported");
  const asked: GpuChoice[] = process.platform === "darwin" ? [] : ["metal"];
  if (!supported.includes("cuda")) asked.push("cuda");
  assert.ok(asked.length > 0 || process.platform === "darwin");
  for (const gpu of asked) {
    const runtime = await openRuntime({ gpu, threads: 1 });
    assert.equal(runtime.report.active, "cpu", gpu);
    assert.ok(runtime.report.fallbackReason, `${gpu}: a reason is recorded`);
    assert.doesNotMatch(runtime.report.fallbackReason!, /NoBinaryFoundError/);
    assert.match(runtime.report.fallbackReason!, /running on the CPU$/);
    if (gpu === "metal") assert.match(runtime.report.fallbackReason!, /^metal was asked for, but this platform \(\w+\) has no metal build/);
    if (gpu === "cuda") assert.match(runtime.report.fallbackReason!, /^CUDA is not available on this machine: it needs an NVIDIA GPU/);
  }
});

test("refinery gpu prints the backend, devices, VRAM, CPU and cores, not the cache key", () => {
  const result = spawnSync(process.execPath, [join(repoRoot, "bin/refinery.mjs"), "gpu"], { encoding: "utf8", timeout: 300_000, env: process.env });
  assert.equal(result.status, 0, result.stderr);
  const cpu = cpus();
  assert.match(result.stdout, /^backend: (cpu|cuda|vulkan|metal) \(proven /m);
  assert.match(result.stdout, /^devices: /m);
  assert.match(result.stdout, /^VRAM: /m);
  assert.ok(result.stdout.includes(`CPU: ${cpu[0]!.model.trim()} · ${cpu.length} cores`), result.stdout);
  assert.match(result.stdout, /^RAM: [\d.]+ (MiB|GiB) free of [\d.]+ (MiB|GiB)$/m);
  assert.doesNotMatch(result.stdout, /machine:|node-llama-cpp \d|nvidia driver|\|/, "no raw cache key");
});
