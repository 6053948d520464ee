// Every strategy end to end through node-llama-cpp on generated models: the event log's shape, replay
// equal to the live state, reproducibility with a fixed seed, sharing one model between roles, cancel.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { RunEvent } from "../../native/protocol/events.ts";
import { replayRunLog } from "../../native/runs/run-log.ts";
import { executeRun, type RunConfig } from "../../native/runs/runner.ts";
import { strategies } from "../../native/strategies/registry.ts";
import { openRuntime } from "../../native/llm/runtime.ts";
import { repoRoot, storiesModel, testModel } from "../support/models.ts";

let actor: string;
let critic: string;
const outDir = mkdtempSync(join(tmpdir(), "refinery-e2e-"));

before(async () => {
  actor = await testModel("tinyChat");
  critic = await testModel("tinyCritic");
});

after(async () => {
  await (await openRuntime({ threads: 1 })).dispose();
});

const smallParams: Record<string, Record<string, unknown>> = {
  "self-refine": { maxIterations: 2 },
  "critic-guided": { revisions: 1 },
  "best-of-n": { n: 3 },
  "self-consistency": { n: 3 },
  "weighted-best-of-n": { n: 3 },
  "beam-search": { n: 2, beamWidth: 2, maxIterations: 2 },
  dvts: { n: 2, beamWidth: 2, maxIterations: 2 },
  "step-critique": { samples: 2, rounds: 1 },
  magicore: { k: 3, maxIterations: 1, topK: 4 },
  pdr: { rounds: 2, drafts: 2 },
  "sequential-refinement": { rounds: 2 },
  glore: {},
  "eigen-1": { solvers: 2 },
  gra: { maxAttempts: 2 },
  mctsr: { iterations: 2 },
  cycle: { maxIterations: 1 },
  rlac: { maxIterations: 2 },
  "checklist-refine": { turns: 2 },
  "review-revise": { reviewers: 2, maxRounds: 1 },
  pipeline: {
    spec: JSON.stringify({
      kind: "chain",
      steps: [
        { strategy: "best-of-n", params: { n: 2 } },
        { strategy: "self-refine", params: { maxIterations: 1 } },
      ],
    }),
  },
};

// Code strategies run on the first HumanEval item (its tests run in the sandbox).
const humanEval = JSON.parse(readFileSync(resolve(repoRoot, "../shared/data/tasks/humaneval.jsonl"), "utf8").split("\n")[0]!);
const codeTask = {
  id: humanEval.task_id,
  question: humanEval.prompt,
  tests: { language: "python" as const, code: humanEval.test, entryPoint: humanEval.entry_point },
};

const arithmeticTask = { question: "Tom has 3 apples and buys 4 more. How many apples does he have?", reference: "7" };
// Checklist-guided refinement reads the item's criteria (RefineBench's layout).
const checklistTask = { ...arithmeticTask, checklist: ["States the number of apples", "Shows the addition 3 + 4"] };

function config(strategy: string, extra: Partial<RunConfig> = {}): RunConfig {
  return {
    strategy,
    params: smallParams[strategy] ?? {},
    actor: { path: actor, sampling: { maxTokens: 24 } },
    critic: { path: critic, sampling: { maxTokens: 400 } },
    task: strategy === "cycle" || strategy === "rlac" ? codeTask : strategy === "checklist-refine" ? checklistTask : arithmeticTask,
    seed: 11,
    outDir,
    threads: 1,
    ...extra,
  };
}

const stable = (events: RunEvent[]) =>
  events.map((event) => {
    const { at: _at, ...rest } = event as RunEvent & { at?: number };
    if (rest.type === "node-completed") return { ...rest, wallMs: 0 };
    if (rest.type === "run-started") return { ...rest, runId: "" };
    return rest;
  });

for (const strategy of strategies) {
  test(`${strategy.name} runs end to end through node-llama-cpp`, async () => {
    const live: RunEvent[] = [];
    const result = await executeRun(config(strategy.name, { onEvent: (e) => live.push(e) }));
    assert.equal(result.state.status, "finished", result.state.failure?.reason ?? "");
    const { state, log } = await replayRunLog(result.logPath);
    assert.deepEqual(state, result.state, "replay rebuilds the live state");
    assert.equal(log.events[0]!.type, "run-started");
    assert.equal(log.events.at(-1)!.type, "run-finished");
    assert.ok(
      live.some((e) => e.type === "token-delta"),
      "tokens stream while nodes generate",
    );
    const nodes = state.order.map((id) => state.nodes[id]!);
    assert.ok(nodes.every((n) => n.status === "done"));
    assert.ok(nodes.filter((n) => n.model).every((n) => n.tokensOut > 0 && n.tokensIn > 0));
    if (strategy.name === "mctsr") assert.equal(state.snapshots.length, 2, "one search snapshot per iteration");
    if (strategy.name === "cycle" || strategy.name === "rlac") {
      assert.ok(
        nodes.some((n) => n.role === "verify" && /isolation/.test(n.text)),
        "code ran in the sandbox",
      );
      assert.equal(state.correct, false, "random weights do not write a working function");
    }
    assert.ok(state.budgets!.totalTokens >= state.budgets!.selectedPathTokens && state.budgets!.selectedPathTokens > 0);
    for (const node of nodes) {
      for (const score of node.scores) {
        assert.ok(score.byNodeId && state.nodes[score.byNodeId], `the score on ${node.id} names the node that produced it`);
        // Random weights under a JSON-schema grammar still give well-formed verdicts (or are recorded as unparseable).
        assert.ok(score.verdict === "unparseable" || score.value === null || (score.value >= 0 && score.value <= 10));
      }
    }
    if (nodes.some((n) => n.role === "critique" && n.step === "critique")) {
      assert.ok(
        nodes.some((n) => n.scores.some((s) => s.source === "critic")),
        "critiques scored their candidates",
      );
    }
    if (strategy.name === "step-critique") {
      const stepScores = nodes.flatMap((n) => n.scores).filter((s) => s.steps);
      assert.ok(stepScores.length > 0 && stepScores.every((s) => s.steps!.length > 0));
    }
    const manifest = JSON.parse(readFileSync(result.manifestPath, "utf8"));
    assert.equal(manifest.status, "finished");
    assert.equal(manifest.models[0].sha256.length, 64);
    assert.equal(manifest.backend.threads, 1);
    assert.match(manifest.backend.nodeLlamaCppVersion, /^3\.21\.1$/);
    assert.ok(manifest.memory.estimate.ram > 0, "the plan's estimate is recorded");
    assert.equal(typeof manifest.memory.actual.rssGrowth, "number", "and what loading took");
  });
}

