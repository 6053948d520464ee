// A small GGUF header reader. node-llama-cpp's readGgufFileInfo parses metadata too, but it reports a
// truncated or foreign file only as a generic failure; this reader names the problem (wrong magic, header cut
// short, tensor data missing) so the user gets a specific error before llama.cpp sees the file.
import { open, type FileHandle } from "node:fs/promises";
import { GgmlType } from "node-llama-cpp";
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GgufValueType, alignUp, tensorByteSize, type GgufArray, type GgufKv, type GgufValue } from "./format.ts";

export interface GgufTensorInfo {
  name: string;
  dims: number[];
  type: number;
  /** Offset from the start of the tensor data section. */
  offset: number;
}

export interface GgufHeader {
  version: number;
  metadata: Map<string, GgufKv>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Absolute file offset where tensor data starts. */
  dataOffset: number;
  /** Absolute file offsets where the metadata and the tensor descriptions end. */
  metadataEnd: number;
  tensorInfoEnd: number;
  fileSize: number;
}

export class GgufFormatError extends Error {
  constructor(
    message: string,
    readonly problem: "not-gguf" | "truncated-header" | "truncated-data" | "unsupported-version" | "corrupt",
  ) {
    super(message);
    this.name = "GgufFormatError";
  }
}

const MAX_STRING_BYTES = 64 * 1024 * 1024;
/**
 * Array items in all of a file's metadata together. A 256k-token vocabulary holds under a million (tokens, their
 * types, merges); a file claiming more is a memory bomb, refused before anything is read into memory.
 */
export const MAX_METADATA_ITEMS = 4 * 1024 * 1024;
const CHUNK_BYTES = 1 << 20;
/** Bytes per value of the fixed-width types. */
const VALUE_WIDTH: Partial<Record<GgufValueType, number>> = {
  [GgufValueType.UINT8]: 1,
  [GgufValueType.INT8]: 1,
  [GgufValueType.BOOL]: 1,
  [GgufValueType.UINT16]: 2,
  [GgufValueType.INT16]: 2,
  [GgufValueType.UINT32]: 4,
  [GgufValueType.INT32]: 4,
  [GgufValueType.FLOAT32]: 4,
  [GgufValueType.UINT64]: 8,
  [GgufValueType.INT64]: 8,
  [GgufValueType.FLOAT64]: 8,
};
/** Tensor types llama.cpp (as shipped with node-llama-cpp 3.21.1) defines. */
const KNOWN_TENSOR_TYPES = new Set(Object.values(GgmlType).filter((v): v is number => typeof v === "number"));

class ChunkedReader {
  private buffer = Buffer.alloc(0);
  private bufferStart = 0;
  pos = 0;
  /** Array items still allowed in this file's metadata. */
  private itemBudget = MAX_METADATA_ITEMS;

  constructor(
    private readonly file: FileHandle,
    readonly fileSize: number,
  ) {}

  /** Whether the next `bytes` are already in the buffer, so they can be read without a file read. */
  private buffered(bytes: number): boolean {
    return this.pos + bytes <= this.bufferStart + this.buffer.length;
  }

  private async load(bytes: number): Promise<void> {
    const end = this.pos + bytes;
    if (end > this.fileSize) {
      throw new GgufFormatError(
        `GGUF header is cut short: needs byte ${end} but the file has ${this.fileSize} bytes (truncated download?)`,
        "truncated-header",
      );
    }
    const length = Math.max(bytes, CHUNK_BYTES);
    const chunk = Buffer.alloc(Math.min(length, this.fileSize - this.pos));
    await this.file.read(chunk, 0, chunk.length, this.pos);
    this.buffer = chunk;
    this.bufferStart = this.pos;
  }

  /** The buffer offset of the next `bytes`, which the caller has made sure are buffered. */
  private take(bytes: number): number {
    const at = this.pos - this.bufferStart;
    this.pos += bytes;
    return at;
  }

