// Every strategy declares the context its longest conversation needs, and the declaration holds: run on scripted
// models that always write their whole token budget (a scripted token is a word), no call's prompt plus output
// exceeds it. A run that cannot fit is refused before any model is called, with the numbers and the knobs.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { GenerateRequest } from "../llm/backend.ts";
import type { Task } from "../protocol/events.ts";
import { RunInputError } from "../runs/runner.ts";
import { scriptedRun } from "../../test/support/scripted-run.ts";
import { strategies } from "./registry.ts";
import { resolveParams, type ContextBudgets } from "./types.ts";

const BUDGET = 200;
const words = (text: string) => (text.match(/\S+/g) ?? []).length;
const filler = (n: number) => Array(Math.max(0, n)).fill("w").join(" ");

const mathTask: Task = { question: "What is 6 * 7?", reference: "42" };
const codeTask: Task = {
  question: 'def square(x):\n    """Return x squared.\n    >>> square(3)\n    9\n    """\n',
  tests: { language: "python", code: "def check(f):\n    assert f(3) == 9", entryPoint: "square" },
};

/** A value of the schema; booleans say "not correct" (so loops run on) except a claim, which holds. */
function instanceOf(schema: Record<string, unknown>, pick: number, name = ""): unknown {
  if (Array.isArray(schema.enum)) return schema.enum[pick % schema.enum.length];
  if (schema.type === "boolean") return name === "holds";
  if (schema.type === "string") return name === "call" ? "square(2)" : name === "expected" ? "5" : "w";
  if (schema.type === "array") {
    return Array.from({ length: (schema.minItems as number | undefined) ?? 1 }, (_, i) => instanceOf(schema.items as Record<string, unknown>, pick + i));
  }
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  return Object.fromEntries(Object.entries(properties).map(([key, property], i) => [key, instanceOf(property, pick * 7 + i * 3, key)]));
}

/** The whole budget, every call: free text padded to the call's token limit, JSON with its first prose field padded. */
function fullBudget(task: Task, seen: { most: number }) {
  return (request: GenerateRequest, call: number): string => {
    const limit = request.maxTokens;
    let text: string;
    if (request.jsonSchema) {
      const value = instanceOf(request.jsonSchema, call) as Record<string, unknown>;
      const prose = Object.keys(value).find((key) => value[key] === "w");
      if (prose) value[prose] = filler(limit - words(JSON.stringify(value)) + 1);
      text = JSON.stringify(value);
    } else if (task.tests) {
      text = `\`\`\`python\ndef square(x):\n    # ${filler(limit - 8)}\n    return x + x\n\`\`\``;
    } else {
      text = `Step 1: ${filler(limit - 6)}\nThe answer is ${40 + (call % 3)}`;
    }
    seen.most = Math.max(seen.most, request.messages.reduce((sum, m) => sum + words(m.content), 0) + words(text));
    return text;
  };
}

const checklistTask: Task = { question: "Explain why the sky is blue.", checklist: ["names Rayleigh scattering", "mentions wavelength", "is under 200 words"] };

const cases: Array<{ strategy: string; params?: Record<string, unknown>; task?: Task }> = [
  { strategy: "single-pass" },
  { strategy: "self-refine", params: { maxIterations: 4 } },
  { strategy: "self-refine", params: { maxIterations: 3, feedbackFormat: "json" } },
  { strategy: "critic-guided", params: { revisions: 4 } },
  { strategy: "best-of-n", params: { n: 2 } },
  { strategy: "self-consistency", params: { n: 2 } },
  { strategy: "step-critique", params: { rounds: 3 } },
  { strategy: "magicore", params: { k: 2, maxIterations: 1, rewardMean: 5, rewardStd: 1 } },
  { strategy: "pdr", params: { rounds: 2, drafts: 2, kappa: 100 } },
  { strategy: "sequential-refinement", params: { rounds: 2, kappa: 100 } },
  { strategy: "glore" },
  { strategy: "eigen-1", params: { solvers: 3 } },
  { strategy: "gra", params: { maxAttempts: 2 } },
  { strategy: "mctsr", params: { iterations: 2 } },
  { strategy: "cycle", params: { maxIterations: 3 }, task: codeTask },
  { strategy: "rlac", params: { maxIterations: 3, passesToStop: 3 } },
  { strategy: "weighted-best-of-n", params: { n: 2 } },
  { strategy: "deepconf", params: { n: 3, warmup: 2 } },
  { strategy: "beam-search", params: { n: 4, beamWidth: 2, maxIterations: 3 } },
  { strategy: "dvts", params: { n: 4, beamWidth: 2, maxIterations: 3 } },
  { strategy: "checklist-refine", params: { turns: 3, feedback: "full" }, task: checklistTask },
  { strategy: "checklist-refine", params: { turns: 3, feedback: "none" }, task: checklistTask },
  { strategy: "progressive-refine", params: { rounds: 3 } },
  { strategy: "keep-if-better", params: { rounds: 3 } },
  { strategy: "review-revise", params: { reviewers: 3, maxRounds: 2 } },
  { strategy: "self-refine", params: { task: "dialogue", maxIterations: 3 } },
  { strategy: "self-refine", params: { task: "sentiment", maxIterations: 3 } },
  { strategy: "self-refine", params: { task: "auto", maxIterations: 3 }, task: { question: "dog, frisbee", selfRefine: { task: "commongen" } } },
];

