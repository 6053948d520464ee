// Experiments on scripted backends: checkpointing, resume equal to an uninterrupted run, summaries.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GenerateRequest } from "../llm/backend.ts";
import { ScriptedBackend } from "../llm/scripted-backend.ts";
import {
  breakdownByField,
  columnsFor,
  correctWithin,
  ExperimentControl,
  readResults,
  runExperiment,
  summarize,
  type CellResult,
  type ExperimentConfig,
} from "./experiment.ts";
import { replayRunLog } from "../runs/run-log.ts";
import { htmlReport } from "./report.ts";
import { renderTree } from "../cli/render-tree.ts";

const scratch = mkdtempSync(join(tmpdir(), "refinery-exp-"));
const dataset = join(scratch, "tasks.jsonl");
writeFileSync(dataset, Array.from({ length: 6 }, (_, i) => JSON.stringify({ question: `What is ${i} + ${i}?`, answer: `#### ${2 * i}` })).join("\n"));

// The actor answers right on even items; its self-consistency samples drift with the sample index.
const actorScript = (request: GenerateRequest) => {
  const n = Number(/What is (\d+)/.exec(request.messages.find((m) => m.role === "user")!.content)?.[1] ?? 0);
  const sample = request.seed % 3;
  return `Step 1\nThe answer is ${n % 2 === 0 ? 2 * n : 2 * n + (sample === 0 ? 1 : 0)}`;
};
const backends = () => ({
  actor: new ScriptedBackend(actorScript),
  critic: new ScriptedBackend(() => JSON.stringify({ critique: "ok", correct: true, score: 8 })),
});

const config: ExperimentConfig = {
  dataset,
  columns: [
    { name: "single", strategy: "single-pass", actor: { path: "a" }, critic: { path: "c" } },
    { name: "sc", strategy: "self-consistency", params: { n: 3 }, actor: { path: "a" }, critic: { path: "c" } },
  ],
  seed: 5,
};

test("a resumed experiment produces the same results as an uninterrupted one, and never redoes a finished cell", async () => {
  const whole = join(scratch, "whole");
  const full = await runExperiment(whole, config, { deps: { backends: backends() } });
  assert.equal(full.length, 12);

  const resumed = join(scratch, "resumed");
  const controller = new AbortController();
  const inFlight: Array<{ done: number; running: number }> = [];
  await runExperiment(resumed, config, {
    deps: { backends: backends() },
    signal: controller.signal,
    onProgress: (p) => {
      inFlight.push({ done: p.done, running: p.running });
      if (p.done === 5 && p.running === 0) controller.abort();
    },
  });
  assert.equal(readResults(resumed).length, 5, "stopped after five cells");
  // A cell counts as running from its start (the CLI's "1 running"), and no longer once it is done.
  assert.deepEqual(inFlight.slice(0, 4), [
    { done: 0, running: 1 },
    { done: 1, running: 0 },
    { done: 1, running: 1 },
    { done: 2, running: 0 },
  ]);
  const seen: number[] = [];
  const after = await runExperiment(resumed, config, { deps: { backends: backends() }, onProgress: (p) => p.running === 0 && seen.push(p.done) });
  assert.deepEqual(seen, [6, 7, 8, 9, 10, 11, 12], "only the remaining cells ran");
  const strip = (rows: typeof full) => rows.map(({ wallMs: _w, ...rest }) => rest).sort((a, b) => a.runId.localeCompare(b.runId));
  assert.deepEqual(strip(after), strip(full));
  await assert.rejects(runExperiment(resumed, { ...config, seed: 6 }, { deps: { backends: backends() } }), /holds a different experiment/);
});

