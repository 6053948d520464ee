// Experiments with judges on scripted backends: the judging pass grades each finished cell (pairwise against the
// baseline column in both orders, checklists from RefineBench-shaped files, reference-guided rubric ratings from
// MT-Bench's layout), draws every judge call as a node of the cell's tree, resumes without judging twice, and the
// summary carries each column's judged score, flip rate and the jury's agreement.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GenerateRequest } from "../../llm/backend.ts";
import { ScriptedBackend } from "../../llm/scripted-backend.ts";
import { loadDataset } from "../dataset.ts";
import { replayRunLog } from "../../runs/run-log.ts";
import { runDir } from "../../runs/paths.ts";
import { buildExperimentConfig, type ExperimentConfig } from "./config.ts";
import { judgedColumns, readJudgements } from "./judging.ts";
import { readResults, runExperiment, summarizedResults } from "../experiment.ts";

const scratch = mkdtempSync(join(tmpdir(), "refinery-judging-"));
const user = (r: GenerateRequest) => r.messages.at(-1)!.content;
const critic = () => new ScriptedBackend(() => JSON.stringify({ critique: "ok", correct: true, score: 8 }));
/** The self-consistency column's samples (drawn at T = 1.3 here) are detailed; the single pass is terse. */
const actor = () => new ScriptedBackend((r) => (r.temperature === 1.3 ? "A detailed answer with reasons." : "Terse."));
const prefersDetailed = () =>
  new ScriptedBackend((r) => {
    const a = /Assistant A's Answer\]\n([\s\S]*?)\n\[The End of Assistant A/.exec(user(r))![1]!;
    return JSON.stringify({ reasoning: "the detailed one explains", verdict: a.includes("detailed") ? "A" : "B" });
  });
const alwaysA = () => new ScriptedBackend(() => JSON.stringify({ reasoning: "first looks fine", verdict: "A" }));

function openEndedDataset(name: string, items: number): string {
  const path = join(scratch, name);
  writeFileSync(path, Array.from({ length: items }, (_, i) => JSON.stringify({ question: `Describe place ${i}.` })).join("\n"));
  return path;
}

