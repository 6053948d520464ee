// Every critic schema the strategies send compiles to a llama.cpp grammar: string caps of 2000 or more are refused
// ("number of rules that are going to be repeated … exceeds sane defaults"), which only shows at run time. The
// schemas are the ones a scripted run of every strategy actually sends (MCTSr's 201-value reward enum, GRA's
// reviewers and adjudicator, RLAC's claims and verdicts included), not a list kept by hand.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getLlama } from "node-llama-cpp";
import { sentSchemas } from "../support/sent-schemas.ts";

test("every schema a critic is sent compiles to a grammar", async () => {
  const llama = await getLlama({ build: "never", gpu: false });
  const sent = await sentSchemas();
  for (const name of ["mctsr/reward", "gra/reviewer-1", "gra/adjudicator", "rlac/failure-mode", "rlac/check-claim", "eigen-1/selector", "stepwise"]) {
    assert.ok(sent.has(name), `${name} is compiled`);
  }
  for (const [name, schemas] of sent) {
    for (const schema of schemas) await assert.doesNotReject(llama.createGrammarForJsonSchema(schema as never), `${name} compiles`);
  }
});
