// MT-Bench's second turns on scripted backends: the dataset reads both turns and both references, each cell runs
// the second turn after the first with the conversation so far in its prompt, and the judging pass rates (or
// compares) the second answer with FastChat's multi-turn prompts, summarised apart from the first turn.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GenerateRequest } from "../../llm/backend.ts";
import { ScriptedBackend } from "../../llm/scripted-backend.ts";
import { replayRunLog } from "../../runs/run-log.ts";
import { runDir } from "../../runs/paths.ts";
import { loadDataset } from "../dataset.ts";
import { readResults, runExperiment, summarizedResults } from "../experiment.ts";
import { buildExperimentConfig } from "./config.ts";
import { judgedColumns, readJudgements } from "./judging.ts";
import { failedSecondTurns } from "./second-turn.ts";

const scratch = mkdtempSync(join(tmpdir(), "refinery-second-turn-"));
const user = (r: GenerateRequest) => r.messages.at(-1)!.content;
const system = (r: GenerateRequest) => r.messages.find((m) => m.role === "system")?.content ?? "";

/** FastChat's layout: question.jsonl with two turns each, reference_answer/gpt-4.jsonl beside it. */
function mtBench(): string {
  const folder = join(scratch, "mt_bench");
  mkdirSync(join(folder, "reference_answer"), { recursive: true });
  writeFileSync(
    join(folder, "question.jsonl"),
    [
      { question_id: 81, category: "writing", turns: ["Write a poem about rain.", "Now make it rhyme."] },
      { question_id: 111, category: "math", turns: ["What is 2+2?", "And doubled?"] },
    ]
      .map((q) => JSON.stringify(q))
      .join("\n"),
  );
  writeFileSync(join(folder, "reference_answer", "gpt-4.jsonl"), `${JSON.stringify({ question_id: 111, choices: [{ index: 0, turns: ["4", "8"] }] })}\n`);
  return join(folder, "question.jsonl");
}

