import { test } from "node:test";
import assert from "node:assert/strict";
import { modelLabel } from "./model-label.ts";

test("a model file is named by its file name, an endpoint by its served model and host", () => {
  assert.equal(modelLabel("/models/qwen2.5-0.5b-q8_0.gguf"), "qwen2.5-0.5b-q8_0.gguf");
  assert.equal(modelLabel("C:\\models\\phi.gguf"), "phi.gguf");
  assert.equal(modelLabel("openai:http://127.0.0.1:8000/v1#llama3"), "llama3 @ 127.0.0.1:8000");
  assert.equal(modelLabel("openai:not a url#m"), "m @ not a url");
});