test("the summary pairs columns on the same items against the baseline", async () => {
  const results = readResults(join(scratch, "whole"));
  const summary = summarize(results, ["single", "sc"]);
  const [single, sc] = summary.columns;
  assert.equal(single!.items, 6);
  assert.ok(single!.accuracy >= 0.5 && single!.accuracy <= 1);
  assert.equal(single!.versusBaseline, null);
  assert.equal(sc!.versusBaseline!.items, 6);
  assert.equal(sc!.versusBaseline!.wins + sc!.versusBaseline!.ties + sc!.versusBaseline!.losses, 6);
  assert.ok(single!.interval[0] <= single!.accuracy && single!.accuracy <= single!.interval[1]);
  assert.ok(sc!.transitions !== null);
  assert.ok(summary.pareto.length >= 1);
});

test("a self-consistency column keeps each sample's vote group and yields the sampling frontier from its own samples", async () => {
  const results = readResults(join(scratch, "whole"));
  const sc = results.filter((r) => r.column === "sc");
  assert.ok(sc.every((r) => r.independentSamples === true));
  assert.ok(results.filter((r) => r.column === "single").every((r) => r.independentSamples === undefined));
  // Odd items: samples 0 of every 3 seeds answer 2n+1, the others 2n; the vote groups are the normalised answers.
  const odd = sc.find((r) => r.item === 1)!;
  assert.deepEqual(
    odd.trajectory!.map((p) => [p.group, p.correct]),
    odd.trajectory!.map((p) => [p.group, p.group === "2"]),
  );
  const summary = summarize(results, ["single", "sc"]);
  assert.deepEqual(
    summary.frontier.map((f) => [f.column, f.n, f.points.map((p) => p.k)]),
    [["sc", 3, [1, 2, 3]]],
  );
  const [k1, , k3] = summary.frontier[0]!.points;
  // maj@n is the vote every cell took, up to tie draws; pass@1 is the share of right samples.
  const samples = sc.flatMap((r) => r.trajectory!);
  assert.ok(Math.abs(k1!.passAtK - samples.filter((p) => p.correct).length / samples.length) < 1e-12);
  assert.ok(Math.abs(k3!.meanTokens - sc.reduce((s, r) => s + r.totalTokens, 0) / sc.length) < 1e-9);
  assert.equal(summary.columns[0]!.versusFrontier!.frontierColumn, "sc");
});

test("identical generations are replayed from the experiment's cache, also for a cell cut short", async () => {
  const cacheConfig: ExperimentConfig = {
    ...config,
    // A draft at the actor's own temperature (the repo's is greedy), so it is single-pass's sample.
    columns: [config.columns[0]!, { name: "refine", strategy: "self-refine", params: { draftTemperature: 0.7 }, actor: { path: "a" }, critic: { path: "c" } }],
  };
  const counted = backends();
  const dir = join(scratch, "cached");
  const results = await runExperiment(dir, cacheConfig, { deps: { backends: counted } });
  // Self-Refine's first draft has single-pass's prompt, sampling and seed: generated once.
  const hits = results.reduce((sum, r) => sum + (r.cachedGenerations ?? 0), 0);
  assert.equal(hits, 6, "one replay per item");
  const uncached = backends();
  await runExperiment(join(scratch, "uncached"), cacheConfig, { deps: { backends: uncached }, cache: false });
  assert.equal(counted.actor.requests.length, uncached.actor.requests.length - hits);
  // A cell that has to be run again (its checkpoint line lost) generates nothing new.
  const lines = readFileSync(join(dir, "results.jsonl"), "utf8").trim().split("\n");
  writeFileSync(join(dir, "results.jsonl"), `${lines.slice(0, -1).join("\n")}\n`);
  const again = backends();
  const rerun = await runExperiment(dir, cacheConfig, { deps: { backends: again } });
  assert.equal(rerun.length, 12);
  assert.equal(again.actor.requests.length + again.critic.requests.length, 0);
  const redone = rerun.at(-1)!;
  assert.ok(redone.cachedGenerations! >= 1);
  const state = (await replayRunLog(join(dir, "runs", redone.runId, "events.jsonl"))).state;
  assert.ok(
    Object.values(state.nodes).some((n) => n.cached),
    "cached nodes are marked in the tree",
  );
});

