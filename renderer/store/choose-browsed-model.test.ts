// A model file found by browsing ("choose…": web mode's folder browser, the desktop dialog) fills the role and joins
// the library, through a real engine answering the controller's requests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineService } from "../../native/engine/service.ts";
import type { Bridge } from "../../native/protocol/contract.ts";
import { storiesModel } from "../../test/support/models.ts";
import { createController } from "./controller.ts";
import { createAppStore } from "./store.ts";

const home = mkdtempSync(join(tmpdir(), "refinery-choose-home-"));
Object.assign(process.env, {
  HOME: home,
  REFINERY_HOME: join(home, ".refinery"),
  REFINERY_MODELS_DIR: join(home, "models"),
  OLLAMA_MODELS: join(home, "ollama"),
  HF_HUB_CACHE: join(home, "hf"),
});

function engineBridge(): Bridge {
  const service = new EngineService({ runsDir: mkdtempSync(join(tmpdir(), "refinery-choose-runs-")), mode: "web", emit: () => {} });
  return new Proxy({} as Record<string, unknown>, {
    get: (_, name) => {
      if (name === "then") return undefined;
      if (name === "subscribe") return () => () => {};
      return (input: unknown) => service.handle(name as never, input as never);
    },
  }) as unknown as Bridge;
}

test("a file chosen in the folder browser becomes the actor and is listed in the library from then on", async () => {
  const folder = join(home, "Downloads");
  mkdirSync(folder, { recursive: true });
  const file = join(folder, "stories260K.gguf");
  copyFileSync(storiesModel, file);
  const store = createAppStore();
  const controller = createController(engineBridge(), store, { hash: "", setHash: () => {} });
  await controller.chooseBrowsedModel("actor", file);
  assert.equal(store.getState().setup.actorPath, file);
  assert.deepEqual(
    // The bundled demo model is listed too; what the user browsed to is the added entry.
    store
      .getState()
      .library.filter((m) => m.source !== "bundled")
      .map((m) => [m.source, m.path]),
    [["added", file]],
  );
  assert.deepEqual(JSON.parse(readFileSync(join(home, ".refinery", "library.json"), "utf8")).added, [file]);
});

test("a file that is no model fills the field (which says why) but is not added to the library", async () => {
  const store = createAppStore();
  const controller = createController(engineBridge(), store, { hash: "", setHash: () => {} });
  const before = readFileSync(join(home, ".refinery", "library.json"), "utf8");
  await controller.chooseBrowsedModel("critic", join(home, "missing.gguf"));
  assert.equal(store.getState().setup.criticPath, join(home, "missing.gguf"));
  assert.equal(readFileSync(join(home, ".refinery", "library.json"), "utf8"), before);
  assert.ok(!store.getState().errors.some((e) => e.where === "library"), "the field, not the library, reports it");
});
