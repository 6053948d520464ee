// Each model file's header is parsed once per version, by the checked reader (checkModelFile: its limits and
// specific errors): node-llama-cpp's GGUF info (for GgufInsights) is built from that parse (gguf/file-info.ts)
// instead of a second one, and both are cached by (path, size, mtime), so the engine's check, the runner, the runtime
// and the memory plan share it — about 0.4 s a parse on a 152k-token vocabulary. A split model's parts are
// left to readGgufFileInfo, which splices them.
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { readGgufFileInfo, type GgufFileInfo } from "node-llama-cpp";
import { checkModelFile, type ModelFileSummary } from "./gguf-check.ts";
import { ggufFileInfoFrom, isSplitModelPart } from "./gguf/file-info.ts";

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
  const summary = await modelFacts(path);
  const info = async () => (isSplitModelPart(path) ? readGgufFileInfo(path) : ggufFileInfoFrom(summary.header, path));
  const entry = await entryFor(path);
  if (!entry) return info();
  entry.info ??= info();
  return entry.info;
}

/** Forgets every cached file (tests that rewrite a file within one mtime tick). */
export function forgetModelFacts(): void {
  entries.clear();
}