/** Answers name their turn and column, so every prompt shows which answer it carries. */
const actor = (tag: string) =>
  new ScriptedBackend((r) => (/### User:/.test(user(r)) ? `${tag} second answer` : `${tag} first answer to ${user(r).slice(0, 12)}`));
const critic = () => new ScriptedBackend(() => JSON.stringify({ critique: "ok", correct: true, score: 8 }));

test("MT-Bench items carry their second turn, with its reference where FastChat judges with one", async () => {
  const { tasks } = await loadDataset(mtBench());
  assert.deepEqual(
    tasks.map((t) => [t.id, t.question, t.reference, t.secondTurn]),
    [
      ["81", "Write a poem about rain.", undefined, { question: "Now make it rhyme." }],
      ["111", "What is 2+2?", "4", { question: "And doubled?", reference: "8" }],
    ],
  );
});

test("each cell runs the second turn with the conversation so far, and the rubric rates it with the multi-turn prompts", async () => {
  const dataset = mtBench();
  const actorBackend = actor("single");
  // Multi-turn prompts earn 9, single-turn ones 3: a swapped prompt or summary shows in the scores.
  const rater = new ScriptedBackend((r) => JSON.stringify({ reasoning: "read", rating: /Conversation with User/.test(user(r)) ? 9 : 3 }));
  const config = await buildExperimentConfig({
    dataset,
    strategies: [{ strategy: "single-pass" }],
    pairs: [{ actor: { path: "a.gguf" }, critic: { path: "a.gguf" } }],
    judging: { grader: "rubric", judges: ["judge.gguf"] },
  });
  const dir = join(scratch, "rubric");
  await runExperiment(dir, config, { deps: { backends: { actor: actorBackend, critic: critic() } }, judges: [rater] });

  const turnTwo = actorBackend.requests.filter((r) => /### User:/.test(user(r)));
  assert.equal(turnTwo.length, 2, "one second-turn run per item");
  assert.equal(
    user(turnTwo[0]!),
    "Here is our conversation so far.\n\n### User:\nWrite a poem about rain.\n\n### Assistant:\nsingle first answer to Write a poem\n\nNow answer my next message, in the same conversation.\n\n### User:\nNow make it rhyme.",
  );
  const cells = readResults(dir);
  assert.ok(cells.every((c) => c.secondTurn?.status === "finished" && c.secondTurn.runId === `${c.runId}-turn2`));

  assert.deepEqual(
    readJudgements(dir).map((c) => c.score),
    [3, 3],
    "the first turns with the single-turn prompts",
  );
  assert.deepEqual(
    readJudgements(dir, 2).map((c) => [c.item, c.score, c.turn]),
    [
      [0, 9, 2],
      [1, 9, 2],
    ],
  );
  const multi = rater.requests.filter((r) => /Conversation with User/.test(user(r)));
  const writing = multi.find((r) => /rain/.test(user(r)))!;
  assert.match(system(writing), /^Please act as an impartial judge[\s\S]*You evaluation should focus on the assistant's answer to the second user question\./);
  assert.match(
    user(writing),
    /^<\|The Start of Assistant A's Conversation with User\|>\n\n### User:\nWrite a poem about rain\.\n\n### Assistant A:\nsingle first answer to Write a poem\n\n### User:\nNow make it rhyme\.\n\n### Assistant A:\nsingle second answer\n\n<\|The End of Assistant A's Conversation with User\|>$/,
  );
  const math = multi.find((r) => /2\+2/.test(user(r)))!;
  assert.match(system(math), /focus on the assistant's answer to the second question/, "single-math-v1-multi-turn");
  assert.match(
    user(math),
    /^<\|The Start of Reference Answer\|>\n\n### User:\nWhat is 2\+2\?\n\n### Reference answer:\n4\n\n### User:\nAnd doubled\?\n\n### Reference answer:\n8\n\n/,
  );

  const column = judgedColumns(dir).get("single-pass")!;
  assert.equal(column.score, 3);
  assert.equal(column.secondTurn?.score, 9);
  const { summary } = summarizedResults(dir, ["single-pass"]);
  assert.equal(summary.columns[0]!.judged?.secondTurn?.items, 2, "report --json carries the second turn");

  // The judge node hangs under the second turn's answer, in the second turn's run.
  const { state } = await replayRunLog(join(runDir(join(dir, "runs"), cells[0]!.secondTurn!.runId), "events.jsonl"));
  const judge = state.order.map((id) => state.nodes[id]!).find((n) => n.role === "judge")!;
  assert.equal(judge.parents[0], state.selectedNodeId);
  assert.match(judge.step, /rubric \(turn 2\)/);

  const again = new ScriptedBackend(() => JSON.stringify({ reasoning: "x", rating: 1 }));
  await runExperiment(dir, config, { deps: { backends: { actor: actor("single"), critic: critic() } }, judges: [again] });
  assert.equal(again.requests.length, 0, "resumed: neither turn is judged twice");
});

test("pairwise second turns show both columns' whole conversations, in both orders", async () => {
  const dataset = mtBench();
  // Prefers whichever conversation has the "refined" answers, by position.
  const judge = new ScriptedBackend((r) => {
    const a = /Assistant A's Conversation with User\|>([\s\S]*?)<\|The End of Assistant A/.exec(user(r));
    const shown = a ? a[1]! : /Assistant A's Answer\]\n([\s\S]*?)\n\[The End/.exec(user(r))![1]!;
    return JSON.stringify({ reasoning: "r", verdict: shown.includes("refined") ? "A" : "B" });
  });
  const twoColumns = new ScriptedBackend((r) => {
    const tag = r.temperature === 1.3 ? "refined" : "plain";
    return /### User:/.test(user(r)) ? `${tag} second answer` : `${tag} first answer`;
  });
  const config = await buildExperimentConfig({
    dataset,
    strategies: [
      { name: "plain", strategy: "single-pass" },
      { name: "refined", strategy: "self-consistency", params: { n: 1, temperature: 1.3 } },
    ],
    pairs: [{ actor: { path: "a.gguf" }, critic: { path: "a.gguf" } }],
    judging: { grader: "pairwise", judges: ["judge.gguf"] },
  });
  const dir = join(scratch, "pairwise");
  await runExperiment(dir, config, { deps: { backends: { actor: twoColumns, critic: critic() } }, judges: [judge] });
  const second = readJudgements(dir, 2);
  assert.deepEqual(
    second.map((c) => [c.item, c.column, c.outcome]),
    [
      [0, "refined", "win"],
      [1, "refined", "win"],
    ],
  );
  const multi = judge.requests.filter((r) => /Conversation with User/.test(user(r)));
  assert.equal(multi.length, 4, "two items, both orders");
  assert.match(system(multi[0]!), /You should focus on who provides a better answer to the second user question/);
  assert.match(
    user(multi[0]!),
    /### Assistant A:\nrefined first answer\n\n### User:\nNow make it rhyme\.\n\n### Assistant A:\nrefined second answer[\s\S]*### Assistant B:\nplain first answer\n\n### User:\nNow make it rhyme\.\n\n### Assistant B:\nplain second answer/,
  );
  assert.match(user(multi[1]!), /### Assistant A:\nplain first answer[\s\S]*### Assistant B:\nrefined second answer/, "the baseline first");
  const math = multi.find((r) => /2\+2/.test(user(r)))!;
  assert.match(system(math), /determine which assistant provides correct and helpful answers to the second user question/, "pair-math-v1-multi-turn");
  assert.equal(judgedColumns(dir).get("refined")!.secondTurn?.win, 2);
});

test("a column whose second turn cannot fit the context (the first answer in its prompt) is refused before any cell", async () => {
  const { writeGguf } = await import("../../llm/gguf/writer.ts");
  const { GgmlType, GgufValueType } = await import("../../llm/gguf/format.ts");
  const model = join(scratch, "short-context.gguf");
  await writeGguf(
    model,
    new Map([
      ["general.architecture", { type: GgufValueType.STRING, value: "llama" }],
      ["llama.block_count", { type: GgufValueType.UINT32, value: 1 }],
      ["llama.context_length", { type: GgufValueType.UINT32, value: 1024 }],
    ]),
    [{ name: "a", dims: [8], type: GgmlType.F32, fill: (b) => b.fill(1) }],
  );
  const experiment = async (maxTokens: number) => {
    const config = await buildExperimentConfig({
      dataset: mtBench(),
      strategies: [{ name: "single", strategy: "single-pass" }],
      pairs: [{ actor: { path: model, sampling: { maxTokens } }, critic: { path: model, sampling: { maxTokens } } }],
    });
    const dir = join(scratch, `fit-${maxTokens}`);
    await runExperiment(dir, config, { deps: { backends: { actor: actor("single"), critic: critic() } } });
    return readResults(dir);
  };
  // 400 tokens: the first turn needs about 690 of the 1024, the second about 1110 with a 400-token first answer in its prompt.
  await assert.rejects(
    experiment(400),
    /column single cannot run the second turn of 81 \(its prompt holds the first question, a first answer of up to the actor's max tokens and the second question\): single-pass needs about \d+ tokens of context/,
  );
  assert.equal(readResults(join(scratch, "fit-400")).length, 0, "no cell ran");
  const fits = await experiment(300);
  assert.ok(fits.every((c) => c.secondTurn?.status === "finished"));
});

test("the hidden frontier column samples first turns only", async () => {
  const config = await buildExperimentConfig({
    dataset: mtBench(),
    strategies: [{ strategy: "single-pass" }],
    pairs: [{ actor: { path: "a.gguf" }, critic: { path: "a.gguf" } }],
    frontier: 2,
  });
  const dir = join(scratch, "frontier");
  await runExperiment(dir, config, { deps: { backends: { actor: actor("single"), critic: critic() } } });
  const cells = readResults(dir);
  const hidden = config.columns.find((c) => c.frontierOnly)!.name;
  assert.deepEqual(cells.map((c) => [c.column === hidden ? "frontier" : c.column, c.secondTurn?.status ?? "none"]).sort(), [
    ["frontier", "none"],
    ["frontier", "none"],
    ["single-pass", "finished"],
    ["single-pass", "finished"],
  ]);
});

test("a failed second turn is recorded on its cell, and the summary counts it with its reason", async () => {
  // The actor fails on the conversation about rain only: one of two second turns fails.
  const flaky = new ScriptedBackend((r) => {
    if (/### User:/.test(user(r)) && /rain/.test(user(r))) throw new Error("the actor went away");
    return /### User:/.test(user(r)) ? "second answer" : "first answer";
  });
  const config = await buildExperimentConfig({
    dataset: mtBench(),
    strategies: [{ strategy: "single-pass" }],
    pairs: [{ actor: { path: "a.gguf" }, critic: { path: "a.gguf" } }],
  });
  const dir = join(scratch, "failed-second");
  await runExperiment(dir, config, { deps: { backends: { actor: flaky, critic: critic() } } });
  const cells = readResults(dir);
  assert.deepEqual(
    cells.map((c) => [c.status, c.secondTurn?.status]),
    [
      ["finished", "failed"],
      ["finished", "finished"],
    ],
  );
  assert.match(failedSecondTurns(cells)!, /^1 of 2 second turns failed \(item 81: .*the actor went away/);
  assert.equal(failedSecondTurns(cells.slice(1)), null);
});
