// `refinery grade` as a user runs it: a real process over a real RealCritic file, and one-line refusals.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const repo = resolve(import.meta.dirname, "../..");
const math = resolve(repo, "../shared/data/realcritic/math.jsonl");
const scratch = mkdtempSync(join(tmpdir(), "refinery-grade-cli-"));

function refineryWith(env: NodeJS.ProcessEnv, ...args: string[]) {
  const result = spawnSync(process.execPath, [join(repo, "bin/refinery.mjs"), ...args], { encoding: "utf8", cwd: scratch, timeout: 120_000, env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const refinery = (...args: string[]) => refineryWith(process.env, ...args);

test("grade --json prints per-item verdicts in input order and a summary; --csv and --jsonl export them", () => {
  const csv = join(scratch, "grades.csv");
  const jsonl = join(scratch, "grades.jsonl");
  const run = refinery(
    "grade",
    "--dataset",
    math,
    "--field",
    "response=reasoning",
    "--field",
    "reference=gt",
    "--limit",
    "12",
    "--json",
    "--csv",
    csv,
    "--jsonl",
    jsonl,
  );
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.deepEqual(
    result.items.map((item: { line: number }) => item.line),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  );
  assert.deepEqual(result.items[0], { line: 1, answer: "\\frac{7}{2}", extractedBy: "boxed", correct: true });
  assert.equal(result.items[2].answer, null, "'\\[0, 0\\]' at the end states no answer to a non-numeric task");
  assert.equal(result.summary.items, 12);
  assert.equal(result.summary.correct + result.summary.incorrect, 12);
  assert.equal(readFileSync(csv, "utf8").split("\n")[1], "1,\\frac{7}{2},boxed,true");
  assert.equal(readFileSync(jsonl, "utf8").trim().split("\n").length, 12);
  const text = refinery("grade", "--dataset", math, "--field", "response=reasoning", "--field", "reference=gt", "--limit", "2");
  assert.equal(text.stdout.split("\n")[0], "line\tverdict\textracted by\tanswer", "a column header first");
  assert.match(text.stdout, /^line 1\t✓\tboxed\t\\frac\{7\}\{2\}$/m);
  assert.match(text.stdout, /^2 items · \d correct · \d wrong · accuracy/m);
});

test("grade refuses bad input in one line with the line number", () => {
  const noResponse = refinery("grade", "--dataset", math, "--field", "reference=gt");
  assert.equal(noResponse.code, 2);
  assert.match(noResponse.stderr, /^refinery: grade needs --field response=<field holding the answers>/);
  const wrongField = refinery("grade", "--dataset", math, "--field", "response=output", "--limit", "3");
  assert.equal(wrongField.code, 2);
  assert.match(wrongField.stderr, /math\.jsonl: no 'output' field with the response to grade on lines 1, 2, 3/);
  const broken = join(scratch, "broken.jsonl");
  writeFileSync(broken, '{"question":"1+1?","answer":"2","out":"2"}\n[1,2\n');
  const notJson = refinery("grade", "--dataset", broken, "--field", "response=out");
  assert.equal(notJson.code, 2);
  assert.match(notJson.stderr, /broken\.jsonl: 1 malformed record \(line 2: not JSON/);
  const empty = join(scratch, "empty.jsonl");
  writeFileSync(empty, "");
  assert.match(refinery("grade", "--dataset", empty, "--field", "response=out").stderr, /empty\.jsonl: no items/);
});

test("grade runs HumanEval items' tests: the canonical solutions (from ../shared/data/tasks) all pass", () => {
  const humanEval = resolve(repo, "../shared/data/tasks/humaneval.jsonl");
  const run = refinery("grade", "--dataset", humanEval, "--field", "response=canonical_solution", "--limit", "4");
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^line 1\t✓\tcode\ttests ok$/m);
  assert.match(run.stdout, /^4 items · 4 correct · 0 wrong · accuracy 100/m);
  assert.doesNotMatch(run.stdout, /without a reference/);
  assert.doesNotMatch(run.stderr, /weaker bounds/, "this machine gives every bound (cgroups, seccomp)");
  const weaker = refineryWith(
    { ...process.env, REFINERY_SANDBOX_CGROUP: "/no/such/cgroup" },
    "grade",
    "--dataset",
    humanEval,
    "--field",
    "response=canonical_solution",
    "--limit",
    "1",
  );
  assert.equal(weaker.code, 0, weaker.stderr);
  assert.match(
    weaker.stderr,
    /^refinery: code items ran in a sandbox with weaker bounds on this machine: memory and processes bounded per process only, not per call/m,
  );
});
