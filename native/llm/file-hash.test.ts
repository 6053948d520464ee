// The manifest's model digests: remembered in the process and in the cache file, and computed again for a changed file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cachedSha256 } from "./file-hash.ts";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

test("a digest is remembered in the process, and a file that changed is hashed again", async () => {
  const dir = mkdtempSync(join(tmpdir(), "refinery-hash-"));
  const previous = process.env.REFINERY_CACHE_DIR;
  process.env.REFINERY_CACHE_DIR = dir;
  try {
    const model = join(dir, "model.gguf");
    writeFileSync(model, "first weights");
    assert.equal(await cachedSha256(model), sha("first weights"));
    const cacheFile = join(dir, "file-hashes.json");
    const [key] = Object.keys(JSON.parse(readFileSync(cacheFile, "utf8")) as Record<string, string>);
    // A cache file edited under the process (another process's entry for the same key) does not override what it knows.
    writeFileSync(cacheFile, JSON.stringify({ [key!]: "0".repeat(64) }));
    assert.equal(await cachedSha256(model), sha("first weights"));
    writeFileSync(model, "second, longer weights");
    assert.equal(await cachedSha256(model), sha("second, longer weights"));
  } finally {
    if (previous === undefined) delete process.env.REFINERY_CACHE_DIR;
    else process.env.REFINERY_CACHE_DIR = previous;
  }
});
