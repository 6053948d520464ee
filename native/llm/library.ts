// The model library: GGUFs in Refinery's models folder and where users already keep them — LM Studio's models
// folder, Ollama's blob store (its model layers are GGUF files named by digest; names come from its manifests)
// and the Hugging Face hub cache — read in place, never copied. Partial downloads are never listed.
import { open, readdir, readFile, realpath, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, join, relative, sep } from "node:path";
import { GGUF_MAGIC } from "./gguf/format.ts";
import { metadataValue, readGgufHeader } from "./gguf/reader.ts";
import { setEndpointKey } from "./endpoint-keys.ts";
import { sourceFor } from "./sources/registry.ts";
import { isOpenAISpec, parseModelSpec, type EndpointSpec } from "../protocol/model-spec.ts";
import type { LibraryModelInfo } from "../protocol/contract.ts";

export type LibrarySource = "bundled" | "refinery" | "lmstudio" | "ollama" | "huggingface" | "added" | "endpoint";

/** A library entry, as the bridge contract defines it (the UI shows the same object). */
export type LibraryModel = LibraryModelInfo & { source: LibrarySource };

export interface LibraryRoots {
  /** Folders of models shipped with the app (the demo pair); the engine adds them, tests choose their own. */
  bundled?: string[];
  refinery: string;
  lmstudio: string[];
  ollama: string[];
  huggingface: string[];
  /** Single files the user added by path, and endpoint specs (openai:<url>#model) without credentials. */
  added: string[];
  /** Further folders to scan. */
  folders: string[];
}

export function defaultRoots(home = homedir(), env = process.env): LibraryRoots {
  return {
    refinery: env.REFINERY_MODELS_DIR ?? join(home, ".refinery", "models"),
    lmstudio: [join(home, ".lmstudio", "models"), join(home, ".cache", "lm-studio", "models")],
    ollama: [env.OLLAMA_MODELS ?? join(home, ".ollama", "models")],
    huggingface: [env.HF_HUB_CACHE ?? join(env.HF_HOME ?? join(home, ".cache", "huggingface"), "hub")],
    added: [],
    folders: [],
  };
}

/** llama.cpp's general.file_type values. */
const FILE_TYPES: Record<number, string> = {
  0: "F32",
  1: "F16",
  2: "Q4_0",
  3: "Q4_1",
  7: "Q8_0",
  8: "Q5_0",
  9: "Q5_1",
  10: "Q2_K",
  11: "Q3_K_S",
  12: "Q3_K_M",
  13: "Q3_K_L",
  14: "Q4_K_S",
  15: "Q4_K_M",
  16: "Q5_K_S",
  17: "Q5_K_M",
  18: "Q6_K",
  19: "IQ2_XXS",
  20: "IQ2_XS",
  21: "Q2_K_S",
  22: "IQ3_XS",
  23: "IQ3_XXS",
  24: "IQ1_S",
  25: "IQ4_NL",
  26: "IQ3_S",
  27: "IQ3_M",
  28: "IQ2_S",
  29: "IQ2_M",
  30: "IQ4_XS",
  31: "IQ1_M",
  32: "BF16",
};

/** ggml tensor types, for files that do not state general.file_type (older conversions such as stories260K). */
const TENSOR_TYPES: Record<number, string> = {
  0: "F32",
  1: "F16",
  2: "Q4_0",
  3: "Q4_1",
  6: "Q5_0",
  7: "Q5_1",
  8: "Q8_0",
  10: "Q2_K",
  11: "Q3_K",
  12: "Q4_K",
  13: "Q5_K",
  14: "Q6_K",
  15: "Q8_K",
  30: "BF16",
};

/** The quantisation most of the weight matrices use (1-D tensors, the norms, stay F32 in every quantised file). */
export function quantizationOfTensors(tensors: Array<{ dims: number[]; type: number }>): string | null {
  const counts = new Map<number, number>();
  const matrices = tensors.filter((t) => t.dims.length >= 2);
  for (const tensor of matrices.length ? matrices : tensors) counts.set(tensor.type, (counts.get(tensor.type) ?? 0) + 1);
  const [type] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
  return type === undefined ? null : (TENSOR_TYPES[type] ?? `type ${type}`);
}

export const NO_TEMPLATE_NOTE = "no chat template: uses a plain prompt";

const PARTIAL = /\.(partial|part|tmp|download|ipull)$|\.ipull\./i;

