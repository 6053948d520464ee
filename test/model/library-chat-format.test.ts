// The library shows what `refinery inspect` knows of each file: the chat wrapper node-llama-cpp resolves and whether
// it has thought segments, beside size and context — read from the same function inspect uses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineService } from "../../native/engine/service.ts";
import { resolveChatFormat } from "../../native/llm/chat-format.ts";
import { openRuntime } from "../../native/llm/runtime.ts";
import type { LibraryModelInfo } from "../../native/protocol/contract.ts";
import { storiesModel, testModel } from "../support/models.ts";

const home = mkdtempSync(join(tmpdir(), "refinery-library-format-"));
const models = join(home, "models");
Object.assign(process.env, {
  HOME: home,
  REFINERY_HOME: join(home, ".refinery"),
  REFINERY_MODELS_DIR: models,
  OLLAMA_MODELS: join(home, "ollama"),
  HF_HUB_CACHE: join(home, "hf"),
});

test("each library file carries inspect's chat wrapper and thought segments; a reasoning model says it thinks", async () => {
  mkdirSync(models, { recursive: true });
  copyFileSync(await testModel("tinyChat"), join(models, "tiny-chat.gguf"));
  copyFileSync(await testModel("thinkingChat"), join(models, "thinking-chat.gguf"));
  copyFileSync(storiesModel, join(models, "stories260K.gguf"));
  const service = new EngineService({ runsDir: join(home, "runs"), threads: 1, mode: "web", emit: () => {} });
  const listed = await service.handle("listModels", {});
  assert.ok(listed.ok, !listed.ok ? listed.error : "");
  const byName = new Map((listed.value as LibraryModelInfo[]).map((m) => [m.name, m]));
  const facts = (name: string) => {
    const model = byName.get(name)!;
    return [model.chatFormat?.wrapper, model.chatFormat?.thoughts, model.contextLength, model.sizeBytes > 0];
  };
  assert.deepEqual(facts("tiny-chat.gguf"), ["ChatML", false, 4096, true]);
  assert.deepEqual(facts("thinking-chat.gguf"), ["JinjaTemplate", true, 4096, true]);
  assert.deepEqual(facts("stories260K.gguf"), ["Llama2Chat", false, 2048, true]);
  // The same answer `refinery inspect` prints, for every file.
  const { llama } = await openRuntime({ gpu: "auto", threads: 1 });
  for (const model of byName.values()) {
    const inspected = await resolveChatFormat(llama, model.path);
    assert.deepEqual(model.chatFormat, { wrapper: inspected.wrapper, thoughts: inspected.thoughts }, model.name);
  }
});
