// node-llama-cpp's GgufFileInfo (what GgufInsights estimates memory from) built from the header this project's
// reader already parsed and checked, so a model file's header is read once: the reader keeps its limits and
// specific errors, and node-llama-cpp gets the same object its own readGgufFileInfo would have made.
import type { GgufFileInfo } from "node-llama-cpp";
import type { GgufValue } from "./format.ts";
import type { GgufHeader } from "./reader.ts";

/** Keys whose dots do not nest (node-llama-cpp's noDirectSubNestingGGufMetadataKeys). */
const UNNESTED_PREFIXES = new Set(["general.license", "tokenizer.chat_template"]);

/** A split model's parts are read by node-llama-cpp itself: its info splices them. */
export const isSplitModelPart = (path: string) => /-\d{5}-of-\d{5}\.gguf$/.test(path);

type Nested = Record<string, unknown>;

const plain = (value: GgufValue): unknown => (typeof value === "object" && value !== null && "items" in value ? value.items.map(plain) : value);

/** Where a dotted key lands in the nested object, as node-llama-cpp places it. */
function slotFor(key: string, root: Nested): { parent: Nested; last: string } {
  const parts = key.split(".");
  const seen: string[] = [];
  let current = root;
  for (;;) {
    let part = parts.shift()!;
    while (UNNESTED_PREFIXES.has([...seen, part].join(".")) && parts.length > 0) part += `.${parts.shift()}`;
    if (parts.length === 0) return { parent: current, last: part };
    const existing = current[part];
    if (existing === undefined) {
      const next: Nested = {};
      current[part] = next;
      current = next;
    } else if (Array.isArray(existing) || existing === null || typeof existing !== "object") {
      // A value already holds this name: the rest of the key stays dotted under it.
      parts.unshift(`${part}.${parts.shift()}`);
      continue;
    } else current = existing as Nested;
    seen.push(part);
  }
}

/** A value that a later, longer key would nest under is moved out to dotted keys first. */
function flatten(parent: Nested, key: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    parent[key] = value;
    return;
  }
  for (const [sub, subValue] of Object.entries(value)) {
    const dotted = `${key}.${sub}`;
    if (Object.hasOwn(parent, dotted)) {
      const current = parent[dotted];
      delete parent[dotted];
      flatten(parent, dotted, current);
    }
    parent[dotted] = subValue;
  }
}

export function nestMetadata(metadata: GgufHeader["metadata"]): Nested {
  const root: Nested = {};
  for (const [key, { value }] of metadata) {
    const { parent, last } = slotFor(key, root);
    if (Object.hasOwn(parent, last)) {
      const current = parent[last];
      delete parent[last];
      flatten(parent, last, current);
    }
    parent[last] = plain(value);
  }
  return root;
}

/** What readGgufFileInfo(path) returns for a single-file model, from the already-read header. */
export function ggufFileInfoFrom(header: GgufHeader, path: string): GgufFileInfo {
  const metadata = nestMetadata(header.metadata);
  const architecture = (metadata.general as Nested | undefined)?.architecture;
  const tensorInfo = header.tensors.map((tensor) => ({
    name: tensor.name,
    dimensions: tensor.dims,
    ggmlType: tensor.type,
    offset: tensor.offset,
    fileOffset: header.dataOffset + tensor.offset,
    filePart: 1,
  }));
  const tensorInfoSize = header.tensorInfoEnd - header.metadataEnd;
  return {
    version: header.version,
    tensorCount: header.tensors.length,
    metadata,
    infoEndOffset: header.dataOffset,
    architectureMetadata: (typeof architecture === "string" ? metadata[architecture] : undefined) ?? {},
    tensorInfo,
    metadataSize: header.metadataEnd,
    splicedParts: 1,
    totalTensorInfoSize: tensorInfoSize,
    totalTensorCount: header.tensors.length,
    totalMetadataSize: header.metadataEnd,
    sourceData: [{ type: "path", path, length: header.dataOffset }],
    fullTensorInfo: tensorInfo,
    tensorInfoSize,
    source: { type: "path", path },
  } as unknown as GgufFileInfo;
}
