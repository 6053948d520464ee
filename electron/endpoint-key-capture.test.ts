// The keys the desktop app keeps in the OS keychain: those of endpoints tested or added to the library, and no other.
import { test } from "node:test";
import assert from "node:assert/strict";
import { keyToKeep } from "./endpoint-key-capture.ts";

test("an endpoint added to the library hands its key to the keychain, typed or written in its URL", () => {
  assert.deepEqual(keyToKeep("addModel", { path: "openai:http://127.0.0.1:8000/v1#qwen", apiKey: "sk-typed" }), {
    baseUrl: "http://127.0.0.1:8000/v1",
    key: "sk-typed",
  });
  assert.deepEqual(keyToKeep("addModel", { path: "openai:https://:sk-url@api.example.com/v1/#m" }), { baseUrl: "https://api.example.com/v1", key: "sk-url" });
  assert.deepEqual(keyToKeep("testEndpoint", { spec: "openai:http://127.0.0.1:8000/v1#qwen", apiKey: "sk-tested" }), {
    baseUrl: "http://127.0.0.1:8000/v1",
    key: "sk-tested",
  });
});

test("no key, a model file, a malformed spec or another request keeps nothing", () => {
  assert.equal(keyToKeep("addModel", { path: "openai:http://127.0.0.1:8000/v1#qwen" }), null);
  assert.equal(keyToKeep("addModel", { path: "/models/qwen.gguf", apiKey: "sk" }), null);
  assert.equal(keyToKeep("addModel", { path: "openai:http://127.0.0.1:8000/v1", apiKey: "sk" }), null);
  assert.equal(keyToKeep("startRun", { spec: "openai:http://127.0.0.1:8000/v1#qwen", apiKey: "sk" }), null);
});
