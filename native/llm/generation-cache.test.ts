// The cache key: everything that changes what a model writes, and nothing more, so older entries still match.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { GenerateRequest } from "./backend.ts";
import { GenerationCache } from "./generation-cache.ts";

const request: GenerateRequest = { messages: [{ role: "user", content: "What is 2+2?" }], maxTokens: 64, temperature: 0.7, seed: 1 };

test("a step (stop strings, a continued answer) is a different generation from a whole answer", () => {
  const whole = GenerationCache.keyOf("m", request);
  const step = GenerationCache.keyOf("m", { ...request, stop: ["\n\n"] });
  const continued = GenerationCache.keyOf("m", { ...request, stop: ["\n\n"], continueAnswer: true });
  assert.equal(new Set([whole, step, continued]).size, 3);
  assert.equal(GenerationCache.keyOf("m", { ...request, stop: [] }), whole, "no stop strings: the key it always had");
  assert.equal(GenerationCache.keyOf("m", { ...request, onText: () => {} }), whole, "callbacks do not change what is generated");
});
