// Model specs: files pass through, endpoints split into base URL and served model, credentials never survive
// into what is written down.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isEndpointSpec, ModelSpecError, parseModelSpec, redactSpec, specLabel } from "./model-spec.ts";
import { ThinkSplitter } from "./think-splitter.ts";

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
  assert.ok(isEndpointSpec("openai:http://h/v1#m") && !isEndpointSpec("/openai:x.gguf"));
});

test("malformed endpoint specs say what to write, without echoing a key", () => {
  assert.throws(
    () => parseModelSpec("openai:http://:secret@h:8000/v1"),
    (e: Error) => e instanceof ModelSpecError && /names no model/.test(e.message) && !e.message.includes("secret"),
  );
  assert.throws(() => parseModelSpec("openai:not a url#m"), /no valid base URL/);
  assert.throws(() => parseModelSpec("openai:ftp://h/v1#m"), /http:\/\/ or https:\/\//);
});

test("<think> blocks split off the visible text whatever the chunking; an unclosed block stays thought", () => {
  const whole = "<think>plan: add</think>\n\nThe answer is 4.";
  for (let size = 1; size <= whole.length; size++) {
    const splitter = new ThinkSplitter();
    let visible = "";
    for (let i = 0; i < whole.length; i += size) visible += splitter.push(whole.slice(i, i + size));
    visible += splitter.end();
    assert.equal(visible, "The answer is 4.", `chunks of ${size}`);
    assert.equal(splitter.thought, "plan: add");
  }
  const open = new ThinkSplitter();
  open.push("<think>still thinking");
  assert.equal(open.end(), "");
  assert.equal(open.thought, "still thinking");
  const plain = new ThinkSplitter();
  assert.equal(plain.push("a < b") + plain.end(), "a < b");
});