async function isGguf(path: string): Promise<boolean> {
  try {
    const handle = await open(path, "r");
    try {
      const buffer = Buffer.alloc(4);
      await handle.read(buffer, 0, 4, 0);
      return buffer.readUInt32LE(0) === GGUF_MAGIC;
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}

async function walk(dir: string, depth: number, out: string[] = []): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth > 0) await walk(path, depth - 1, out);
    else if ((entry.isFile() || entry.isSymbolicLink()) && entry.name.toLowerCase().endsWith(".gguf") && !PARTIAL.test(entry.name)) out.push(path);
  }
  return out;
}

export async function describeModel(path: string, source: LibrarySource, name: string): Promise<LibraryModel> {
  const base: LibraryModel = {
    path,
    name,
    source,
    sizeBytes: 0,
    architecture: null,
    parameters: null,
    quantization: null,
    contextLength: null,
    layers: null,
    chatTemplate: false,
    roles: [],
  };
  try {
    const header = await readGgufHeader(path);
    const arch = metadataValue(header, "general.architecture");
    const architecture = typeof arch === "string" ? arch : null;
    const num = (key: string) => {
      const value = metadataValue(header, key);
      return typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : null;
    };
    const sizeLabel = metadataValue(header, "general.size_label");
    const fileType = num("general.file_type");
    // Without a size label, count parameters from the tensor shapes.
    const parameterCount = header.tensors.reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0);
    const chatTemplate = header.metadata.has("tokenizer.chat_template");
    return {
      ...base,
      sizeBytes: header.fileSize,
      architecture,
      parameters: typeof sizeLabel === "string" ? sizeLabel : formatCount(parameterCount),
      quantization: fileType !== null ? (FILE_TYPES[fileType] ?? `type ${fileType}`) : quantizationOfTensors(header.tensors),
      contextLength: architecture ? num(`${architecture}.context_length`) : null,
      layers: architecture ? num(`${architecture}.block_count`) : null,
      chatTemplate,
      roles: chatTemplate ? ["actor", "critic"] : ["critic"],
      // A model without a chat template still answers; the actor's prompts then go in as plain text.
      ...(chatTemplate ? {} : { roleNote: NO_TEMPLATE_NOTE }),
    };
  } catch (error) {
    return { ...base, sizeBytes: (await stat(path).catch(() => ({ size: 0 }))).size, error: (error as Error).message };
  }
}

function formatCount(count: number): string {
  if (count >= 1e9) return `${(count / 1e9).toFixed(1)}B`;
  if (count >= 1e6) return `${(count / 1e6).toFixed(0)}M`;
  if (count >= 1e3) return `${(count / 1e3).toFixed(0)}K`;
  return String(count);
}

/** Ollama: manifests name the model layer (mediaType …image.model) by digest; blobs are files named sha256-<hex>. */
async function scanOllama(root: string): Promise<Array<{ path: string; name: string }>> {
  const found: Array<{ path: string; name: string }> = [];
  const manifestFiles: string[] = [];
  const collect = async (dir: string, depth: number) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && depth > 0) await collect(path, depth - 1);
      else if (entry.isFile()) manifestFiles.push(path);
    }
  };
  await collect(join(root, "manifests"), 6);
  for (const file of manifestFiles) {
    try {
      const manifest = JSON.parse(await readFile(file, "utf8")) as { layers?: Array<{ mediaType: string; digest: string }> };
      const layer = manifest.layers?.find((l) => l.mediaType === "application/vnd.ollama.image.model");
      if (!layer) continue;
      const blob = join(root, "blobs", layer.digest.replace(":", "-"));
      if (!(await isGguf(blob))) continue;
      const parts = relative(join(root, "manifests"), file).split(sep);
      const tag = parts.at(-1)!;
      const model = parts.at(-2)!;
      const namespace = parts.at(-3);
      found.push({ path: blob, name: `${namespace && namespace !== "library" ? `${namespace}/` : ""}${model}:${tag}` });
    } catch {
      // an unreadable manifest is skipped; the blob may still be listed by another
    }
  }
  return found;
}

/** Hugging Face: hub/models--org--name/snapshots/<revision>/<file>.gguf, usually links into blobs/. */
async function scanHuggingFace(root: string): Promise<Array<{ path: string; name: string }>> {
  const found: Array<{ path: string; name: string }> = [];
  let repos: string[];
  try {
    repos = (await readdir(root)).filter((name) => name.startsWith("models--"));
  } catch {
    return found;
  }
  for (const repo of repos) {
    const repoName = repo.slice("models--".length).replace("--", "/");
    for (const file of await walk(join(root, repo, "snapshots"), 4)) {
      found.push({ path: file, name: `${repoName}/${basename(file)}` });
    }
  }
  return found;
}