test("pause starts no new cell until resumed; concurrent items run at once; trajectories are recorded", async () => {
  const control = new ExperimentControl();
  const updates: Array<{ done: number; paused: boolean; running: number }> = [];
  const promise = runExperiment(join(scratch, "paused"), config, {
    control,
    concurrency: 3,
    onProgress: (p) => {
      updates.push({ done: p.done, paused: p.paused, running: p.running });
      if (p.done === 3 && !p.paused) control.pause();
    },
    deps: {
      backends: {
        actor: new ScriptedBackend(actorScript),
        critic: backends().critic,
      },
    },
  });
  // Wait until paused and the cells in flight have drained.
  for (let i = 0; i < 500 && !(control.paused && updates.at(-1)?.running === 0); i++) await new Promise((r) => setTimeout(r, 5));
  const doneWhilePaused = updates.at(-1)!.done;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(updates.at(-1)!.done, doneWhilePaused, "nothing finished while paused");
  assert.ok(doneWhilePaused >= 3 && doneWhilePaused < 12);
  control.resume();
  const results = await promise;
  assert.equal(results.length, 12);
  assert.ok(
    updates.some((u) => u.running > 1),
    "more than one item in flight",
  );
  assert.ok(updates.some((u) => u.paused) && !updates.at(-1)!.paused);
  const sc = results.find((r) => r.column === "sc")!;
  assert.equal(sc.trajectory!.length, 3, "three samples, in order");
  assert.ok(sc.trajectory!.every((p, i, all) => i === 0 || p.tokens > all[i - 1]!.tokens));
});

test("multiple-choice and code datasets are checked inside experiments", async () => {
  const mc = join(scratch, "mc.jsonl");
  writeFileSync(
    mc,
    [
      { question: "Pick B", choices: ["x", "y"], answer: "B" },
      { question: "Pick A", choices: ["x", "y"], answer: "0" },
    ]
      .map((o) => JSON.stringify(o))
      .join("\n"),
  );
  const mcResults = await runExperiment(
    join(scratch, "mc"),
    { dataset: mc, seed: 1, columns: [config.columns[0]!] },
    {
      deps: {
        backends: {
          actor: new ScriptedBackend((r) => `Thinking.\nThe answer is (${/Pick (\w)/.exec(r.messages.at(-1)!.content)![1]}) y`),
          critic: backends().critic,
        },
      },
    },
  );
  assert.deepEqual(
    mcResults.map((r) => r.correct),
    [true, true],
  );
  const code = join(scratch, "code.jsonl");
  writeFileSync(code, JSON.stringify({ task_id: "t/0", prompt: "def inc(x):\n", entry_point: "inc", test: "def check(f):\n    assert f(1) == 2\n" }));
  const codeResults = await runExperiment(
    join(scratch, "code"),
    { dataset: code, seed: 1, columns: [config.columns[0]!] },
    {
      deps: { backends: { actor: new ScriptedBackend(() => "```python\ndef inc(x):\n    return x + 1\n```"), critic: backends().critic } },
    },
  );
  assert.equal(codeResults[0]!.correct, true);
  assert.equal(codeResults[0]!.initialCorrect, true);
});

