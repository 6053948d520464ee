// `refinery report` says where it wrote each file it was asked for, as absolute paths, on stdout (stderr with --json).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { repoRoot, testModel } from "../support/models.ts";

const bin = join(repoRoot, "bin/refinery.mjs");

test("refinery report prints the absolute path of every file it wrote", async () => {
  const actor = await testModel("tinyChat");
  const scratch = mkdtempSync(join(tmpdir(), "refinery-report-"));
  const out = join(scratch, "exp");
  const experiment = spawnSync(
    process.execPath,
    [
      bin,
      "experiment",
      "--dataset",
      resolve(repoRoot, "../shared/data/tasks/gsm8k_test.jsonl"),
      "--limit",
      "1",
      "--strategy",
      "single-pass",
      "--actor",
      actor,
      "--max-tokens",
      "4",
      "--threads",
      "1",
      "--out",
      out,
      "--quiet",
    ],
    { encoding: "utf8", timeout: 300_000 },
  );
  assert.equal(experiment.status, 0, experiment.stderr);
  mkdirSync(join(scratch, "exports"));
  // Relative names, from another folder: the printed paths resolve them.
  const report = spawnSync(process.execPath, [bin, "report", out, "--html", "exports/r.html", "--csv", "exports/r.csv"], { encoding: "utf8", cwd: scratch });
  assert.equal(report.status, 0, report.stderr);
  const html = join(scratch, "exports/r.html");
  const csv = join(scratch, "exports/r.csv");
  assert.ok(report.stdout.includes(`wrote HTML report: ${html}\n`), report.stdout);
  assert.ok(report.stdout.includes(`wrote CSV: ${csv}\n`), report.stdout);
  assert.ok(existsSync(html) && existsSync(csv));

  const json = spawnSync(process.execPath, [bin, "report", out, "--json", "--jsonl", "exports/r.jsonl"], { encoding: "utf8", cwd: scratch });
  assert.equal(json.status, 0, json.stderr);
  JSON.parse(json.stdout);
  assert.ok(json.stderr.includes(`wrote JSONL: ${join(scratch, "exports/r.jsonl")}\n`), json.stderr);
});
