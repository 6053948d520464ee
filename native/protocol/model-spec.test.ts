// Model specs: files pass through, endpoints split into base URL and served model, credentials never survive
// into what is written down.
import { test } from "node:test";
import assert from "node:assert/strict";
import { endpointSpecExamples, isOpenAISpec, ModelSpecError, parseModelSpec, redactSpec, specKind, specLabel } from "./model-spec.ts";

test("an endpoint spec splits into base URL and served model; a key in the URL is taken out", () => {
  assert.deepEqual(parseModelSpec("openai:http://gpu-box:8000/v1/#Qwen/Qwen2.5-7B-Instruct"), {
    kind: "endpoint",
    baseUrl: "http://gpu-box:8000/v1",
    model: "Qwen/Qwen2.5-7B-Instruct",
  });
  assert.deepEqual(parseModelSpec("openai:https://:sk-abc@api.example.com/v1#gpt-4o-mini"), {
    kind: "endpoint",
    baseUrl: "https://api.example.com/v1",
    model: "gpt-4o-mini",
    urlKey: "sk-abc",
  });
  assert.equal(redactSpec("openai:https://user:sk-abc@api.example.com/v1#m"), "openai:https://api.example.com/v1#m");
  assert.deepEqual(parseModelSpec("models/qwen.gguf"), { kind: "file", path: "models/qwen.gguf" });
  assert.equal(specLabel("openai:http://h:1/v1#qwen2.5:7b"), "qwen2.5:7b");
  assert.equal(specLabel("/m/Qwen2.5-7B-Q4_K_M.gguf"), "Qwen2.5-7B-Q4_K_M");
  assert.ok(isOpenAISpec("openai:http://h/v1#m") && !isOpenAISpec("/openai:x.gguf"));
});

test("a spec says what kind of source it names and whether that is a server, so the UI never reads prefixes", () => {
  assert.deepEqual(specKind("openai:http://h:8000/v1#m"), { kind: "openai", endpoint: true });
  assert.deepEqual(specKind("/models/openai:x.gguf"), { kind: "file", endpoint: false });
  assert.deepEqual(specKind(""), { kind: "file", endpoint: false });
  const examples = endpointSpecExamples().split(" or ");
  assert.ok(examples.length > 0);
  for (const example of examples) {
    assert.equal(specKind(example).endpoint, true, example);
    assert.equal(parseModelSpec(example).kind, "endpoint", `${example} is a spec the parser takes`);
  }
});

test("malformed endpoint specs say what to write, without echoing a key", () => {
  assert.throws(
    () => parseModelSpec("openai:http://:secret@h:8000/v1"),
    (e: Error) => e instanceof ModelSpecError && /names no model/.test(e.message) && !e.message.includes("secret"),
  );
  assert.throws(() => parseModelSpec("openai:not a url#m"), /no valid base URL/);
  assert.throws(() => parseModelSpec("openai:ftp://h/v1#m"), /http:\/\/ or https:\/\//);
});