  private async view(bytes: number): Promise<number> {
    if (!this.buffered(bytes)) await this.load(bytes);
    return this.take(bytes);
  }

  async u32() {
    const at = await this.view(4);
    return this.buffer.readUInt32LE(at);
  }
  async u64() {
    const at = await this.view(8);
    const value = this.buffer.readBigUInt64LE(at);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufFormatError(`GGUF value ${value} is out of range`, "corrupt");
    return Number(value);
  }
  private checkedLength(value: bigint): number {
    if (value > BigInt(MAX_STRING_BYTES)) throw new GgufFormatError(`GGUF string of ${value} bytes: corrupt header`, "corrupt");
    return Number(value);
  }
  async string(): Promise<string> {
    const length = this.checkedLength(BigInt(await this.u64()));
    const at = await this.view(length);
    return this.buffer.toString("utf8", at, at + length);
  }
  /** A string read from the buffer alone, or undefined (nothing consumed) when it runs past it. */
  private bufferedString(): string | undefined {
    if (!this.buffered(8)) return undefined;
    const length = this.checkedLength(this.buffer.readBigUInt64LE(this.pos - this.bufferStart));
    if (!this.buffered(8 + length)) return undefined;
    const at = this.take(8 + length) + 8;
    return this.buffer.toString("utf8", at, at + length);
  }

  /** A fixed-width value at a buffer offset. */
  private decode(type: GgufValueType, at: number): GgufValue {
    switch (type) {
      case GgufValueType.UINT8:
        return this.buffer.readUInt8(at);
      case GgufValueType.INT8:
        return this.buffer.readInt8(at);
      case GgufValueType.UINT16:
        return this.buffer.readUInt16LE(at);
      case GgufValueType.INT16:
        return this.buffer.readInt16LE(at);
      case GgufValueType.UINT32:
        return this.buffer.readUInt32LE(at);
      case GgufValueType.INT32:
        return this.buffer.readInt32LE(at);
      case GgufValueType.FLOAT32:
        return this.buffer.readFloatLE(at);
      case GgufValueType.BOOL:
        return this.buffer.readUInt8(at) !== 0;
      case GgufValueType.UINT64:
        return this.buffer.readBigUInt64LE(at);
      case GgufValueType.INT64:
        return this.buffer.readBigInt64LE(at);
      case GgufValueType.FLOAT64:
        return this.buffer.readDoubleLE(at);
      default:
        throw new GgufFormatError(`unknown GGUF value type ${type as number}: corrupt header`, "corrupt");
    }
  }

  async scalar(type: GgufValueType, key: string): Promise<GgufValue> {
    const width = VALUE_WIDTH[type];
    if (width !== undefined) return this.decode(type, await this.view(width));
    if (type === GgufValueType.STRING) return this.string();
    if (type !== GgufValueType.ARRAY) throw new GgufFormatError(`unknown GGUF value type ${type as number}: corrupt header`, "corrupt");
    const itemType = (await this.u32()) as GgufValueType;
    if (itemType === GgufValueType.ARRAY) {
      throw new GgufFormatError(`metadata '${key}' is an array of arrays, which llama.cpp does not read: not a model file`, "corrupt");
    }
    const count = await this.u64();
    if (count > this.itemBudget) {
      throw new GgufFormatError(
        `metadata '${key}' claims ${count} array items, past the ${MAX_METADATA_ITEMS} a model's metadata may hold in total: corrupt or hostile file`,
        "corrupt",
      );
    }
    this.itemBudget -= count;
    const items: GgufValue[] = new Array(count);
    // Items are decoded from the buffer without an await each: a vocabulary holds hundreds of thousands of them,
    // and one await per item made a large header take seconds to read. The file is read a chunk at a time.
    const itemWidth = VALUE_WIDTH[itemType];
    let i = 0;
    while (i < count) {
      if (itemWidth !== undefined) {
        const n = Math.min(count - i, Math.max(1, Math.floor(CHUNK_BYTES / itemWidth)));
        const start = await this.view(n * itemWidth);
        for (let k = 0; k < n; k++) items[i++] = this.decode(itemType, start + k * itemWidth);
      } else if (itemType === GgufValueType.STRING) {
        const item = this.bufferedString();
        items[i++] = item ?? (await this.string());
      } else {
        throw new GgufFormatError(`unknown GGUF value type ${itemType as number}: corrupt header`, "corrupt");
      }
    }
    return { itemType, items } satisfies GgufArray;
  }
}

