// Every critic schema the strategies send compiles to a llama.cpp grammar: string caps of 2000 or more are refused
// ("number of rules that are going to be repeated … exceeds sane defaults"), which only shows at run time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getLlama } from "node-llama-cpp";
import { holisticSchema, MAX_STEPS, stepwiseSchema } from "../../native/strategies/verdicts.ts";
import { qualitySchema, selectorSchema } from "../../native/strategies/eigen1.ts";

test("critic, stepwise, Eigen-1 judge and selector schemas compile to grammars", async () => {
  const llama = await getLlama({ build: "never", gpu: false });
  const schemas: Array<[string, unknown]> = [
    ["holistic", holisticSchema],
    ...Array.from({ length: MAX_STEPS }, (_, i): [string, unknown] => [`stepwise ${i + 1}`, stepwiseSchema(i + 1)]),
    ["eigen-1 quality", qualitySchema],
    ["eigen-1 selector", selectorSchema(5)],
  ];
  for (const [name, schema] of schemas) {
    await assert.doesNotReject(llama.createGrammarForJsonSchema(schema as never), `${name} compiles`);
  }
});
