// Backend proving: a backend whose process aborts is reported with the reason and the next one is used.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultProbeCommand, explain, probeBackends, type ProbeCommand } from "../../native/llm/gpu-probe.ts";

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
