// Exports from experiment results: preference pairs from hand-made run logs (answer pairs within a run, critique
// pairs on the same solution across runs), CSV/JSONL shape, and the offline HTML report.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ModelDescriptor, RunEvent } from "../protocol/events.ts";
import { RunLogWriter } from "../runs/run-log.ts";
import type { CellResult } from "./experiment.ts";
import { summarize } from "./experiment.ts";
import { PALETTE } from "../protocol/format.ts";
import { htmlReport, preferencePairs, resultsCsv, resultsJsonl } from "./report.ts";

const dir = mkdtempSync(join(tmpdir(), "refinery-report-"));
const model: ModelDescriptor = { path: "/m.gguf", name: "m", sizeBytes: 1, sampling: { temperature: 0, maxTokens: 8 } };
const task = { id: "q0", question: "What is 2 + 2?", reference: "4" };

/** A run: a wrong draft judged by one critique, then (optionally) a right revision. */
function writeRun(runId: string, draftVerdict: "correct" | "incorrect", revise: boolean) {
  mkdirSync(join(dir, "runs", runId), { recursive: true });
  const log = new RunLogWriter(join(dir, "runs", runId, "events.jsonl"));
  const at = 1;
  const node = (
    nodeId: string,
    role: "draft" | "critique" | "refine",
    model: "actor" | "critic",
    parents: string[],
    text: string,
    answer: string | null,
  ): RunEvent[] => [
    { type: "node-added", at, nodeId, parents, role, step: role, iteration: 0, model },
    { type: "node-completed", at, nodeId, text, answer, tokensIn: 5, tokensOut: 5, wallMs: 1, status: "done" },
  ];
  const events: RunEvent[] = [
    { type: "run-started", at, runId, strategy: "self-refine", params: {}, models: { actor: model, critic: model }, seed: 0, task },
    ...node("n1", "draft", "actor", [], "2 + 2 = 5\nThe answer is 5", "5"),
    ...node("n2", "critique", "critic", ["n1"], `critique saying ${draftVerdict}`, null),
    { type: "score-set", at, nodeId: "n1", score: { value: draftVerdict === "correct" ? 9 : 2, verdict: draftVerdict, source: "critic", byNodeId: "n2" } },
    ...(revise ? node("n3", "refine", "actor", ["n1", "n2"], "2 + 2 = 4\nThe answer is 4", "4") : []),
  ];
  for (const event of events) log.append(event);
  log.close();
}

const cell = (column: string, runId: string, correct: boolean): CellResult => ({
  item: 0,
  itemId: "q0",
  column,
  runId,
  status: "finished",
  correct,
  initialCorrect: false,
  answer: correct ? "4" : "5",
  pathTokens: 10,
  totalTokens: 20,
  wallMs: 5,
});

test("preference pairs: right vs wrong answers of a run, and critiques of one solution whose verdicts were right vs wrong", async () => {
  writeRun("fooled", "correct", false);
  writeRun("sharp", "incorrect", true);
  const results = [cell("fooled-critic", "fooled", false), cell("sharp-critic", "sharp", true)];
  const pairs = await preferencePairs(dir, results);
  const answers = pairs.filter((p) => p.kind === "answer");
  assert.equal(answers.length, 1, "only the run with a right and a wrong candidate gives an answer pair");
  assert.match(answers[0]!.chosen, /answer is 4/);
  assert.match(answers[0]!.rejected, /answer is 5/);
  assert.equal(answers[0]!.rejectedScore, 2);
  const critiques = pairs.filter((p) => p.kind === "critique");
  assert.equal(critiques.length, 1);
  assert.equal(critiques[0]!.chosen, "critique saying incorrect", "the draft was wrong: the critique that said so is preferred");
  assert.equal(critiques[0]!.rejected, "critique saying correct");
  assert.match(critiques[0]!.prompt, /What is 2 \+ 2\?[\s\S]*--- solution ---\n2 \+ 2 = 5/);
});

