import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { listModelFolder } from "./model-folder.ts";

test("a folder lists its subfolders and .gguf files only, one level, with sizes", async () => {
  const root = mkdtempSync(join(tmpdir(), "refinery-folder-"));
  mkdirSync(join(root, "qwen/deeper"), { recursive: true });
  mkdirSync(join(root, ".hidden"));
  writeFileSync(join(root, "b.gguf"), Buffer.alloc(2048));
  writeFileSync(join(root, "A.GGUF"), Buffer.alloc(10));
  writeFileSync(join(root, "notes.txt"), "secret");
  writeFileSync(join(root, "half.gguf.ipull"), "x");
  writeFileSync(join(root, "qwen/deeper/inside.gguf"), "x");
  symlinkSync(join(root, "b.gguf"), join(root, "link.gguf"));
  symlinkSync(join(root, "missing.gguf"), join(root, "dangling.gguf"));
  const listing = await listModelFolder(root);
  assert.equal(listing.path, root);
  assert.equal(listing.parent, dirname(root));
  assert.deepEqual(listing.folders, ["qwen", ".hidden"]);
  assert.deepEqual(
    listing.files.map((f) => [f.name, f.sizeBytes]),
    [
      ["A.GGUF", 10],
      ["b.gguf", 2048],
      ["link.gguf", 2048],
    ],
  );
  assert.deepEqual((await listModelFolder("/")).parent, null);
});

test("only full paths of folders that exist; home when none is given", async () => {
  const home = mkdtempSync(join(tmpdir(), "refinery-home-"));
  assert.equal((await listModelFolder(undefined, home)).path, home);
  await assert.rejects(listModelFolder("models"), /give a full folder path \(from \/\), not 'models'/);
  await assert.rejects(listModelFolder(join(home, "nope")), /folder not found: .*nope$/);
  writeFileSync(join(home, "f.gguf"), "x");
  await assert.rejects(listModelFolder(join(home, "f.gguf")), /not a folder: .*f\.gguf$/);
});