test("same seed, same strategy, same model, sequential decoding: identical event logs apart from timestamps", async () => {
  const first = await executeRun(config("best-of-n", { parallel: false, params: { n: 2 } }));
  const second = await executeRun(config("best-of-n", { parallel: false, params: { n: 2 } }));
  const a = (await replayRunLog(first.logPath)).log.events;
  const b = (await replayRunLog(second.logPath)).log.events;
  assert.deepEqual(stable(b), stable(a));
  const third = await executeRun(config("best-of-n", { parallel: false, params: { n: 2 }, seed: 12 }));
  assert.notDeepEqual(stable((await replayRunLog(third.logPath)).log.events), stable(a), "another seed samples differently");
});

test("actor and critic naming the same file share one loaded model", async () => {
  const result = await executeRun(config("critic-guided", { critic: { path: actor, sampling: { maxTokens: 120 } } }));
  assert.equal(result.state.status, "finished");
  const manifest = JSON.parse(readFileSync(result.manifestPath, "utf8"));
  assert.equal(manifest.models[1].sharedWith, "actor");
});

test("a real trained model without a chat template runs (stories260K)", async () => {
  const result = await executeRun(
    // Scored feedback: the paper's four few-shot feedback examples alone fill most of this model's 2,048-token context.
    config("self-refine", {
      params: { maxIterations: 2, feedbackFormat: "json" },
      actor: { path: storiesModel, sampling: { maxTokens: 32 } },
      critic: { path: storiesModel, sampling: { maxTokens: 120 } },
    }),
  );
  assert.equal(result.state.status, "finished", result.state.failure?.reason ?? "");
  assert.ok(result.state.nodes.n1!.text.length > 0);
});

test("cancelling mid-generation stops the node, keeps what was written, and ends the run cancelled", async () => {
  const controller = new AbortController();
  let deltas = 0;
  const result = await executeRun(
    config("single-pass", {
      actor: { path: actor, sampling: { maxTokens: 2000 } },
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === "token-delta" && ++deltas === 5) controller.abort();
      },
    }),
  );
  assert.equal(result.state.status, "cancelled");
  assert.equal(result.state.failure!.code, "cancelled");
  const node = result.state.nodes.n1!;
  assert.equal(node.status, "aborted");
  assert.ok(node.tokensOut < 2000 && node.text.length > 0);
  const manifest = JSON.parse(readFileSync(result.manifestPath, "utf8"));
  assert.equal(manifest.status, "cancelled");
});

test("a model with Qwen2's own tokenizer and ChatML template runs a critic loop", async () => {
  const qwen = await testModel("qwenChat");
  const result = await executeRun(
    config("critic-guided", { actor: { path: qwen, sampling: { maxTokens: 16 } }, critic: { path: qwen, sampling: { maxTokens: 60 } } }),
  );
  assert.equal(result.state.status, "finished", result.state.failure?.reason ?? "");
  assert.ok(result.state.nodes.n2!.text.startsWith("{"), "the critic's output is constrained JSON");
});

test("load settings per role reach llama.cpp and the manifest; saved defaults persist per model", async () => {
  const result = await executeRun(
    config("single-pass", { actor: { path: actor, sampling: { maxTokens: 8 }, load: { contextSize: 1024, flashAttention: true, gpuLayers: 0 } } }),
  );
  assert.equal(result.state.status, "finished", result.state.failure?.reason ?? "");
  const manifest = JSON.parse(readFileSync(result.manifestPath, "utf8"));
  assert.deepEqual(manifest.models[0].load, { contextSize: 1024, flashAttention: true, gpuLayers: 0 });
  // The run's own record keeps what was asked, so "run again" can restore it; the critic asked for nothing.
  assert.deepEqual(result.state.models?.actor.load, { gpuLayers: 0, contextSize: 1024, flashAttention: true });
  assert.equal(result.state.models?.critic.load, undefined);
  const { getLoadSettings, saveLoadSettings } = await import("../../native/llm/load-settings.ts");
  const store = join(outDir, "load-settings.json");
  await saveLoadSettings(actor, "critic", { contextSize: 2048 }, store);
  await saveLoadSettings(actor, "actor", { gpuLayers: "max" }, store);
  assert.deepEqual(await getLoadSettings(actor, store), { critic: { contextSize: 2048 }, actor: { gpuLayers: "max" } });
  assert.deepEqual(await getLoadSettings(critic, store), {});
});