export async function scanLibrary(roots: LibraryRoots = defaultRoots()): Promise<LibraryModel[]> {
  const entries: Array<{ path: string; name: string; source: LibrarySource }> = [];
  for (const root of roots.bundled ?? []) for (const file of await walk(root, 1)) entries.push({ path: file, name: relative(root, file), source: "bundled" });
  for (const file of await walk(roots.refinery, 3)) entries.push({ path: file, name: relative(roots.refinery, file), source: "refinery" });
  for (const root of roots.lmstudio) for (const file of await walk(root, 4)) entries.push({ path: file, name: relative(root, file), source: "lmstudio" });
  for (const root of roots.ollama) for (const item of await scanOllama(root)) entries.push({ ...item, source: "ollama" });
  for (const root of roots.huggingface) for (const item of await scanHuggingFace(root)) entries.push({ ...item, source: "huggingface" });
  for (const root of roots.folders) for (const file of await walk(root, 4)) entries.push({ path: file, name: relative(root, file), source: "added" });
  const endpoints = roots.added.filter(isOpenAISpec);
  for (const file of roots.added.filter((p) => !isOpenAISpec(p))) entries.push({ path: file, name: basename(file), source: "added" });
  // The same file reached twice (a link, a folder listed twice) is one model.
  const seen = new Set<string>();
  const models: LibraryModel[] = [];
  for (const entry of entries) {
    const real = await realpath(entry.path).catch(() => entry.path);
    if (seen.has(real)) continue;
    seen.add(real);
    models.push(await describeModel(entry.path, entry.source, entry.name));
  }
  for (const spec of new Set(endpoints)) models.push(describeEndpoint(spec));
  return models;
}

/** An endpoint in the library: named by its served model; what it is made of is the server's business. */
export function describeEndpoint(spec: string): LibraryModel {
  const base = {
    path: spec,
    name: spec,
    source: "endpoint" as const,
    sizeBytes: 0,
    architecture: null,
    parameters: null,
    quantization: null,
    contextLength: null,
    layers: null,
    chatTemplate: true,
    roles: ["actor" as const, "critic" as const],
  };
  try {
    const { baseUrl, model } = parseModelSpec(spec) as EndpointSpec;
    return { ...base, name: model, endpoint: baseUrl };
  } catch (error) {
    return { ...base, error: (error as Error).message };
  }
}

/** Files and endpoints the user added, kept in ~/.refinery/library.json (or $REFINERY_HOME); never an API key. */
export function libraryConfigPath(env = process.env, home = homedir()): string {
  return join(env.REFINERY_HOME ?? join(home, ".refinery"), "library.json");
}

export async function readAddedModels(configPath = libraryConfigPath()): Promise<string[]> {
  try {
    const config = JSON.parse(await readFile(configPath, "utf8")) as { added?: unknown };
    return Array.isArray(config.added) ? config.added.filter((p): p is string => typeof p === "string") : [];
  } catch {
    return [];
  }
}

/**
 * Adds a file or an endpoint spec, checked by its source (a file's header, an endpoint spec's form). An endpoint's
 * key (given, or written in its URL) is kept in this process's memory only: the desktop app keeps it in the OS
 * keychain itself, and the library file holds the spec without it.
 */
export async function addModel(spec: string, configPath = libraryConfigPath(), apiKey?: string): Promise<string[]> {
  const { resolve, dirname } = await import("node:path");
  const { mkdir, writeFile } = await import("node:fs/promises");
  await sourceFor(spec).check(spec);
  let entry = resolve(spec);
  if (isOpenAISpec(spec)) {
    const endpoint = parseModelSpec(spec) as EndpointSpec;
    const key = apiKey ?? endpoint.urlKey;
    if (key) setEndpointKey(endpoint.baseUrl, key);
    entry = `openai:${endpoint.baseUrl}#${endpoint.model}`;
  }
  const added = [...new Set([...(await readAddedModels(configPath)), entry])];
  await mkdir(dirname(configPath), { recursive: true });
  await writeFile(configPath, `${JSON.stringify({ added }, null, 2)}\n`);
  return added;
}
