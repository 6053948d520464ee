// The judges' flags refused in the user's words before anything loads: a judge without a grader, a grader without
// a judge, a baseline that is not a column, a labelled file that is not one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "./main.ts";

async function cli(...argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const original = process.stderr.write;
  process.stderr.write = ((chunk: string) => {
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(argv), stderr };
  } finally {
    process.stderr.write = original;
  }
}

const scratch = mkdtempSync(join(tmpdir(), "judge-flags-"));
const dataset = join(scratch, "open.jsonl");
writeFileSync(dataset, `${JSON.stringify({ question: "Describe a morning." })}\n`);
const base = ["experiment", "--dataset", dataset, "--strategy", "single-pass", "--strategy", "self-consistency:n=2", "--actor", "a.gguf"];

test("experiment: judges and graders go together, and the pairwise baseline must be a column", async () => {
  const noGrader = await cli(...base, "--judge", "j.gguf", "--out", join(scratch, "a"));
  assert.equal(noGrader.code, 2);
  assert.match(noGrader.stderr, /^refinery: --judge needs --grader checklist, rubric or pairwise/);
  const noJudge = await cli(...base, "--grader", "rubric", "--out", join(scratch, "b"));
  assert.match(noJudge.stderr, /^refinery: --grader rubric needs at least one --judge <model>/);
  const wrongBaseline = await cli(...base, "--grader", "pairwise", "--judge", "j.gguf", "--baseline", "nope", "--out", join(scratch, "c"));
  assert.match(
    wrongBaseline.stderr,
    /^refinery: the pairwise baseline must be one of the columns \(single-pass, self-consistency\(n=2\)\) or "reference", got 'nope'/,
  );
  const wrongGrader = await cli(...base, "--grader", "vibes", "--judge", "j.gguf", "--out", join(scratch, "d"));
  assert.match(wrongGrader.stderr, /^refinery: the grader must be one of checklist, rubric, pairwise, got 'vibes'/);
  const rubricBaseline = await cli(...base, "--grader", "rubric", "--judge", "j.gguf", "--baseline", "single-pass", "--out", join(scratch, "e"));
  assert.match(rubricBaseline.stderr, /^refinery: --baseline names the column the pairwise grader compares with/);
  const rubricCalls = await cli(...base, "--grader", "rubric", "--judge", "j.gguf", "--checklist-calls", "per-criterion", "--out", join(scratch, "g"));
  assert.match(rubricCalls.stderr, /^refinery: --checklist-calls says how the checklist grader asks its judges: use it with --grader checklist/);
  const wrongCalls = await cli(...base, "--grader", "checklist", "--judge", "j.gguf", "--checklist-calls", "each", "--out", join(scratch, "h"));
  assert.match(wrongCalls.stderr, /^refinery: checklist calls must be structured or per-criterion, got 'each'/);
});

test("a judge model that is not there is refused before any cell runs", async () => {
  const actor = join(scratch, "actor.gguf");
  writeFileSync(actor, "GGUF-not-really");
  const out = join(scratch, "f");
  const result = await cli(...base.slice(0, -1), actor, "--grader", "rubric", "--judge", join(scratch, "absent.gguf"), "--out", out);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /absent\.gguf/);
  assert.ok(!existsSync(join(out, "results.jsonl")), "no cell ran");
});

test("judge-eval refuses a file that is not human-labelled before loading the judge", async () => {
  const missing = await cli("judge-eval", "--dataset", dataset);
  assert.match(missing.stderr, /^refinery: judge-eval needs --dataset <human-labelled file> and --judge <model>/);
  const notLabelled = await cli("judge-eval", "--dataset", dataset, "--judge", join(scratch, "absent.gguf"));
  assert.match(notLabelled.stderr, /^refinery: .*open\.jsonl:1: not a human-labelled record/);
  const mode = await cli("judge-eval", "--dataset", dataset, "--judge", "j.gguf", "--mode", "both");
  assert.match(mode.stderr, /^refinery: --mode takes pairwise, score or claims, got 'both'/);
});
