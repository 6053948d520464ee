// Writes GGUF v3 files. Used to make test and benchmark models (random weights, real tokenizers) and kept
// small: metadata of any type, tensors whose bytes the caller supplies.
import { open } from "node:fs/promises";
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GgufValueType, alignUp, tensorByteSize, type GgufArray, type GgufKv, type GgufValue } from "./format.ts";

export interface TensorToWrite {
  name: string;
  /** ggml order: dims[0] is the contiguous (row) dimension. */
  dims: number[];
  type: number;
  /** Fills the tensor's bytes; called once with a buffer of exactly the tensor's size. */
  fill: (target: Buffer) => void;
}

class ByteSink {
  private parts: Buffer[] = [];
  length = 0;
  push(buffer: Buffer) {
    this.parts.push(buffer);
    this.length += buffer.length;
  }
  u32(value: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value);
    this.push(b);
  }
  u64(value: number | bigint) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(value));
    this.push(b);
  }
  string(value: string) {
    const bytes = Buffer.from(value, "utf8");
    this.u64(bytes.length);
    this.push(bytes);
  }
  value(type: GgufValueType, value: GgufValue) {
    const b = (size: number) => Buffer.alloc(size);
    let buf: Buffer;
    switch (type) {
      case GgufValueType.UINT8:
        buf = b(1);
        buf.writeUInt8(value as number);
        break;
      case GgufValueType.INT8:
        buf = b(1);
        buf.writeInt8(value as number);
        break;
      case GgufValueType.UINT16:
        buf = b(2);
        buf.writeUInt16LE(value as number);
        break;
      case GgufValueType.INT16:
        buf = b(2);
        buf.writeInt16LE(value as number);
        break;
      case GgufValueType.UINT32:
        buf = b(4);
        buf.writeUInt32LE(value as number);
        break;
      case GgufValueType.INT32:
        buf = b(4);
        buf.writeInt32LE(value as number);
        break;
      case GgufValueType.FLOAT32:
        buf = b(4);
        buf.writeFloatLE(value as number);
        break;
      case GgufValueType.BOOL:
        buf = b(1);
        buf.writeUInt8(value ? 1 : 0);
        break;
      case GgufValueType.UINT64:
        buf = b(8);
        buf.writeBigUInt64LE(BigInt(value as number));
        break;
      case GgufValueType.INT64:
        buf = b(8);
        buf.writeBigInt64LE(BigInt(value as number));
        break;
      case GgufValueType.FLOAT64:
        buf = b(8);
        buf.writeDoubleLE(value as number);
        break;
      case GgufValueType.STRING:
        this.string(value as string);
        return;
      case GgufValueType.ARRAY: {
        const array = value as GgufArray;
        this.u32(array.itemType);
        this.u64(array.items.length);
        for (const item of array.items) this.value(array.itemType, item);
        return;
      }
      default:
        throw new Error(`cannot write GGUF value type ${type as number}`);
    }
    this.push(buf);
  }
  concat() {
    return Buffer.concat(this.parts);
  }
}

export async function writeGguf(path: string, metadata: Map<string, GgufKv>, tensors: TensorToWrite[]): Promise<void> {
  const alignmentValue = metadata.get("general.alignment")?.value;
  const alignment = typeof alignmentValue === "number" ? alignmentValue : GGUF_DEFAULT_ALIGNMENT;
  const header = new ByteSink();
  header.u32(GGUF_MAGIC);
  header.u32(3);
  header.u64(tensors.length);
  header.u64(metadata.size);
  for (const [key, kv] of metadata) {
    header.string(key);
    header.u32(kv.type);
    header.value(kv.type, kv.value);
  }
  const sizes: number[] = [];
  let offset = 0;
  for (const tensor of tensors) {
    const size = tensorByteSize(tensor.type, tensor.dims);
    if (size === null) throw new Error(`cannot size tensor type ${tensor.type}`);
    header.string(tensor.name);
    header.u32(tensor.dims.length);
    for (const dim of tensor.dims) header.u64(dim);
    header.u32(tensor.type);
    header.u64(offset);
    sizes.push(size);
    offset = alignUp(offset + size, alignment);
  }
  const headerBytes = header.concat();
  const file = await open(path, "w");
  try {
    let position = 0;
    const write = async (buffer: Buffer) => {
      await file.write(buffer, 0, buffer.length, position);
      position += buffer.length;
    };
    await write(headerBytes);
    await write(Buffer.alloc(alignUp(position, alignment) - position));
    for (const [i, tensor] of tensors.entries()) {
      const data = Buffer.alloc(sizes[i]!);
      tensor.fill(data);
      await write(data);
      await write(Buffer.alloc(alignUp(position, alignment) - position));
    }
  } finally {
    await file.close();
  }
}
