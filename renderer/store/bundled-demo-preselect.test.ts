// A fresh setup starts from the bundled demo pair: the demo actor in the actor field and, where a demo critic is
// shipped beside it, that critic in the critic field (else the actor plays both roles); a setup the user filled is
// never touched. The engine's answers are canned here; the engine side (which file plays which role) is
// native/llm/bundled-demo.ts, and test/ui/first-run-ui.test.ts drives the whole first run against the real engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Bridge, LibraryModelInfo } from "../../native/protocol/contract.ts";
import { createController } from "./controller.ts";
import { createAppStore } from "./store.ts";

const entry = (path: string, extra: Partial<LibraryModelInfo>): LibraryModelInfo => ({
  path,
  name: path,
  source: "bundled",
  sizeBytes: 1,
  architecture: "llama",
  parameters: null,
  quantization: null,
  contextLength: 4096,
  layers: 3,
  chatTemplate: true,
  roles: ["actor", "critic"],
  ...extra,
});

function cannedBridge(library: LibraryModelInfo[]): Bridge {
  const answers: Record<string, unknown> = {
    listModels: library,
    readDataset: [{ id: "demo-1", question: "Ann has 2 pens. She buys 3 more. How many pens does Ann have now?", reference: "5" }],
  };
  return new Proxy({} as Record<string, unknown>, {
    get: (_, name) => {
      if (name === "then") return undefined;
      if (name === "subscribe") return () => () => {};
      return async () => (name in answers ? { ok: true, value: answers[name as string] } : { ok: false, error: `${String(name)} is not canned` });
    },
  }) as unknown as Bridge;
}

const dataset = "/app/resources/datasets/demo-arithmetic.jsonl";

test("the demo critic, where one is shipped, fills the critic field; the demo actor the actor field", async () => {
  // Listed critic first: the choice follows each file's role, not the library's order.
  const library = [
    entry("/app/resources/models/refinery-demo-critic.gguf", { demoRole: "critic", demoDataset: dataset }),
    entry("/app/resources/models/refinery-demo-arithmetic.gguf", { demoRole: "actor", demoDataset: dataset }),
  ];
  const store = createAppStore();
  const controller = createController(cannedBridge(library), store, { hash: "", setHash: () => {} });
  await controller.refreshLibrary();
  const { setup } = store.getState();
  assert.equal(setup.actorPath, "/app/resources/models/refinery-demo-arithmetic.gguf");
  assert.equal(setup.criticPath, "/app/resources/models/refinery-demo-critic.gguf");
  assert.match(setup.question, /^Ann has 2 pens/);
});

test("without a demo critic the demo actor plays both roles, and a filled setup is left alone", async () => {
  const library = [entry("/app/resources/models/refinery-demo-arithmetic.gguf", { demoRole: "actor", demoDataset: dataset })];
  const store = createAppStore();
  const controller = createController(cannedBridge(library), store, { hash: "", setHash: () => {} });
  await controller.refreshLibrary();
  assert.equal(store.getState().setup.actorPath, library[0]!.path);
  assert.equal(store.getState().setup.criticPath, library[0]!.path);

  const filled = createAppStore();
  filled.getState().updateSetup({ criticPath: "/models/my-critic.gguf" });
  await createController(cannedBridge(library), filled, { hash: "", setHash: () => {} }).refreshLibrary();
  assert.equal(filled.getState().setup.actorPath, "");
  assert.equal(filled.getState().setup.criticPath, "/models/my-critic.gguf");
});