test("every strategy declares its context need, and no call of a full-budget run exceeds it", async () => {
  const covered = new Set(cases.map((c) => c.strategy));
  for (const strategy of strategies) if (strategy.name !== "pipeline") assert.ok(covered.has(strategy.name), `${strategy.name} is checked`);
  for (const { strategy: name, params = {}, task = mathTask } of cases) {
    const strategy = strategies.find((s) => s.name === name)!;
    const budgets: ContextBudgets = {
      prompt: Math.ceil(task.question.length / 3) + 256,
      actor: { answer: BUDGET, thought: 0 },
      critic: strategy.usesCritic === false ? { answer: 0, thought: 0 } : { answer: BUDGET, thought: 0 },
    };
    const declared = strategy.contextNeeded(resolveParams(strategy, params), budgets);
    const seen = { most: 0 };
    const script = fullBudget(task, seen);
    // The models get exactly the declared context: the run is accepted, and what fits itself to the context does.
    const sized = { actorContextSize: declared, criticContextSize: declared };
    await scriptedRun({ strategy: name, params, task, sampling: { maxTokens: BUDGET }, actor: script, critic: script, ...sized });
    assert.ok(seen.most <= declared, `${name} ${JSON.stringify(params)}: a call used ${seen.most} tokens, the declared need is ${declared}`);
  }
});

test("a run whose need outgrows the context is refused before any call, naming the numbers and the parameter it grows with", async () => {
  let calls = 0;
  const run = () =>
    scriptedRun({
      strategy: "critic-guided",
      params: { revisions: 8 },
      sampling: { maxTokens: 300 },
      actorContextSize: 2048,
      criticContextSize: 2048,
      actor: () => `${calls++}`,
      critic: () => `${calls++}`,
    });
  await assert.rejects(run(), (error: Error) => {
    assert.ok(error instanceof RunInputError);
    assert.match(
      error.message,
      /^critic-guided needs about \d+ tokens of context for its longest conversation \(prompt \d+, actor answers 300, critic 300; grows with Revisions \(8\)\), but the actor's context is 2048 tokens \(its backend's context\): lower max tokens/,
    );
    return true;
  });
  assert.equal(calls, 0, "nothing ran");
  const fits = await scriptedRun({
    strategy: "critic-guided",
    params: { revisions: 1 },
    sampling: { maxTokens: 300 },
    actorContextSize: 2048,
    criticContextSize: 2048,
    actor: () => "The answer is 42",
    critic: () => JSON.stringify({ critique: "ok", correct: true, score: 9 }),
  });
  assert.equal(fits.state.answer, "42", "fewer revisions fit the same context");
});

test("a pipeline needs the context of its most demanding stage", () => {
  const pipeline = strategies.find((s) => s.name === "pipeline")!;
  const critic = strategies.find((s) => s.name === "critic-guided")!;
  const budgets: ContextBudgets = { prompt: 300, actor: { answer: 200, thought: 0 }, critic: { answer: 200, thought: 0 } };
  const spec = (revisions: number) =>
    JSON.stringify({
      kind: "chain",
      steps: [
        { strategy: "best-of-n", params: { n: 2 } },
        { strategy: "critic-guided", params: { revisions } },
      ],
    });
  for (const revisions of [1, 6]) {
    assert.equal(
      pipeline.contextNeeded({ spec: spec(revisions) }, budgets),
      critic.contextNeeded(resolveParams(critic, { revisions }), budgets),
      `critic-guided with ${revisions} revisions is the longest stage`,
    );
  }
});
