import { test } from "node:test";
import assert from "node:assert/strict";
import { parseStrategySpec, parseStrategySpecs } from "./strategy-spec.ts";

test("strategy specs name a strategy and its parameters", () => {
  assert.deepEqual(parseStrategySpec("best-of-n"), { name: "best-of-n", strategy: "best-of-n" });
  assert.deepEqual(parseStrategySpec(" self-consistency: n=5, temperature=0.7 "), {
    name: "self-consistency(n=5,temperature=0.7)",
    strategy: "self-consistency",
    params: { n: "5", temperature: "0.7" },
  });
  assert.deepEqual(
    parseStrategySpecs("self-refine;\n best-of-n:n=4 ;;").map((s) => ("name" in s ? s.name : s.preset)),
    ["self-refine", "best-of-n(n=4)"],
  );
  assert.deepEqual(parseStrategySpecs("@resources/presets/refine-or-vote.json"), [{ preset: "resources/presets/refine-or-vote.json" }]);
  assert.throws(() => parseStrategySpec("best-of-n:n"), /parameters are name=value/);
  assert.throws(() => parseStrategySpec("Best Of N"), /does not start with a strategy name/);
});