test("CSV quotes fields, JSONL is one sorted cell a line, the HTML report stands alone", () => {
  const results = [cell("b", "sharp", true), { ...cell("a", "fooled", false), answer: 'say "5", maybe' }];
  const csv = resultsCsv(results).trim().split("\n");
  assert.equal(csv.length, 3);
  assert.match(csv[2]!, /,"say ""5"", maybe",/);
  assert.deepEqual(
    resultsJsonl(results, ["a", "b"])
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).column),
    ["a", "b"],
  );
  const config = { dataset: "d.jsonl", seed: 0, columns: [] };
  const html = htmlReport(config, summarize(results, ["a", "b"]), results, { manifests: { prompts: { draft: "x" }, runs: { sharp: { seed: 0 } } } });
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);
  assert.match(html, /Run manifests<\/h2><details><summary>1 runs/);
  assert.match(html, /id="only-differ"/);
  // The accuracy plot: tick values on both axes, each point filled with its column's colour (as in the compare view).
  const plot = /<svg[^>]*aria-label="accuracy against tokens">([\s\S]*?)<\/svg>/.exec(html)![1]!;
  assert.ok([...plot.matchAll(/text-anchor="middle" font-size="10">(\d+)</g)].length >= 2, "x ticks");
  assert.deepEqual(
    [...plot.matchAll(/text-anchor="end" font-size="10">([^<]+)</g)].map((m) => m[1]),
    ["0%", "50%", "100%"],
  );
  assert.deepEqual(
    [...plot.matchAll(/<circle[^>]*fill="([^"]+)"/g)].map((m) => m[1]),
    PALETTE.slice(0, 2),
  );
});

test("the report draws the sampling curves, each column against sampling at its budget, and marks cells cut by a budget", () => {
  const base = { itemId: "", status: "finished" as const, answer: "4", pathTokens: 0, wallMs: 1, initialCorrect: null };
  const sample = (group: string, k: number) => ({ iteration: 0, tokens: 100 * k, correct: group === "4", score: null, group });
  const results: CellResult[] = [0, 1, 2].flatMap((item) => [
    {
      ...base,
      item,
      column: "sc",
      runId: `sc--${item}`,
      correct: true,
      totalTokens: 400,
      independentSamples: true as const,
      stopReason: "finished" as const,
      trajectory: ["4", "4", item === 0 ? "5" : "4", "5"].map((g, k) => sample(g, k + 1)),
    },
    {
      ...base,
      item,
      column: "refine",
      runId: `refine--${item}`,
      correct: item !== 0,
      totalTokens: 150,
      stopReason: item === 2 ? ("max-iterations" as const) : ("token-budget" as const),
      sampling: {
        policy: "matched" as const,
        actor: { temperatures: [0, 0.7], required: [0] },
        critic: { temperatures: [0.2], topK: 40 },
        seedRule: "run seed",
      },
      trajectory: [sample("4", 1)],
    },
  ]);
  const html = htmlReport({ dataset: "d.jsonl", seed: 0, columns: [] }, summarize(results, ["refine", "sc"]), results);
  const plot = /<svg[^>]*aria-label="accuracy against tokens">([\s\S]*?)<\/svg>/.exec(html)![1]!;
  assert.deepEqual(
    [...plot.matchAll(/data-measure="([^"]+)"/g)].map((m) => m[1]),
    ["passAtK", "majAtK"],
  );
  assert.match(plot, /sc pass@k \(oracle\)/);
  assert.match(plot, /log scale/);
  assert.match(html, /Against sampling at the same budget/);
  assert.match(html, /<td>refine<\/td><td>150<\/td>/);
  assert.match(html, /best sampling at this budget/);
  assert.match(html, /⚠ 2 of 3 cells were cut \(token budget\) before their first revision/);
  assert.match(html, /2 of 3 stopped by token budget/);
  assert.match(html, /matched · actor T 0 \(required\), 0\.7 · critic T 0\.2 · top-k 40/);
  assert.equal([...html.matchAll(/cut: token budget/g)].length, 2, "the two cut cells are marked in the grid");
  // Difficulty from sc's pass rates: item 0 has 2 of 4 right samples, items 1 and 2 have 3 of 4.
  assert.match(html, /Accuracy by difficulty/);
  assert.match(html, /<tr><td>\(¼, ½\]<\/td><td>1<\/td><td>0\.0%<\/td><td>100\.0%<\/td><\/tr>/);
  assert.match(html, /<tr><td>\(½, ¾\]<\/td><td>2<\/td><td>100\.0%<\/td><td>100\.0%<\/td><\/tr>/);
  assert.match(html, /cross-fitted/);
});
