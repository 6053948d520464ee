// sha256 of model files for run manifests, cached by (path, size, mtime) because hashing a multi-GB GGUF
// takes seconds and the same files are used run after run.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";

function cachePath(): string {
  return process.env.REFINERY_CACHE_DIR ? join(process.env.REFINERY_CACHE_DIR, "file-hashes.json") : join(homedir(), ".cache", "refinery", "file-hashes.json");
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** This process's digests by the same key: a server records every request's models, and the file cache costs a read each time. */
const known = new Map<string, string>();

export async function cachedSha256(path: string): Promise<string> {
  const absolute = resolve(path);
  const info = await stat(absolute);
  const key = `${absolute}|${info.size}|${info.mtimeMs}`;
  const remembered = known.get(key);
  if (remembered) return remembered;
  const digest = await fileCachedSha256(absolute, key);
  known.set(key, digest);
  return digest;
}

async function fileCachedSha256(absolute: string, key: string): Promise<string> {
  const file = cachePath();
  let cache: Record<string, string> = {};
  try {
    cache = JSON.parse(await readFile(file, "utf8")) as Record<string, string>;
  } catch {
    // no cache yet, or unreadable: start a new one
  }
  const cached = cache[key];
  if (cached) return cached;
  const digest = await sha256File(absolute);
  cache[key] = digest;
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(cache));
  } catch {
    // a read-only home only costs a re-hash next time
  }
  return digest;
}
