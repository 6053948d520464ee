// Checks a model path before llama.cpp sees it, so a missing, foreign or truncated file gets a specific
// message instead of node-llama-cpp's generic "Failed to load model".
import { stat } from "node:fs/promises";
import { checkTensorData, GgufFormatError, metadataValue, readGgufHeader, type GgufHeader } from "./gguf/reader.ts";

export class ModelFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = "ModelFileError";
  }
}

export interface ModelFileSummary {
  path: string;
  sizeBytes: number;
  architecture: string | null;
  name: string | null;
  contextLength: number | null;
  layers: number | null;
  hasChatTemplate: boolean;
  tensorCount: number;
  header: GgufHeader;
}

/** tokenizer.ggml.model values llama.cpp's vocabulary loader accepts (llama-vocab.cpp). */
const KNOWN_TOKENIZERS = new Set(["no_vocab", "none", "llama", "bert", "gpt2", "t5", "rwkv", "plamo2"]);

export async function checkModelFile(path: string): Promise<ModelFileSummary> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ModelFileError(path, `model path is not a file: ${path}`);
    size = info.size;
  } catch (error) {
    if (error instanceof ModelFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelFileError(path, code === "ENOENT" ? `model file not found: ${path}` : `cannot read model file ${path}: ${(error as Error).message}`);
  }
  let header: GgufHeader;
  try {
    header = await readGgufHeader(path);
    checkTensorData(header);
  } catch (error) {
    if (error instanceof GgufFormatError) throw new ModelFileError(path, `${path}: ${error.message}`);
    throw new ModelFileError(path, `cannot read model file ${path}: ${(error as Error).message}`);
  }
  const architecture = metadataValue(header, "general.architecture");
  const arch = typeof architecture === "string" ? architecture : null;
  const numberAt = (key: string) => {
    const value = metadataValue(header, key);
    return typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : null;
  };
  const tokenizer = metadataValue(header, "tokenizer.ggml.model");
  if (typeof tokenizer === "string" && !KNOWN_TOKENIZERS.has(tokenizer)) {
    throw new ModelFileError(
      path,
      `${path}: tokenizer '${tokenizer}' is not one llama.cpp reads (${[...KNOWN_TOKENIZERS].join(", ")}); the model would fail to load`,
    );
  }
  const name = metadataValue(header, "general.name");
  return {
    path,
    sizeBytes: size,
    architecture: arch,
    name: typeof name === "string" ? name : null,
    contextLength: arch ? numberAt(`${arch}.context_length`) : null,
    layers: arch ? numberAt(`${arch}.block_count`) : null,
    hasChatTemplate: header.metadata.has("tokenizer.chat_template"),
    tensorCount: header.tensors.length,
    header,
  };
}
