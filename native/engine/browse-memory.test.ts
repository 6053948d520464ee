// "choose…" starts where the user last browsed: web mode's folder browser (the engine's listModelFolder) and the
// desktop dialog (the supervisor's pickModelFile) both keep the folder in settings.json and open there next time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineService } from "./service.ts";
import { EngineHost } from "./host.ts";
import type { ModelFolderInfo } from "../protocol/contract.ts";

const home = mkdtempSync(join(tmpdir(), "refinery-browse-home-"));
process.env.HOME = home;
process.env.REFINERY_HOME = join(home, ".refinery");
const settingsFile = join(home, ".refinery", "settings.json");

test("the folder browser opens where the user last browsed, and at home once that folder is gone", async () => {
  const service = new EngineService({ runsDir: mkdtempSync(join(tmpdir(), "refinery-browse-runs-")), mode: "web", emit: () => {} });
  const models = join(home, "Downloads", "models");
  mkdirSync(models, { recursive: true });
  writeFileSync(join(models, "tiny.gguf"), "GGUF");
  const first = await service.handle("listModelFolder", {});
  assert.ok(first.ok, !first.ok ? first.error : "");
  assert.equal((first.value as ModelFolderInfo).path, home, "nothing browsed yet: home");
  assert.ok((await service.handle("listModelFolder", { path: models })).ok);
  const again = await service.handle("listModelFolder", {});
  assert.ok(again.ok, !again.ok ? again.error : "");
  assert.equal((again.value as ModelFolderInfo).path, models);
  assert.deepEqual(JSON.parse(readFileSync(settingsFile, "utf8")), { lastModelFolder: models });
  rmSync(models, { recursive: true });
  const gone = await service.handle("listModelFolder", {});
  assert.ok(gone.ok, !gone.ok ? gone.error : "");
  assert.equal((gone.value as ModelFolderInfo).path, home);
});

test("the desktop dialog opens in the folder of the model picked last; a cancelled dialog changes nothing", async () => {
  const picks = [join(home, "lm", "qwen", "qwen-Q4_K_M.gguf"), null];
  mkdirSync(join(home, "lm", "qwen"), { recursive: true });
  const openedAt: Array<string | undefined> = [];
  const settingsPath = join(home, "desktop-settings.json");
  writeFileSync(settingsPath, JSON.stringify({ other: 1 }));
  const host = new EngineHost({
    spawn: () => {
      throw new Error("picking a file starts no engine");
    },
    runsDir: mkdtempSync(join(tmpdir(), "refinery-browse-runs-")),
    settingsPath,
    pickModelFile: async (defaultPath) => {
      openedAt.push(defaultPath);
      return picks.shift() ?? null;
    },
  });
  assert.deepEqual(await host.request("pickModelFile", {}), { ok: true, value: { path: join(home, "lm", "qwen", "qwen-Q4_K_M.gguf") } });
  assert.deepEqual(await host.request("pickModelFile", {}), { ok: true, value: { path: null } });
  assert.deepEqual(await host.request("pickModelFile", {}), { ok: true, value: { path: null } });
  assert.deepEqual(openedAt, [undefined, join(home, "lm", "qwen"), join(home, "lm", "qwen")]);
  assert.deepEqual(JSON.parse(readFileSync(settingsPath, "utf8")), { other: 1, lastModelFolder: join(home, "lm", "qwen") });
  host.dispose();
});
