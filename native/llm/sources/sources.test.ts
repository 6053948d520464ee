// The source registry end to end: a source added to the table (the test-only echo: source) runs a whole run —
// checked, opened, cached, warned about what it cannot do, recorded — with nothing else knowing about it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { echoSource } from "../../../test/support/echo-source.ts";
import { readManifest } from "../../runs/manifest.ts";
import { executeRun, RunInputError, type RunConfig } from "../../runs/runner.ts";
import { GenerationCache } from "../generation-cache.ts";
import { fileSource } from "./file.ts";
import { openaiSource } from "./openai.ts";
import { MODEL_SOURCES, sourceFor } from "./registry.ts";

const sources = [echoSource, ...MODEL_SOURCES];

const echoRun = (outDir: string, overrides: Partial<RunConfig> = {}): RunConfig => ({
  strategy: "single-pass",
  actor: { path: "echo:parrot", sampling: { thinkingBudget: 16 } },
  critic: { path: "echo:parrot" },
  task: { question: "Repeat after me: the answer is \\boxed{4}.", reference: "4" },
  seed: 1,
  outDir,
  ...overrides,
});

test("each spec goes to its source: endpoints to the OpenAI source, anything else is a file", () => {
  assert.equal(sourceFor("openai:http://127.0.0.1:8000/v1#m"), openaiSource);
  assert.equal(sourceFor("/models/qwen.gguf"), fileSource);
  assert.equal(sourceFor("echo:parrot"), fileSource, "the echo source is not in the production table");
  assert.equal(sourceFor("echo:parrot", sources), echoSource);
});

test("a run on a source the runner has never heard of: opened, recorded, cached and warned about through its source", async () => {
  const outDir = mkdtempSync(join(tmpdir(), "refinery-echo-"));
  const cache = new GenerationCache();
  const first = await executeRun(echoRun(outDir), { sources, generationCache: cache });
  assert.equal(first.state.status, "finished", first.state.failure?.reason ?? "");
  assert.equal(first.state.correct, true, "the echoed question holds the boxed answer");
  const [draft] = first.state.order.map((id) => first.state.nodes[id]!);
  assert.match(draft!.warning ?? "", /the echo model takes no thinking budget/);
  const manifest = await readManifest(first.manifestPath);
  assert.deepEqual(
    manifest.models.map((m) => [m.role, m.path, m.name, m.sha256]),
    [
      ["actor", "echo:parrot", null, null],
      ["critic", "echo:parrot", null, null],
    ],
  );
  assert.deepEqual(manifest.backend, { kind: "echo" });
  assert.equal(manifest.reproducibility, undefined);
  // The cache identifies the model by the source's identity: the same run again is replayed, not generated.
  const second = await executeRun(echoRun(outDir), { sources, generationCache: cache });
  assert.equal(cache.hits, 1);
  assert.equal(second.state.nodes[second.state.order[0]!]!.cached, true);
});

test("a spec its source refuses is refused before a run folder exists, in the source's words", async () => {
  const outDir = mkdtempSync(join(tmpdir(), "refinery-echo-"));
  await assert.rejects(
    executeRun(echoRun(outDir, { actor: { path: "echo:" } }), { sources }),
    (error: Error) => error instanceof RunInputError && /'echo:' names no model/.test(error.message),
  );
});