test("pairwise against the baseline column: a jury of three, both orders, judge nodes in the tree, resumed without judging again", async () => {
  const dir = join(scratch, "pairwise");
  const config: ExperimentConfig = await buildExperimentConfig({
    dataset: openEndedDataset("places.jsonl", 3),
    strategies: [
      { name: "single", strategy: "single-pass" },
      { name: "sc", strategy: "self-consistency", params: { n: 3, temperature: 1.3 } },
    ],
    pairs: [{ actor: { path: "a.gguf" }, critic: { path: "a.gguf" } }],
    judging: { grader: "pairwise", judges: ["fair.gguf", "fair.gguf", "biased.gguf"] },
  });
  assert.equal(config.judging?.baseline, "single", "the first column is the baseline when none is named");
  const judges = [prefersDetailed(), prefersDetailed(), alwaysA()];
  await runExperiment(dir, config, { deps: { backends: { actor: actor(), critic: critic() } }, judges });
  const judged = readJudgements(dir);
  // Only the other column is judged, once per item; each judge asked both orders.
  assert.deepEqual(
    judged.map((c) => [c.item, c.column, c.outcome]),
    [
      [0, "sc", "win"],
      [1, "sc", "win"],
      [2, "sc", "win"],
    ],
  );
  assert.deepEqual(
    judges.map((j) => j.requests.length),
    [6, 6, 6],
  );
  const column = judgedColumns(dir).get("sc")!;
  assert.deepEqual([column.win, column.tie, column.loss], [3, 0, 0]);
  // The biased judge flipped on all three comparisons, the fair ones on none: 3 of 9.
  assert.equal(column.positionFlipRate, 3 / 9);
  assert.equal(column.followedFirst, 3);
  assert.equal(column.agreement?.measure, "krippendorff-alpha-nominal");
  assert.deepEqual(column.judges, ["fair#1", "fair#2", "biased"]);
  assert.deepEqual(
    column.byLength?.map((b) => b.bucket),
    ["longer"],
  );
  // The summary the compare view and report --json read carries it.
  const { summary } = summarizedResults(dir, ["single", "sc"]);
  assert.equal(summary.columns.find((c) => c.column === "sc")!.judged?.score, 1);
  assert.equal(summary.columns.find((c) => c.column === "single")!.judged, undefined);

  const cell = readResults(dir).find((r) => r.column === "sc" && r.item === 0)!;
  const { state } = await replayRunLog(join(runDir(join(dir, "runs"), cell.runId), "events.jsonl"));
  const judgeNodes = state.order.map((id) => state.nodes[id]!).filter((n) => n.role === "judge");
  assert.equal(judgeNodes.length, 6);
  assert.ok(judgeNodes.every((n) => n.parents[0] === state.selectedNodeId && n.status === "done"));
  assert.match(judgeNodes[0]!.step, /fair#1: candidate first/);
  assert.match(judgeNodes[0]!.text, /the detailed one explains/);
  assert.equal(state.status, "finished");

  const again = [prefersDetailed(), prefersDetailed(), alwaysA()];
  await runExperiment(dir, config, { deps: { backends: { actor: actor(), critic: critic() } }, judges: again });
  assert.deepEqual(
    again.map((j) => j.requests.length),
    [0, 0, 0],
  );
  assert.equal(readJudgements(dir).length, 3);
});

test("checklists from a RefineBench-shaped file (an object of domains): fraction passed and all-passed per column", async () => {
  const path = join(scratch, "refinebench.json");
  const item = (index: string, checklist: string[]) => ({ index, field: "Law", question: `Question ${index}`, reference_answer: "ref", checklist });
  writeFileSync(
    path,
    JSON.stringify(
      { Law: [item("r0", ["names the answer", "cites a rule"])], Math: [item("r1", ["names the answer", "shows work", "checks units"])] },
      null,
      2,
    ),
  );
  const loaded = await loadDataset(path);
  assert.deepEqual(
    loaded.tasks.map((t) => [t.id, t.checklist?.length, t.reference]),
    [
      ["r0", 2, "ref"],
      ["r1", 3, "ref"],
    ],
  );
  // The judge passes criteria that speak of the answer, fails the rest.
  const checker = new ScriptedBackend((r) => {
    const criteria = [...user(r).matchAll(/^\d+\. (.*)$/gm)].map((m) => m[1]!);
    return JSON.stringify({ criteria: criteria.map((c) => ({ reasoning: "read it", satisfied: c.includes("answer") ? "yes" : "no" })) });
  });
  const dir = join(scratch, "checklist");
  const request = {
    dataset: path,
    strategies: [{ strategy: "single-pass" }],
    pairs: [{ actor: { path: "a.gguf" }, critic: { path: "a.gguf" } }],
  };
  const config = await buildExperimentConfig({ ...request, judging: { grader: "checklist", judges: ["judge.gguf"] } });
  await runExperiment(dir, config, { deps: { backends: { actor: actor(), critic: critic() } }, judges: [checker] });
  assert.deepEqual(
    readJudgements(dir).map((c) => [c.score, c.correct]),
    [
      [1 / 2, false],
      [1 / 3, false],
    ],
  );
  const column = judgedColumns(dir).get("single-pass")!;
  assert.equal(column.score, (1 / 2 + 1 / 3) / 2);
  assert.equal(column.correct, 0);

  // The same judge asked one criterion a call: five calls for five criteria, the same verdicts.
  const single = new ScriptedBackend((r) => {
    const shown = /\[Criterion\]\n(.*)\n/.exec(user(r))![1]!;
    return JSON.stringify({ reasoning: "read it", satisfied: shown.includes("answer") ? "yes" : "no" });
  });
  const perCriterion = join(scratch, "checklist-per-criterion");
  await runExperiment(
    perCriterion,
    await buildExperimentConfig({ ...request, judging: { grader: "checklist", judges: ["judge.gguf"], checklistCalls: "per-criterion" } }),
    { deps: { backends: { actor: actor(), critic: critic() } }, judges: [single] },
  );
  assert.equal(single.requests.length, 5);
  assert.deepEqual(
    readJudgements(perCriterion).map((c) => c.score),
    [1 / 2, 1 / 3],
  );
});

test("MT-Bench's layout: questions take their first turn and the reference answer beside them; the rubric is reference-guided there", async () => {
  const folder = join(scratch, "mt_bench");
  mkdirSync(join(folder, "reference_answer"), { recursive: true });
  writeFileSync(
    join(folder, "question.jsonl"),
    [
      // FastChat judges writing without a reference, even where the question carries one.
      { question_id: 81, category: "writing", turns: ["Write a poem.", "Now shorter."], reference: ["A poem.", "Short."] },
      { question_id: 101, category: "reasoning", turns: ["Who is second?", "And last?"], reference: ["Own reference.", "x"] },
      { question_id: 102, category: "math", turns: ["What is 2+2?", "And 3+3?"], reference: ["4", "6"] },
    ]
      .map((q) => JSON.stringify(q))
      .join("\n"),
  );
  writeFileSync(
    join(folder, "reference_answer", "gpt-4.jsonl"),
    `${JSON.stringify({ question_id: 101, choices: [{ index: 0, turns: ["Second place.", "Last."] }] })}\n`,
  );
  const loaded = await loadDataset(join(folder, "question.jsonl"));
  assert.deepEqual(
    loaded.tasks.map((t) => [t.id, t.question, t.reference]),
    [
      ["81", "Write a poem.", undefined],
      ["101", "Who is second?", "Second place."],
      ["102", "What is 2+2?", "4"],
    ],
  );
  const rater = new ScriptedBackend((r) => JSON.stringify({ reasoning: "fine", rating: /Reference Answer/.test(user(r)) ? 7 : 4 }));
  const dir = join(scratch, "rubric");
  const config = await buildExperimentConfig({
    dataset: join(folder, "question.jsonl"),
    strategies: [{ strategy: "single-pass" }],
    pairs: [{ actor: { path: "a.gguf" }, critic: { path: "a.gguf" } }],
    judging: { grader: "rubric", judges: ["judge.gguf"] },
  });
  await runExperiment(dir, config, { deps: { backends: { actor: actor(), critic: critic() } }, judges: [rater] });
  assert.deepEqual(
    readJudgements(dir).map((c) => c.score),
    [4, 7, 7],
  );
  assert.equal(judgedColumns(dir).get("single-pass")!.score, 6);
});

test("judging settings are refused in the user's words before anything runs", async () => {
  const base = {
    dataset: openEndedDataset("one.jsonl", 1),
    strategies: [{ name: "single", strategy: "single-pass" }],
    pairs: [{ actor: { path: "a.gguf" }, critic: { path: "a.gguf" } }],
  };
  await assert.rejects(
    buildExperimentConfig({ ...base, judging: { grader: "vibes", judges: ["j.gguf"] } }),
    /grader must be one of checklist, rubric, pairwise/,
  );
  await assert.rejects(buildExperimentConfig({ ...base, judging: { grader: "rubric", judges: [] } }), /needs at least one judge model/);
  await assert.rejects(
    buildExperimentConfig({ ...base, judging: { grader: "rubric", judges: ["j.gguf"], baseline: "single" } }),
    /a baseline is for the pairwise grader/,
  );
  await assert.rejects(
    buildExperimentConfig({ ...base, judging: { grader: "rubric", judges: ["j.gguf"], checklistCalls: "per-criterion" } }),
    /checklist calls are for the checklist grader; the rubric grader has no criteria to split/,
  );
  await assert.rejects(
    buildExperimentConfig({ ...base, judging: { grader: "checklist", judges: ["j.gguf"], checklistCalls: "each" } }),
    /checklist calls must be structured or per-criterion, got 'each'/,
  );
  await assert.rejects(
    buildExperimentConfig({ ...base, judging: { grader: "pairwise", judges: ["j.gguf"], baseline: "nope" } }),
    /baseline must be one of the columns \(single\) or "reference"/,
  );
  // Judges grade one seed per cell: several repeats would leave which seed was judged to chance.
  await assert.rejects(buildExperimentConfig({ ...base, repeats: 2, judging: { grader: "rubric", judges: ["j.gguf"] } }), /judges grade one seed per cell/);
  const alone = await buildExperimentConfig({ ...base, judging: { grader: "pairwise", judges: ["j.gguf"] } });
  assert.equal(alone.judging?.baseline, "reference", "one column is compared with the reference answers");
});

test("judging several cells at once gives the verdicts and summary of judging one at a time", async () => {
  const dataset = openEndedDataset("six.jsonl", 6);
  const config = await buildExperimentConfig({
    dataset,
    strategies: [{ strategy: "single-pass" }],
    pairs: [{ actor: { path: "a.gguf" }, critic: { path: "a.gguf" } }],
    judging: { grader: "rubric", judges: ["judge.gguf"] },
  });
  const rater = () => new ScriptedBackend((r) => JSON.stringify({ reasoning: "r", rating: 1 + (Number(/place (\d)/.exec(user(r))![1]) % 10) }), 4);
  const summaries = [];
  for (const concurrency of [1, 3]) {
    const dir = join(scratch, `concurrent-${concurrency}`);
    const judge = rater();
    await runExperiment(dir, config, { deps: { backends: { actor: actor(), critic: critic() } }, judges: [judge], concurrency });
    const lanes = new Set(judge.requests.map((r) => r.lane));
    assert.equal(lanes.size, concurrency, `${concurrency} lanes in use`);
    summaries.push({
      cells: readJudgements(dir)
        .map(({ nodeIds: _, ...c }) => c)
        .sort((a, b) => a.item - b.item),
      column: judgedColumns(dir).get("single-pass"),
    });
  }
  assert.deepEqual(summaries[1], summaries[0]);
  assert.equal(summaries[0]!.column!.score, 3.5);
});

test("stopping during the judging pass keeps the cells judged so far; a resumed experiment judges the rest", async () => {
  const dir = join(scratch, "stopped-judging");
  const config = await buildExperimentConfig({
    dataset: openEndedDataset("four.jsonl", 4),
    strategies: [{ strategy: "single-pass" }],
    pairs: [{ actor: { path: "a.gguf" }, critic: { path: "a.gguf" } }],
    judging: { grader: "rubric", judges: ["judge.gguf"] },
  });
  const controller = new AbortController();
  let calls = 0;
  const stopping = new ScriptedBackend(() => {
    if (++calls === 2) controller.abort();
    return JSON.stringify({ reasoning: "r", rating: 6 });
  });
  await runExperiment(dir, config, { deps: { backends: { actor: actor(), critic: critic() } }, judges: [stopping], signal: controller.signal });
  assert.equal(readJudgements(dir).length, 1, "the first cell's verdict is kept; the stop is not an error");
  const rest = new ScriptedBackend(() => JSON.stringify({ reasoning: "r", rating: 6 }));
  await runExperiment(dir, config, { deps: { backends: { actor: actor(), critic: critic() } }, judges: [rest] });
  assert.equal(rest.requests.length, 3);
  assert.deepEqual(
    readJudgements(dir).map((c) => c.item),
    [0, 1, 2, 3],
  );
});
