// An experiment through node-llama-cpp on generated models: 20 GSM8K items × 3 strategies, killed midway,
// resumed, then reported (HTML that opens offline, CSV, preference pairs).
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { repoRoot, testModel } from "../support/models.ts";

const bin = join(repoRoot, "bin/refinery.mjs");
const gsm8k = resolve(repoRoot, "../shared/data/tasks/gsm8k_test.jsonl");
let actor: string;
let critic: string;

before(async () => {
  actor = await testModel("tinyChat");
  critic = await testModel("tinyCritic");
});

test("an experiment killed midway resumes without redoing cells and reports", async () => {
  const out = join(mkdtempSync(join(tmpdir(), "refinery-exp-e2e-")), "exp");
  const args = [
    bin,
    "experiment",
    "--dataset",
    gsm8k,
    "--limit",
    "20",
    "--strategy",
    "single-pass",
    "--strategy",
    "self-consistency:n=2",
    "--strategy",
    "best-of-n:n=2",
    "--actor",
    actor,
    "--critic",
    critic,
    "--max-tokens",
    "12",
    "--threads",
    "1",
    "--seed",
    "3",
    "--out",
    out,
    "--concurrency",
    "2",
  ];
  const results = join(out, "results.jsonl");
  const lines = () => (existsSync(results) ? readFileSync(results, "utf8").trim().split("\n").filter(Boolean).length : 0);
  const child = spawn(process.execPath, args, { stdio: "ignore" });
  await new Promise<void>((resolveKill) => {
    const timer = setInterval(() => {
      if (lines() >= 10) {
        child.kill("SIGKILL");
        clearInterval(timer);
      }
    }, 50);
    child.on("exit", () => {
      clearInterval(timer);
      resolveKill();
    });
  });
  const before = lines();
  assert.ok(before >= 10 && before < 60, `killed after ${before} cells`);
  const resumed = spawnSync(process.execPath, [bin, "experiment", "--out", out, "--json", "--quiet"], { encoding: "utf8", timeout: 600_000 });
  assert.equal(resumed.status, 0, resumed.stderr);
  const rows = readFileSync(results, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { item: number; column: string });
  assert.equal(rows.length, 60);
  assert.equal(new Set(rows.map((r) => `${r.item}|${r.column}`)).size, 60, "no cell was done twice");
  const summary = JSON.parse(resumed.stdout);
  assert.deepEqual(
    summary.columns.map((c: { column: string }) => c.column),
    ["single-pass", "self-consistency(n=2)", "best-of-n(n=2)"],
  );
  assert.ok(summary.columns.every((c: { items: number }) => c.items === 20));

  const html = join(out, "report.html");
  const csv = join(out, "results.csv");
  assert.ok(summary.budgetMatched.length >= 1 && summary.columns.every((c: { dynamics: unknown[] }) => c.dynamics.length >= 1));
  const report = spawnSync(
    process.execPath,
    [
      bin,
      "report",
      out,
      "--html",
      html,
      "--csv",
      csv,
      "--jsonl",
      join(out, "export.jsonl"),
      "--pairs",
      join(out, "pairs.jsonl"),
      "--baseline",
      "best-of-n(n=2)",
    ],
    { encoding: "utf8" },
  );
  assert.equal(report.status, 0, report.stderr);
  const page = readFileSync(html, "utf8");
  assert.match(page, /<svg[^>]+aria-label="accuracy against tokens"/);
  assert.match(page, /Pareto frontier/);
  assert.match(page, /aria-label="score and accuracy by candidate"/);
  assert.match(page, /Budget-matched comparison/);
  assert.match(page, /Run manifests<\/h2><details><summary>60 runs/);
  assert.match(page, /baseline <b>best-of-n\(n=2\)<\/b>/);
  assert.equal(readFileSync(join(out, "export.jsonl"), "utf8").trim().split("\n").length, 60);
  assert.doesNotMatch(page, /<(script|link)[^>]+(src|href)="http/, "opens offline: no external resources");
  assert.equal(readFileSync(csv, "utf8").trim().split("\n").length, 61);
});

test("multiple-choice (ARC) and code (HumanEval) items are checked inside experiments run through node-llama-cpp", () => {
  const shared = resolve(repoRoot, "../shared/data");
  // Two model pairs on the ARC slice: columns are strategy × pair.
  for (const [dataset, limit, models] of [
    ["realcritic/arc-challenge.jsonl", "3", ["--pair", actor, "--pair", `${critic},${actor}`]],
    ["tasks/humaneval.jsonl", "2", ["--actor", actor]],
  ] as const) {
    const out = join(mkdtempSync(join(tmpdir(), "refinery-exp-kinds-")), "exp");
    const run = spawnSync(
      process.execPath,
      [
        bin,
        "experiment",
        "--dataset",
        join(shared, dataset),
        "--limit",
        limit,
        "--strategy",
        "single-pass",
        ...models,
        "--max-tokens",
        "16",
        "--threads",
        "1",
        "--out",
        out,
        "--json",
        "--quiet",
      ],
      { encoding: "utf8", timeout: 300_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    const rows = readFileSync(join(out, "results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { correct: unknown; status: string });
    const columns = JSON.parse(run.stdout).columns.map((c: { column: string }) => c.column);
    assert.deepEqual(columns, models.length > 2 ? ["single-pass @ tinyChat", "single-pass @ tinyCritic+tinyChat"] : ["single-pass"]);
    assert.equal(rows.length, Number(limit) * columns.length);
    assert.ok(
      rows.every((r) => typeof r.correct === "boolean"),
      `${dataset}: every cell judged (${JSON.stringify(rows.map((r) => r.correct))})`,
    );
  }
  const malformed = join(mkdtempSync(join(tmpdir(), "refinery-exp-bad-")), "bad.jsonl");
  writeFileSync(malformed, '{"question":"1+1?","answer":"2"}\n{oops\n');
  const refused = spawnSync(
    process.execPath,
    [bin, "experiment", "--dataset", malformed, "--strategy", "single-pass", "--actor", actor, "--out", join(malformed, "..", "exp")],
    { encoding: "utf8" },
  );
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /1 malformed record \(line 2: not JSON/);
  assert.equal(existsSync(join(malformed, "..", "exp")), false, "nothing written for a refused dataset");
});

test("critic evaluation modes run through node-llama-cpp on the shipped ProcessBench and RealCritic files", () => {
  const shared = resolve(repoRoot, "../shared/data");
  const pb = spawnSync(
    process.execPath,
    [
      bin,
      "critic-eval",
      "--mode",
      "processbench",
      "--dataset",
      join(shared, "processbench/gsm8k.json"),
      "--limit",
      "4",
      "--critic",
      critic,
      "--threads",
      "1",
      "--json",
    ],
    { encoding: "utf8", timeout: 300_000 },
  );
  assert.equal(pb.status, 0, pb.stderr);
  const result = JSON.parse(pb.stdout);
  assert.equal(result.rows.length, 4);
  assert.ok(result.f1 >= 0 && result.f1 <= 1);
  const rc = spawnSync(
    process.execPath,
    [
      bin,
      "critic-eval",
      "--mode",
      "realcritic",
      "--dataset",
      join(shared, "realcritic/gsm8k.jsonl"),
      "--limit",
      "3",
      "--critic",
      critic,
      "--actor",
      actor,
      "--max-tokens",
      "120",
      "--threads",
      "1",
    ],
    { encoding: "utf8", timeout: 300_000 },
  );
  assert.equal(rc.status, 0, rc.stderr);
  assert.match(rc.stdout, /^RealCritic \(self\/actor solutions\) on 3 items: [\d.]+% → [\d.]+% · correct→correct \d+/);
});