export async function readGgufHeader(path: string): Promise<GgufHeader> {
  const file = await open(path, "r");
  try {
    const { size } = await file.stat();
    const reader = new ChunkedReader(file, size);
    if (size < 4 || (await reader.u32()) !== GGUF_MAGIC) {
      throw new GgufFormatError("not a GGUF file (the first bytes are not 'GGUF')", "not-gguf");
    }
    const version = await reader.u32();
    if (version < 2 || version > 3) {
      throw new GgufFormatError(`GGUF version ${version} is not supported (expected 2 or 3)`, "unsupported-version");
    }
    const tensorCount = await reader.u64();
    const kvCount = await reader.u64();
    const metadata = new Map<string, GgufKv>();
    for (let i = 0; i < kvCount; i++) {
      const key = await reader.string();
      const type = (await reader.u32()) as GgufValueType;
      metadata.set(key, { type, value: await reader.scalar(type, key) });
    }
    const metadataEnd = reader.pos;
    const tensors: GgufTensorInfo[] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = await reader.string();
      const nDims = await reader.u32();
      if (nDims > 8) throw new GgufFormatError(`tensor '${name}' claims ${nDims} dimensions: corrupt header`, "corrupt");
      const dims: number[] = [];
      for (let d = 0; d < nDims; d++) dims.push(await reader.u64());
      const type = await reader.u32();
      if (!KNOWN_TENSOR_TYPES.has(type))
        throw new GgufFormatError(`tensor '${name}' has type ${type}, which this llama.cpp does not know: a newer or corrupt file`, "corrupt");
      const offset = await reader.u64();
      tensors.push({ name, dims, type, offset });
    }
    const tensorInfoEnd = reader.pos;
    const alignmentValue = metadata.get("general.alignment")?.value;
    const alignment = typeof alignmentValue === "number" ? alignmentValue : GGUF_DEFAULT_ALIGNMENT;
    // llama.cpp requires a power of two; 0 would divide by zero when tensor offsets are aligned.
    if (!Number.isInteger(alignment) || alignment <= 0 || (alignment & (alignment - 1)) !== 0) {
      throw new GgufFormatError(`general.alignment is ${alignment}; GGUF needs a power of two (default ${GGUF_DEFAULT_ALIGNMENT}): corrupt header`, "corrupt");
    }
    return { version, metadata, tensors, alignment, dataOffset: alignUp(tensorInfoEnd, alignment), metadataEnd, tensorInfoEnd, fileSize: size };
  } finally {
    await file.close();
  }
}

/** Throws a GgufFormatError naming the first tensor whose data lies past the end of the file. */
export function checkTensorData(header: GgufHeader): void {
  for (const tensor of header.tensors) {
    const bytes = tensorByteSize(tensor.type, tensor.dims) ?? 0;
    const tensorEnd = header.dataOffset + tensor.offset + bytes;
    if (tensorEnd > header.fileSize) {
      throw new GgufFormatError(
        `GGUF file is truncated: tensor '${tensor.name}' needs bytes up to ${tensorEnd} but the file has ` +
          `${header.fileSize} (${tensorEnd - header.fileSize} bytes missing; incomplete download?)`,
        "truncated-data",
      );
    }
  }
}

export function metadataValue(header: GgufHeader, key: string): GgufValue | undefined {
  return header.metadata.get(key)?.value;
}
