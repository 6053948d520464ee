// Library scanning on folders laid out like LM Studio's, Ollama's and the Hugging Face cache.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addModel, defaultRoots, readAddedModels, scanLibrary } from "../../native/llm/library.ts";
import { spawnSync } from "node:child_process";
import { repoRoot, storiesModel, testModel } from "../support/models.ts";

const home = mkdtempSync(join(tmpdir(), "refinery-home-"));
let chat: string;

before(async () => {
  chat = await testModel("tinyChat");
  // LM Studio: models/<publisher>/<repo>/<file>.gguf, plus a partial download that must not show.
  const lm = join(home, ".lmstudio/models/lmstudio-community/Tiny-Chat-GGUF");
  mkdirSync(lm, { recursive: true });
  copyFileSync(chat, join(lm, "tiny-chat-F16.gguf"));
  writeFileSync(join(lm, "bigger-Q4_K_M.gguf.partial"), "GGUF…");
  // Ollama: blobs named by digest, manifests naming the model layer.
  const ollama = join(home, ".ollama/models");
  mkdirSync(join(ollama, "blobs"), { recursive: true });
  const digest = createHash("sha256").update(readFileSync(storiesModel)).digest("hex");
  linkSync(storiesModel, join(ollama, "blobs", `sha256-${digest}`));
  writeFileSync(join(ollama, "blobs", "sha256-0000"), '{"template": "not a model"}');
  mkdirSync(join(ollama, "manifests/registry.ollama.ai/library/stories"), { recursive: true });
  writeFileSync(
    join(ollama, "manifests/registry.ollama.ai/library/stories/260k"),
    JSON.stringify({
      layers: [
        { mediaType: "application/vnd.ollama.image.template", digest: "sha256:0000" },
        { mediaType: "application/vnd.ollama.image.model", digest: `sha256:${digest}` },
      ],
    }),
  );
  // Hugging Face hub cache: snapshots link into blobs.
  const hf = join(home, ".cache/huggingface/hub/models--refinery--tiny-critic-GGUF");
  mkdirSync(join(hf, "blobs"), { recursive: true });
  mkdirSync(join(hf, "snapshots/abc123"), { recursive: true });
  copyFileSync(await testModel("tinyCritic"), join(hf, "blobs/deadbeef"));
  symlinkSync("../../blobs/deadbeef", join(hf, "snapshots/abc123/tiny-critic-F16.gguf"));
});

test("finds GGUFs where LM Studio, Ollama and the HF cache keep them, in place, with their facts", async () => {
  const models = await scanLibrary(defaultRoots(home, {}));
  const byName = new Map(models.map((m) => [m.name, m]));
  assert.deepEqual([...byName.keys()].sort(), [
    "lmstudio-community/Tiny-Chat-GGUF/tiny-chat-F16.gguf",
    "refinery/tiny-critic-GGUF/tiny-critic-F16.gguf",
    "stories:260k",
  ]);
  const lm = byName.get("lmstudio-community/Tiny-Chat-GGUF/tiny-chat-F16.gguf")!;
  assert.deepEqual([lm.source, lm.architecture, lm.quantization, lm.layers, lm.contextLength, lm.chatTemplate], ["lmstudio", "llama", "F16", 2, 4096, true]);
  assert.deepEqual(lm.roles, ["actor", "critic"]);
  const stories = byName.get("stories:260k")!;
  assert.equal(stories.source, "ollama");
  assert.match(stories.path, /blobs\/sha256-[0-9a-f]{64}$/);
  assert.equal(stories.chatTemplate, false);
  assert.deepEqual(stories.roles, ["critic"]);
  assert.equal(stories.roleNote, "no chat template: uses a plain prompt");
  assert.equal(stories.quantization, "F32", "no general.file_type: read from the weight tensors");
  assert.match(stories.parameters!, /^29\dK$/, "counted from tensor shapes (stories260K has about 292K weights)");
  const hf = byName.get("refinery/tiny-critic-GGUF/tiny-critic-F16.gguf")!;
  assert.equal(hf.source, "huggingface");
  assert.ok(hf.sizeBytes > 1_000_000);
});

test("files added by path are remembered; the same file reached twice is listed once", async () => {
  const config = join(home, ".refinery/library.json");
  await addModel(chat, config);
  await addModel(chat, config);
  assert.deepEqual(await readAddedModels(config), [chat]);
  const roots = defaultRoots(home, {});
  roots.added = await readAddedModels(config);
  roots.folders = [join(home, ".lmstudio")];
  const models = await scanLibrary(roots);
  assert.equal(models.filter((m) => m.name.endsWith("tiny-chat-F16.gguf")).length, 1);
  assert.ok(models.some((m) => m.source === "added" && m.path === chat));
  await assert.rejects(addModel(join(home, "missing.gguf"), config), /model file not found/);
});

test("refinery models prints a 1.1 MiB file as 1.1 MiB with its F32 weights and why it suits the critic", () => {
  const dir = mkdtempSync(join(tmpdir(), "refinery-models-cli-"));
  copyFileSync(storiesModel, join(dir, "stories260K.gguf"));
  const result = spawnSync(process.execPath, [join(repoRoot, "bin/refinery.mjs"), "models"], {
    encoding: "utf8",
    env: {
      ...process.env,
      REFINERY_MODELS_DIR: dir,
      REFINERY_HOME: join(dir, "home"),
      HF_HOME: join(dir, "hf"),
      OLLAMA_MODELS: join(dir, "ollama"),
      HOME: dir,
    },
  });
  assert.equal(result.status, 0, result.stderr);
  assert.match(
    result.stdout,
    /^\[refinery\] stories260K\.gguf\n {4}llama · 29\dK · F32 · 1\.1 MiB · ctx 2048 · 5 layers · no chat template: uses a plain prompt · suits critic best, usable as actor too\n/,
  );
  assert.doesNotMatch(result.stdout, /GiB|\?/);
});