test("budget-matched accuracy takes the answer each run held at the budget; dynamics follow the k-th candidate", () => {
  const cell = (item: number, column: string, correct: boolean, totalTokens: number, trajectory: Array<[number, boolean, number | null]>): CellResult => ({
    item,
    itemId: String(item),
    column,
    runId: `${column}-${item}`,
    status: "finished",
    correct,
    initialCorrect: trajectory[0]![1],
    answer: null,
    pathTokens: totalTokens,
    totalTokens,
    wallMs: 1,
    trajectory: trajectory.map(([tokens, ok, score], k) => ({ iteration: k, tokens, correct: ok, score })),
  });
  const results = [
    cell(0, "one", true, 100, [[100, true, null]]),
    cell(1, "one", false, 100, [[100, false, null]]),
    cell(0, "loop", true, 400, [
      [100, false, 3],
      [250, true, 8],
      [400, true, 9],
    ]),
    cell(1, "loop", true, 300, [
      [100, true, 7],
      [300, true, 9],
    ]),
  ];
  assert.equal(correctWithin(results[2]!, 99), false, "nothing before the first candidate");
  assert.equal(correctWithin(results[2]!, 260), true);
  const summary = summarize(results, ["one", "loop"]);
  // Budgets are the columns' mean total tokens: 100 and 350.
  assert.deepEqual(summary.budgetMatched, [
    { budget: 100, accuracy: { one: 0.5, loop: 0.5 } },
    { budget: 350, accuracy: { one: 0.5, loop: 1 } },
  ]);
  assert.deepEqual(summary.columns[1]!.dynamics, [
    { candidate: 0, items: 2, accuracy: 0.5, meanScore: 5 },
    { candidate: 1, items: 2, accuracy: 1, meanScore: 8.5 },
    { candidate: 2, items: 1, accuracy: 1, meanScore: 9 },
  ]);
  assert.deepEqual(summary.columns[1]!.transitions, { ...summary.columns[1]!.transitions!, wrongToCorrect: 1, correctToCorrect: 1, correctToWrong: 0 });
});

test("columns are strategies × model pairs, named by strategy alone when there is one pair", () => {
  const strategies = [
    { name: "single-pass", strategy: "single-pass" },
    { name: "sc(n=3)", strategy: "self-consistency", params: { n: 3 } },
  ];
  const one = columnsFor(strategies, [{ actor: { path: "/m/a.gguf" }, critic: { path: "/m/a.gguf" } }]);
  assert.deepEqual(
    one.map((c) => c.name),
    ["single-pass", "sc(n=3)"],
  );
  const two = columnsFor(strategies, [
    { actor: { path: "/m/a.gguf" }, critic: { path: "/m/a.gguf" } },
    { actor: { path: "/m/b.gguf" }, critic: { path: "/m/judge.gguf" } },
  ]);
  assert.deepEqual(
    two.map((c) => c.name),
    ["single-pass @ a", "sc(n=3) @ a", "single-pass @ b+judge", "sc(n=3) @ b+judge"],
  );
  assert.equal(two[3]!.critic.path, "/m/judge.gguf");
  assert.deepEqual(
    columnsFor([strategies[0]!, strategies[0]!], [{ actor: { path: "a" }, critic: { path: "a" } }]).map((c) => c.name),
    ["single-pass", "single-pass#2"],
  );
  assert.throws(() => columnsFor([], [{ actor: { path: "a" }, critic: { path: "a" } }]), /at least one strategy/);
});

test("accuracy breaks down by categorical dataset fields", () => {
  const cell = (item: number, column: string, correct: boolean) => ({
    item,
    itemId: String(item),
    column,
    runId: `${column}-${item}`,
    status: "finished" as const,
    correct,
    initialCorrect: null,
    answer: null,
    pathTokens: 1,
    totalTokens: 1,
    wallMs: 1,
  });
  const results = [
    cell(0, "a", true),
    cell(0, "b", true),
    cell(1, "a", false),
    cell(1, "b", true),
    cell(2, "a", true),
    cell(2, "b", false),
    cell(3, "a", true),
  ];
  const fields = [
    { level: "Level 1", src: "x" },
    { level: "Level 2", src: "x" },
    { level: "Level 2", src: "x" },
    { level: "Level 10", src: "y" },
  ];
  // Item 3 is missing column b, so it is left out; "src" then has one value and is no category.
  assert.deepEqual(breakdownByField(results, ["a", "b"], fields), [
    {
      field: "level",
      rows: [
        { value: "Level 1", items: 1, accuracy: { a: 1, b: 1 } },
        { value: "Level 2", items: 2, accuracy: { a: 0.5, b: 0.5 } },
      ],
    },
  ]);
});

