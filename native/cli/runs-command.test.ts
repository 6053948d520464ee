// `refinery runs` as a user runs it: each run with when it started, how long it took and its models.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const repo = resolve(import.meta.dirname, "../..");

test("runs lists each run's start, duration and models under its outcome", () => {
  const out = mkdtempSync(join(tmpdir(), "refinery-runs-cli-"));
  mkdirSync(join(out, "r1"));
  writeFileSync(
    join(out, "r1", "manifest.json"),
    JSON.stringify({
      runId: "r1",
      createdAt: "2026-01-01T10:00:00.000Z",
      endedAt: "2026-01-01T10:07:38.522Z",
      status: "cancelled",
      strategy: "best-of-n",
      task: { question: "What is 2 + 2?" },
      models: [
        { role: "actor", path: "/models/qwen.gguf" },
        { role: "critic", path: "openai:http://127.0.0.1:8000/v1#judge" },
      ],
    }),
  );
  const result = spawnSync(process.execPath, [join(repo, "bin/refinery.mjs"), "runs", "--out", out], { encoding: "utf8", timeout: 120_000 });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, "r1  best-of-n  cancelled\n  2026-01-01T10:00:00.000Z · 7 min 39 s · qwen.gguf + judge @ 127.0.0.1:8000\n  What is 2 + 2?\n");
});
