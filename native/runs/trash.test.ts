import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listRuns } from "./run-list.ts";
import { moveRunToTrash, TRASH_FOLDER } from "./trash.ts";

function runFolder(runsDir: string, runId: string, marker: string) {
  mkdirSync(join(runsDir, runId));
  const manifest = {
    runId,
    createdAt: "2026-01-01T00:00:00.000Z",
    endedAt: "2026-01-01T00:01:30.000Z",
    status: "failed",
    failure: marker,
    strategy: "single-pass",
    task: { question: "q" },
    models: [
      { role: "actor", path: "/m/actor.gguf" },
      { role: "critic", path: "openai:http://127.0.0.1:9/v1#judge" },
    ],
  };
  writeFileSync(join(runsDir, runId, "manifest.json"), JSON.stringify(manifest));
}

test("a deleted run moves to the trash, leaves the list, and a second run of that id keeps both copies", async () => {
  const runsDir = mkdtempSync(join(tmpdir(), "refinery-trash-"));
  runFolder(runsDir, "r1", "first");
  const [listed] = await listRuns(runsDir, new Set());
  assert.equal(listed?.actor, "actor.gguf");
  assert.equal(listed?.critic, "judge @ 127.0.0.1:9");
  assert.equal(listed?.endedAt, "2026-01-01T00:01:30.000Z");
  assert.equal(await moveRunToTrash(runsDir, "r1"), join(runsDir, TRASH_FOLDER, "r1"));
  assert.equal(existsSync(join(runsDir, "r1")), false);
  assert.deepEqual(await listRuns(runsDir, new Set()), []);
  runFolder(runsDir, "r1", "second");
  assert.equal(await moveRunToTrash(runsDir, "r1"), join(runsDir, TRASH_FOLDER, "r1.2"));
  assert.match(readFileSync(join(runsDir, TRASH_FOLDER, "r1", "manifest.json"), "utf8"), /first/);
  assert.match(readFileSync(join(runsDir, TRASH_FOLDER, "r1.2", "manifest.json"), "utf8"), /second/);
});

test("a run that is not there is refused by name, and a name that would leave the folder is refused", async () => {
  const runsDir = mkdtempSync(join(tmpdir(), "refinery-trash-"));
  await assert.rejects(moveRunToTrash(runsDir, "gone"), /there is no run 'gone' in the runs folder/);
  await assert.rejects(moveRunToTrash(runsDir, ".."), /not a run id/);
});