test("a dataset edited since the experiment started is refused on resume; a worker's error stops the experiment cleanly", async () => {
  const data = join(scratch, "editable.jsonl");
  writeFileSync(data, [1, 2, 3].map((i) => JSON.stringify({ question: `What is ${i} + ${i}?`, answer: `#### ${2 * i}` })).join("\n"));
  const edited: ExperimentConfig = { ...config, dataset: data };
  const dir = join(scratch, "editable");
  await runExperiment(dir, edited, { deps: { backends: backends() } });
  writeFileSync(data, [1, 5, 3].map((i) => JSON.stringify({ question: `What is ${i} + ${i}?`, answer: `#### ${2 * i}` })).join("\n"));
  await assert.rejects(
    runExperiment(dir, edited, { deps: { backends: backends() } }),
    /items of .*editable\.jsonl changed since this experiment started \(3 items then, 3 now\)/,
  );

  let calls = 0;
  const failing = {
    actor: new ScriptedBackend((request) => {
      if (++calls === 4) throw new Error("the GPU fell off the bus");
      return actorScript(request);
    }),
    critic: backends().critic,
  };
  const broken = join(scratch, "broken-worker");
  const results = await runExperiment(broken, { ...config, columns: [config.columns[0]!] }, { deps: { backends: failing }, concurrency: 2 });
  // A generation error fails that cell (recorded), not the experiment.
  assert.equal(results.length, 6);
  assert.equal(results.filter((r) => r.status === "failed").length, 1);
  assert.match(results.find((r) => r.status === "failed")!.failure!, /GPU fell off the bus/);

  // Input a run refuses (an oracle column on an item without a reference) stops the experiment with that error,
  // after the cells in flight settle; what finished stays checkpointed.
  const partial = join(scratch, "no-reference.jsonl");
  writeFileSync(
    partial,
    [
      JSON.stringify({ question: "What is 1 + 1?", answer: "#### 2" }),
      JSON.stringify({ question: "What is 2 + 2?" }),
      JSON.stringify({ question: "What is 3 + 3?", answer: "#### 6" }),
    ].join("\n"),
  );
  const oracle: ExperimentConfig = {
    dataset: partial,
    seed: 1,
    columns: [{ name: "oracle", strategy: "step-critique", params: { oracle: true }, actor: { path: "a" }, critic: { path: "c" } }],
  };
  const stopped = join(scratch, "oracle");
  await assert.rejects(runExperiment(stopped, oracle, { deps: { backends: backends() }, concurrency: 2 }), /oracle mode needs a task with a reference answer/);
  assert.ok(readResults(stopped).every((r) => r.item !== 1));
});

test("a Self-Refine cell cut by the token cap before its first revision is marked, counted and warned about", async () => {
  const refineColumn = { name: "refine", strategy: "self-refine", params: { maxIterations: 1 }, actor: { path: "a" }, critic: { path: "c" } };
  const capped: ExperimentConfig = { ...config, columns: [config.columns[0]!, refineColumn], maxTotalTokens: 1 };
  const results = await runExperiment(join(scratch, "capped"), capped, { deps: { backends: backends() } });
  const refine = results.filter((r) => r.column === "refine");
  assert.deepEqual(new Set(refine.map((r) => r.stopReason)), new Set(["token-budget"]));
  assert.ok(
    refine.every((r) => r.trajectory!.length === 1),
    "only the draft",
  );
  assert.ok(
    results.filter((r) => r.column === "single").every((r) => r.stopReason === "finished"),
    "single-pass never asks the budget",
  );
  const summary = summarize(results, ["single", "refine"]);
  const [single, refined] = summary.columns;
  assert.deepEqual(refined!.stops, { "token-budget": 6 });
  assert.equal(refined!.cutBeforeRevision, 6);
  assert.match(refined!.warning!, /^6 of 6 cells were cut \(token budget\) before their first revision/);
  assert.equal(single!.warning, undefined);
  assert.equal(single!.cutBeforeRevision, 0);
  assert.deepEqual(refined!.cutBeforeRevisionBy, ["token-budget"]);
  assert.equal(single!.cutBeforeRevisionBy, undefined);
  // The report says it on the column and on each cell; replay says it of the run.
  const html = htmlReport(capped, summary, results);
  assert.match(html, /<small data-cut-before-revision="6">6 of 6 cut by the token budget before their first revision<\/small>/);
  assert.equal(html.match(/cut: token budget, before its first revision/g)?.length, 6);
  const replayed = await replayRunLog(join(scratch, "capped", "runs", refine[0]!.runId, "events.jsonl"));
  assert.match(renderTree(replayed.state), /^stopped: token budget, before its first revision \(only the first draft\)$/m);

  // Uncapped, the same column runs its revision and stops at its iteration limit.
  const uncapped = await runExperiment(join(scratch, "uncapped"), { ...capped, maxTotalTokens: undefined }, { deps: { backends: backends() } });
  const free = uncapped.filter((r) => r.column === "refine");
  assert.deepEqual(new Set(free.map((r) => r.stopReason)), new Set(["max-iterations"]));
  assert.ok(free.every((r) => r.trajectory!.length === 2));
  assert.equal(summarize(uncapped, ["single", "refine"]).columns[1]!.warning, undefined);
});

