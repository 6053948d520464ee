// The --sampling flag's words, and how a column header says a role's sampling.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MATCHED_DEFAULT_TEMPERATURE, parseSamplingPolicy, roleSamplingLabel } from "./sampling-policy.ts";

test("--sampling reads paper, matched and matched:T, and says what is wrong with anything else", () => {
  assert.deepEqual(parseSamplingPolicy("paper"), { kind: "paper" });
  assert.deepEqual(parseSamplingPolicy("matched"), { kind: "matched", actorTemperature: MATCHED_DEFAULT_TEMPERATURE });
  assert.deepEqual(parseSamplingPolicy("matched:0.5"), { kind: "matched", actorTemperature: 0.5 });
  assert.throws(() => parseSamplingPolicy("matched:3"), /needs a temperature from 0 to 2 after the colon; got '3'/);
  assert.throws(() => parseSamplingPolicy("matched:"), /needs a temperature from 0 to 2/);
  assert.throws(() => parseSamplingPolicy("same"), /takes paper, matched or matched:T .*got 'same'/);
});

test("a role's sampling reads as its temperatures, the required ones marked", () => {
  assert.equal(roleSamplingLabel({ temperatures: [0, 0.3], required: [0], topP: 0.95 }), "T 0 (required), 0.3 · top-p 0.95");
  assert.equal(roleSamplingLabel({ temperatures: [] }), "no generations");
});
