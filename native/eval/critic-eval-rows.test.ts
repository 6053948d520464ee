// A critic evaluation keeps what the critic wrote on every row and why a verdict could not be read, and each row
// opens as a tree: its run record, read back through the engine's loadRun with the evaluation's folder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScriptedBackend } from "../llm/scripted-backend.ts";
import { stepwise } from "../../test/support/scripted-run.ts";
import { loadRun } from "../engine/handlers/runs.ts";
import type { EngineContext } from "../engine/handlers/context.ts";
import { foldRunEvents, latestScore } from "../protocol/state.ts";
import { evaluateProcessBench, evaluateRealCritic } from "./critic-eval.ts";
import { writeCriticEvalRuns } from "./critic-eval-runs.ts";

const sampling = { temperature: 0, maxTokens: 64 };
const engine = { options: { runsDir: "/nonexistent-runs" } } as unknown as EngineContext;

test("ProcessBench rows keep each critique's text and why it was unreadable; each row opens as a tree", async () => {
  const items = [
    { id: "ok", problem: "What is 1 + 1?", steps: ["1 + 1 = 3", "so 3"], label: 0 },
    { id: "cut", problem: "p", steps: ["s1", "s2"], label: -1 },
    { id: "prose", problem: "p", steps: ["s1", "s2"], label: -1 },
    { id: "list", problem: "p", steps: ["s1", "s2"], label: -1 },
    { id: "silent", problem: "p", steps: ["s1", "s2"], label: -1 },
  ];
  const replies = [
    stepwise(["wrong", "correct"], false, 2),
    { text: '{"steps": [{"why": "the sum', stopReason: "maxTokens" as const },
    "I think every step is fine.",
    "[1, 2]",
    "",
  ];
  const result = await evaluateProcessBench(items, new ScriptedBackend((_request, call) => replies[call]!), sampling);
  const critiques = result.rows.map((r) => r.critiques[0]!);
  assert.deepEqual(
    critiques.map((c) => c.text),
    [replies[0], '{"steps": [{"why": "the sum', replies[2], replies[3], ""],
    "the critic's text, as written",
  );
  assert.equal(critiques[0]!.unparseable, undefined);
  assert.equal(critiques[1]!.unparseable, "cut at the budget: the critique reached its 64 max tokens before the JSON closed");
  assert.match(critiques[2]!.unparseable!, /^not JSON: /);
  assert.equal(critiques[3]!.unparseable, "the JSON does not follow the schema: no 'steps' list");
  assert.equal(result.rows[3]!.predicted, null, "a verdict without steps names no error: not a vote for 'no wrong step'");
  assert.equal(critiques[4]!.unparseable, "the critic wrote nothing");
  assert.equal(result.unparseable, 4);

  const folder = join(mkdtempSync(join(tmpdir(), "refinery-critic-rows-")), "critic-eval-x");
  const rows = await writeCriticEvalRuns(folder, { critic: "/models/critic.gguf", dataset: "/data/pb.json", maxTokens: 64 }, items, {
    mode: "processbench",
    result,
  });
  assert.deepEqual(rows[0], { runId: "item-0001", item: "ok", outcome: "label step 1 · predicted step 1", correct: true });
  assert.equal(rows[1]!.unparseable, critiques[1]!.unparseable);

  const opened = foldRunEvents(await loadRun(engine, { runId: rows[0]!.runId, experiment: folder }));
  assert.equal(opened.status, "finished");
  assert.equal(opened.task?.question, "What is 1 + 1?");
  const [solution, critique] = opened.order.map((id) => opened.nodes[id]!);
  assert.equal(solution!.text, "Step 1: 1 + 1 = 3\nStep 2: so 3");
  assert.deepEqual([critique!.role, critique!.parents, critique!.text], ["critique", [solution!.id], replies[0]]);
  assert.match(critique!.prompt!.at(-1)!.content, /Step 1: 1 \+ 1 = 3/, "the critique's prompt is the one the critic read");
  assert.equal(latestScore(solution!, "critic")!.firstErrorStep, 0, "the verdict is the solution's score, as in a run");

  const cut = foldRunEvents(await loadRun(engine, { runId: rows[1]!.runId, experiment: folder }));
  const cutCritique = cut.nodes[cut.order[1]!]!;
  assert.equal(cutCritique.text, '{"steps": [{"why": "the sum');
  assert.equal(cutCritique.warning, `unparseable verdict: ${critiques[1]!.unparseable}`);
  assert.equal(latestScore(cut.nodes.n1!, "critic")!.verdict, "unparseable");
});

test("RealCritic rows keep the solution judged and the critique; a verdict without 'correct' is named a schema miss", async () => {
  const items = [
    { question: "q1", solution: "2 + 2 = 5. The answer is 5", solutionAnswer: "5", reference: "4" },
    { question: "q2", solution: "The answer is 7", solutionAnswer: "7", reference: "7" },
  ];
  const replies = [JSON.stringify({ critique: "2 + 2 is 4", correct: false, correctedAnswer: "4", score: 1 }), JSON.stringify({ critique: "fine", score: 9 })];
  const result = await evaluateRealCritic(items, new ScriptedBackend((_request, call) => replies[call]!), sampling);
  assert.deepEqual(
    result.rows.map((r) => [r.solution, r.critique.text, r.critique.unparseable]),
    [
      [items[0]!.solution, replies[0], undefined],
      [items[1]!.solution, replies[1], "the JSON does not follow the schema: no true or false 'correct'"],
    ],
  );
  const folder = join(mkdtempSync(join(tmpdir(), "refinery-critic-rows-")), "critic-eval-y");
  const rows = await writeCriticEvalRuns(folder, { critic: "/m/c.gguf", dataset: "/d/rc.jsonl" }, items, { mode: "realcritic", solver: "stored", result });
  assert.deepEqual(
    rows.map((r) => [r.outcome, r.correct]),
    [
      ["wrong → correct (4)", true],
      ["correct → correct (7)", true],
    ],
  );
  const run = foldRunEvents(await loadRun(engine, { runId: rows[0]!.runId, experiment: folder }));
  assert.equal(run.answer, "4");
  assert.deepEqual(
    run.order.map((id) => [run.nodes[id]!.role, run.nodes[id]!.step]),
    [
      ["draft", "stored-solution"],
      ["critique", "correction"],
    ],
  );
});