test("--sampling matched runs every actor generation at one temperature, keeps a procedure's own, and records both", async () => {
  const seen: number[] = [];
  const recording = () => ({
    actor: new ScriptedBackend((request) => {
      seen.push(request.temperature);
      return actorScript(request);
    }),
    critic: new ScriptedBackend(() => JSON.stringify({ critique: "ok", correct: true, score: 8, firstErrorStep: null, steps: [] })),
  });
  const columns = [config.columns[1]!, { name: "glore", strategy: "glore", actor: { path: "a" }, critic: { path: "c" } }];
  const paper = await runExperiment(join(scratch, "paper-sampling"), { ...config, limit: 2, columns }, { deps: { backends: recording() } });
  assert.deepEqual(paper.find((r) => r.column === "sc")!.sampling!.actor.temperatures, [0.8], "self-consistency's documented 0.8");
  assert.equal(paper.find((r) => r.column === "sc")!.sampling!.policy, "paper");
  seen.length = 0;
  const matchedConfig: ExperimentConfig = { ...config, limit: 2, columns, sampling: { kind: "matched", actorTemperature: 0.3 } };
  const matched = await runExperiment(join(scratch, "matched-sampling"), matchedConfig, { deps: { backends: recording() } });
  assert.deepEqual([...new Set(seen)].sort(), [0, 0.3], "every actor generation at 0.3 but GLoRe's greedy draft");
  assert.deepEqual(matched.find((r) => r.column === "sc")!.sampling!.actor, { temperatures: [0.3] });
  const glore = summarize(matched, ["sc", "glore"]).columns[1]!.sampling!;
  assert.equal(glore.policy, "matched");
  assert.deepEqual(glore.actor.required, [0], "the header can say the greedy draft was kept");
  assert.ok(glore.actor.temperatures.includes(0));
});

test("an experiment with a column whose longest conversation cannot fit the models' context is refused before any cell", async () => {
  const { writeGguf } = await import("../llm/gguf/writer.ts");
  const { GgmlType, GgufValueType } = await import("../llm/gguf/format.ts");
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
  const pair = { actor: { path: model, sampling: { maxTokens: 256 } }, critic: { path: model, sampling: { maxTokens: 256 } } };
  const refused: ExperimentConfig = {
    ...config,
    columns: [
      { name: "single", strategy: "single-pass", ...pair },
      { name: "refine", strategy: "self-refine", params: { maxIterations: 4 }, ...pair },
    ],
  };
  const dir = join(scratch, "refused");
  await assert.rejects(
    runExperiment(dir, refused, { deps: { backends: backends() } }),
    /column refine cannot run on the longest item .*self-refine needs about \d+ tokens of context .* but the actor's context is 1024 tokens/,
  );
  assert.equal(readResults(dir).length, 0, "no cell ran");
});
