// Each model file is read once per version: the checked header summary (checkModelFile) and node-llama-cpp's
// GGUF info (for GgufInsights) are cached by (path, size, mtime), so the engine's check, the runner, the runtime and
// the memory plan share one parse — about 0.4 s each on a 152k-token vocabulary.
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { readGgufFileInfo, type GgufFileInfo } from "node-llama-cpp";
import { checkModelFile, type ModelFileSummary } from "./gguf-check.ts";

interface Entry {
  version: string;
  summary: Promise<ModelFileSummary>;
  info?: Promise<GgufFileInfo>;
}

/** Headers of large vocabularies are megabytes each: keep the few files a session uses. */
const MAX_FILES = 8;
const entries = new Map<string, Entry>();

async function entryFor(path: string): Promise<Entry | null> {
  const key = resolve(path);
  const s = await stat(key).catch(() => null);
  // A missing file or a folder: checkModelFile gives the specific message, nothing is cached.
  if (!s?.isFile()) return null;
  // ctime too: a chmod that makes an unreadable file readable changes it, and a failure is cached like a success.
  const version = `${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
  let entry = entries.get(key);
  if (entry?.version !== version) {
    entry = { version, summary: checkModelFile(path) };
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > MAX_FILES) entries.delete(entries.keys().next().value!);
  }
  return entry;
}

/** checkModelFile, read once per version of the file (a bad file fails the same way each time, from the cache). */
export async function modelFacts(path: string): Promise<ModelFileSummary> {
  const entry = await entryFor(path);
  return entry ? entry.summary : checkModelFile(path);
}

/** node-llama-cpp's GGUF info of a file that passed modelFacts' checks, read once per version of the file. */
export async function ggufInfo(path: string): Promise<GgufFileInfo> {
  await modelFacts(path);
  const entry = await entryFor(path);
  if (!entry) return readGgufFileInfo(path);
  entry.info ??= readGgufFileInfo(path);
  return entry.info;
}

/** Forgets every cached file (tests that rewrite a file within one mtime tick). */
export function forgetModelFacts(): void {
  entries.clear();
}
