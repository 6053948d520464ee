// Refinery's children start the same way from any folder, and one that dies early says why.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineHost, forkEngine } from "../engine/host.ts";
import { defaultProbeCommand } from "../llm/gpu-probe.ts";
import { failureLine } from "./child-process.ts";

const elsewhere = mkdtempSync(join(tmpdir(), "refinery-elsewhere-"));

test("a child that fails before reporting is explained by its error line, not Node's version footer", () => {
  const result = spawnSync(process.execPath, ["--import", "no-such-loader-refinery", "-e", "0"], { cwd: elsewhere, encoding: "utf8" });
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /Node\.js v\d/, "Node ends its report with its version");
  const line = failureLine(result.stderr);
  assert.match(line ?? "", /Cannot find package 'no-such-loader-refinery'/);
});

test("the GPU probe child starts from another working directory", () => {
  const { command, args } = defaultProbeCommand("cpu", join(elsewhere, "missing.gguf"));
  const result = spawnSync(command, args, { cwd: elsewhere, encoding: "utf8", env: { ...process.env, NODE_LLAMA_CPP_SKIP_DOWNLOAD: "true" } });
  const report = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "null") as { ok: boolean; error?: string } | null;
  assert.ok(report, `the probe printed its JSON line (stderr: ${failureLine(result.stderr)})`);
  assert.equal(report.ok, false);
  assert.doesNotMatch(report.error ?? "", /tsx/);
});

test("the engine process starts from another working directory", async () => {
  const cwd = process.cwd();
  process.chdir(elsewhere);
  const host = new EngineHost({ spawn: forkEngine({ runsDir: join(elsewhere, "runs") }), runsDir: join(elsewhere, "runs") });
  try {
    const strategies = await host.request("listStrategies", {});
    assert.ok(strategies.ok, strategies.ok ? "" : strategies.error);
    assert.ok((strategies.value as unknown[]).length > 5);
  } finally {
    host.dispose();
    process.chdir(cwd);
  }
});
