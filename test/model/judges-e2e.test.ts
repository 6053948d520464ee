// An experiment judged through node-llama-cpp: two generated models sit on a jury that compares the sampled
// column with the single pass in both orders. Random weights cannot judge; what is checked is the path: the
// judges load, their output is grammar-constrained JSON that opens with its reasoning, every call is a judge node
// of the cell's tree, and report --json and the HTML report carry the judged column.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replayRunLog } from "../../native/runs/run-log.ts";
import { runDir } from "../../native/runs/paths.ts";
import { repoRoot, testModel } from "../support/models.ts";

const bin = join(repoRoot, "bin/refinery.mjs");
let actor: string;
let judge: string;

before(async () => {
  actor = await testModel("tinyChat");
  judge = await testModel("tinyCritic");
});

test("a pairwise experiment with a jury of two runs its judges through node-llama-cpp and reports them", async () => {
  const scratch = mkdtempSync(join(tmpdir(), "refinery-judges-e2e-"));
  const dataset = join(scratch, "open.jsonl");
  writeFileSync(dataset, ["Describe a quiet morning.", "Name a good habit."].map((question) => JSON.stringify({ question })).join("\n"));
  const out = join(scratch, "exp");
  const args = ["--dataset", dataset, "--strategy", "single-pass", "--strategy", "self-consistency:n=2", "--actor", actor, "--max-tokens", "12"];
  const run = spawnSync(
    process.execPath,
    [
      bin,
      "experiment",
      ...args,
      "--grader",
      "pairwise",
      "--judge",
      judge,
      "--judge",
      actor,
      "--judge-max-tokens",
      "40",
      "--threads",
      "1",
      "--out",
      out,
      "--json",
      "--quiet",
    ],
    { encoding: "utf8", timeout: 600_000 },
  );
  assert.equal(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout);
  const sampled = summary.columns.find((c: { column: string }) => c.column === "self-consistency(n=2)");
  assert.equal(sampled.judged.grader, "pairwise");
  assert.equal(sampled.judged.baseline, "single-pass");
  assert.deepEqual(sampled.judged.judges, ["tinyCritic", "tinyChat"]);
  assert.equal(sampled.judged.items + sampled.judged.unreadable, 2);
  assert.equal(summary.columns.find((c: { column: string }) => c.column === "single-pass").judged, undefined, "the baseline is not judged against itself");

  const judged = readFileSync(join(out, "judgements.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(judged.length, 2);
  const results = readFileSync(join(out, "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { column: string; item: number; runId: string });
  const cell = results.find((r) => r.column === "self-consistency(n=2)" && r.item === 0)!;
  const { state } = await replayRunLog(join(runDir(join(out, "runs"), cell.runId), "events.jsonl"));
  const nodes = state.order.map((id) => state.nodes[id]!).filter((n) => n.role === "judge");
  // Two judges, both orders each.
  assert.equal(nodes.length, 4);
  assert.deepEqual(
    nodes.map((n) => n.step),
    ["tinyCritic: candidate first", "tinyCritic: baseline first", "tinyChat: candidate first", "tinyChat: baseline first"],
  );
  for (const node of nodes) {
    assert.match(node.text, /^\s*\{\s*"reasoning"\s*:\s*"/, "the grammar makes the judge reason first");
    assert.match(node.prompt!.at(-1)!.content, /\[User Question\]\nDescribe a quiet morning\./);
    assert.ok(node.tokensOut > 0 && node.tokensOut <= 40);
  }

  const html = join(scratch, "report.html");
  const report = spawnSync(process.execPath, [bin, "report", out, "--html", html], { encoding: "utf8" });
  assert.equal(report.status, 0, report.stderr);
  assert.match(report.stdout, /self-consistency\(n=2\): pairwise vs single-pass \(jury tinyCritic, tinyChat\)/);
  assert.match(readFileSync(html, "utf8"), /<h2>Judged<\/h2>[\s\S]*data-judged-column="self-consistency\(n=2\)"/);
});

test("the open-ended strategies run through node-llama-cpp on a RefineBench-shaped item, graded by a checklist judge", () => {
  const scratch = mkdtempSync(join(tmpdir(), "refinery-open-ended-e2e-"));
  const dataset = join(scratch, "refinebench.json");
  const item = {
    index: "rb-1",
    question: "Explain why the sky is blue.",
    reference_answer: "Rayleigh scattering.",
    checklist: ["Names Rayleigh scattering?", "Mentions wavelength?"],
  };
  writeFileSync(dataset, JSON.stringify({ Physics: [item] }, null, 2));
  const out = join(scratch, "exp");
  const strategies = [
    "checklist-refine:feedback=none,turns=1",
    "checklist-refine:feedback=full,turns=1",
    "progressive-refine:rounds=1",
    "keep-if-better:rounds=1",
  ];
  const run = spawnSync(
    process.execPath,
    [
      bin,
      "experiment",
      "--dataset",
      dataset,
      ...strategies.flatMap((s) => ["--strategy", s]),
      "--actor",
      actor,
      "--critic",
      judge,
      "--max-tokens",
      "12",
      "--grader",
      "checklist",
      "--judge",
      judge,
      "--judge-max-tokens",
      "40",
      "--threads",
      "1",
      "--out",
      out,
      "--json",
      "--quiet",
    ],
    { encoding: "utf8", timeout: 600_000 },
  );
  assert.equal(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout);
  assert.equal(summary.columns.length, 4);
  for (const column of summary.columns) {
    assert.equal(column.failed, 0, `${column.column} ran`);
    assert.equal(column.judged.grader, "checklist");
    assert.equal(column.judged.items + column.judged.unreadable, 1);
  }
  // Guided feedback from the item's own checklist is an oracle; self-refinement is not.
  const oracle = Object.fromEntries(summary.columns.map((c: { column: string; oracle?: boolean }) => [c.column, c.oracle === true]));
  assert.deepEqual(Object.values(oracle), [false, true, false, false]);
});

test("MT-Bench's second turn runs after the first through node-llama-cpp and the rubric rates it with the multi-turn prompt", async () => {
  const scratch = mkdtempSync(join(tmpdir(), "refinery-second-turn-e2e-"));
  const dataset = join(scratch, "question.jsonl");
  writeFileSync(dataset, `${JSON.stringify({ question_id: 81, category: "writing", turns: ["Write one line about rain.", "Now make it rhyme."] })}\n`);
  const out = join(scratch, "exp");
  const run = spawnSync(
    process.execPath,
    [
      bin,
      "experiment",
      "--dataset",
      dataset,
      "--strategy",
      "single-pass",
      "--actor",
      actor,
      "--max-tokens",
      "12",
      "--grader",
      "rubric",
      "--judge",
      judge,
      "--judge-max-tokens",
      "40",
      "--threads",
      "1",
      "--out",
      out,
      "--json",
      "--quiet",
    ],
    { encoding: "utf8", timeout: 600_000 },
  );
  assert.equal(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout);
  const judged = summary.columns[0].judged;
  assert.equal(judged.items + judged.unreadable, 1);
  assert.equal(judged.secondTurn.items + judged.secondTurn.unreadable, 1);

  const [cell] = readFileSync(join(out, "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { runId: string; secondTurn: { runId: string; status: string } });
  assert.equal(cell!.secondTurn.status, "finished");
  const first = await replayRunLog(join(runDir(join(out, "runs"), cell!.runId), "events.jsonl"));
  const firstAnswer = first.state.nodes[first.state.selectedNodeId!]!.text;
  const { state } = await replayRunLog(join(runDir(join(out, "runs"), cell!.secondTurn.runId), "events.jsonl"));
  const nodes = state.order.map((id) => state.nodes[id]!);
  const draft = nodes.find((n) => n.role !== "judge")!;
  assert.ok(draft.prompt!.at(-1)!.content.includes(`### Assistant:\n${firstAnswer}\n\nNow answer my next message`), "turn 2 sees turn 1's answer");
  const rating = nodes.find((n) => n.role === "judge")!;
  assert.equal(rating.step, "tinyCritic: rubric (turn 2)");
  assert.match(rating.text, /^\s*\{\s*"reasoning"\s*:\s*"/);
  assert.match(rating.prompt!.at(-1)!.content, /^<\|The Start of Assistant A's Conversation with User\|>\n\n### User:\nWrite one line about rain\./);
});

test("critic-eval --mode metacritique runs a critic and a judge through node-llama-cpp and scores every reference claim", () => {
  const scratch = mkdtempSync(join(tmpdir(), "refinery-metacritique-e2e-"));
  const dataset = join(scratch, "benchmark_data.json");
  const aius = ["The answer is wrong.", "A kitchen towel is for drying."];
  writeFileSync(
    dataset,
    JSON.stringify([
      {
        index: 7,
        question: "kitchen towel",
        response: "can be cut with vise grip",
        gpt4_answer: "A towel dries hands.",
        gpt4_critique: { critique: aius.join(" "), aius },
      },
    ]),
  );
  const run = spawnSync(
    process.execPath,
    [bin, "critic-eval", "--mode", "metacritique", "--dataset", dataset, "--critic", actor, "--judge", judge, "--max-tokens", "60", "--threads", "1", "--json"],
    { encoding: "utf8", timeout: 600_000 },
  );
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.rows.length, 1);
  assert.deepEqual(
    result.rows[0].recall.map((r: { claim: string }) => r.claim),
    aius,
  );
  // Random weights may write an empty critique; every reference claim still gets its entailment verdict (or null).
  assert.equal(typeof result.rows[0].critique, "string");
  assert.ok(result.rows[0].recall.every((r: { entailed: unknown }) => r.entailed === true || r.entailed === false || r.entailed === null));
  for (const figure of [result.metaPrecision, result.metaRecall, result.metaF1]) assert.ok(figure >= 0 && figure <= 1);
});
