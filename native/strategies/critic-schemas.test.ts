// Every schema a critic is sent is standard JSON Schema read strictly: a llama-server, vLLM or OpenAI's strict mode
// treat a property missing from `required` as optional, and node-llama-cpp's reading (all required) must not be the
// only one that works.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sentSchemas, strictnessProblems } from "../../test/support/sent-schemas.ts";
import { strictObject } from "./verdicts.ts";

test("every critic schema any strategy sends lists each property in required and allows no other, at every level", async () => {
  const sent = await sentSchemas();
  // The judges each strategy has; a strategy whose judge stops being sent would silently leave the check.
  for (const name of [
    "critic-guided/critique",
    "best-of-n/critique",
    "step-critique/step-critique",
    "magicore/score",
    "glore/outcome",
    "eigen-1/quality",
    "eigen-1/selector",
    "gra/reviewer-1",
    "gra/adjudicator",
    "mctsr/reward",
    "rlac/failure-mode",
    "rlac/check-claim",
    "stepwise",
    "critic-eval/correction",
  ]) {
    assert.ok(sent.has(name), `${name} is among the schemas sent (seen: ${[...sent.keys()].join(", ")})`);
  }
  assert.equal(sent.get("rlac/failure-mode")!.length, 2, "RLAC sends a math claim and a code claim");
  for (const [name, schemas] of sent) for (const schema of schemas) assert.deepEqual(strictnessProblems(schema), [], name);
});

test("the strictness check finds a missing required, an open object and a nested offender", () => {
  assert.deepEqual(strictnessProblems(strictObject({ a: { type: "string" } })), []);
  assert.deepEqual(strictnessProblems({ type: "object", properties: { a: { type: "string" } }, additionalProperties: false }), ["$: not in required: a"]);
  assert.deepEqual(strictnessProblems({ type: "object", properties: { a: { type: "string" } }, required: ["a"] }), ["$: additionalProperties is not false"]);
  assert.deepEqual(strictnessProblems(strictObject({ list: { type: "array", items: { type: "object", properties: { b: { enum: [1] } } } } })), [
    "$.list[]: not in required: b",
    "$.list[]: additionalProperties is not false",
  ]);
});
