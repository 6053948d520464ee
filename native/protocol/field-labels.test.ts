import { test } from "node:test";
import assert from "node:assert/strict";
import { validateRequest } from "./contract.ts";
import { describeIssue, FIELDS, type FieldDefinition, flagOptions, paramLabel, relabel } from "./field-labels.ts";

const start = {
  strategy: "self-refine",
  actor: { path: "/m.gguf" },
  critic: { path: "/m.gguf" },
  task: { question: "2+2?" },
};

const refusal = (input: unknown, audience: "ui" | "cli" = "ui") => {
  const result = validateRequest("startRun", input, audience);
  assert.equal(result.ok, false, "refused");
  return result.ok ? null : { error: result.error, field: result.field };
};

test("a refused run request names the field as the run form labels it, and its contract path", () => {
  assert.deepEqual(refusal({ ...start, actor: { path: "" } }), { error: "Actor model: choose a model file or an endpoint", field: "actor.path" });
  assert.deepEqual(refusal({ ...start, actor: { path: "/m.gguf", sampling: { maxTokens: 99999999 } } }), {
    error: "Max tokens: at most 32,768",
    field: "actor.sampling.maxTokens",
  });
  assert.equal(refusal({ ...start, actor: { path: "/m.gguf", sampling: { maxTokens: 0 } } })!.error, "Max tokens: at least 1");
  assert.equal(refusal({ ...start, actor: { path: "/m.gguf", sampling: { maxTokens: 1.5 } } })!.error, "Max tokens: must be a whole number");
  assert.equal(refusal({ ...start, actor: { path: "/m.gguf", sampling: { maxTokens: Number.NaN } } })!.error, "Max tokens: must be a number");
  assert.equal(refusal({ ...start, seed: 2 ** 40 })!.error, "Seed: at most 4,294,967,295");
  assert.equal(refusal({ ...start, critic: { path: "/m.gguf", load: { contextSize: 99999999 } } })!.error, "Critic context: at most 1,048,576");
  assert.equal(refusal({ ...start, params: { maxIterations: null } })!.error, "Max iterations: must be a number, on/off or text");
});

test("the CLI hears the same rule about its flag", () => {
  assert.equal(refusal({ ...start, actor: { path: "/m.gguf", sampling: { maxTokens: 99999999 } } }, "cli")!.error, "--max-tokens: at most 32,768");
  assert.equal(refusal({ ...start, actor: { path: "/m.gguf", load: { contextSize: 99999999 } } }, "cli")!.error, "--context-size: at most 1,048,576");
  assert.equal(refusal({ ...start, seed: -1 }, "cli")!.error, "--seed: at least 0");
  assert.equal(
    relabel("Max iterations: must be a whole number from 0 to 16, got '99'", "params.maxIterations", "cli"),
    "--param maxIterations: must be a whole number from 0 to 16, got '99'",
  );
  assert.equal(relabel("Actor model: model file not found: /x.gguf", "actor.path", "cli"), "--actor: model file not found: /x.gguf");
  assert.equal(
    relabel('2 malformed records; fix them or tick "skip malformed records"', "skipMalformed", "cli"),
    "2 malformed records; fix them or pass --skip-malformed",
  );
  assert.equal(relabel("something else", undefined, "cli"), "something else");
});

test("a key no user types keeps the request's name, for the developer who sent it", () => {
  assert.deepEqual(refusal({ ...start, extra: 1 }), { error: 'invalid startRun request: Unrecognized key: "extra"', field: undefined });
  assert.equal(
    describeIssue("loadRun", { code: "custom", message: "not a run id", path: ["runId"] }, "ui").message,
    "invalid loadRun request: runId: not a run id",
  );
});

test("strategy parameters are labelled in words", () => {
  assert.equal(paramLabel("maxIterations"), "Max iterations");
  assert.equal(paramLabel("n"), "N");
  assert.equal(paramLabel("stopScore"), "Stop score");
});

test("a flag several settings share (--context-size for both roles) takes the same value for each", () => {
  const byFlag = new Map<string, string>();
  for (const [key, field] of Object.entries(FIELDS as Record<string, FieldDefinition>)) {
    if (!field.flag) continue;
    const shape = field.value ?? "switch";
    const seen = byFlag.get(field.flag);
    assert.ok(seen === undefined || seen === shape, `${key}: ${field.flag} takes ${shape} here, ${seen} elsewhere`);
    byFlag.set(field.flag, shape);
  }
});

test("one command cannot read a shared flag two ways", () => {
  assert.deepEqual(flagOptions(["actor.load.contextSize", "critic.load.contextSize"]), { "context-size": { type: "string" } });
  assert.throws(() => flagOptions(["judge", "jury"]), /--judge is read two ways by one command/);
});
