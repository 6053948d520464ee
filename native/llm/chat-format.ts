// The chat wrapper node-llama-cpp resolves for a GGUF, and whether it has thought segments, read from the tokenizer
// alone (no weights load): what `refinery inspect` prints and the library shows beside each file.
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { Llama } from "node-llama-cpp";
import type { ChatFormatInfo } from "./backend.ts";
import { chooseChatWrapper } from "./runtime.ts";

/** `wrapperName`: a chat wrapper the user named instead of the one resolved (throws ModelLoadError if unknown). */
export async function resolveChatFormat(llama: Llama, path: string, wrapperName?: string): Promise<ChatFormatInfo> {
  const vocab = await llama.loadModel({ modelPath: path, vocabOnly: true });
  try {
    return chooseChatWrapper(vocab, wrapperName).chatFormat;
  } finally {
    await vocab.dispose();
  }
}

const known = new Map<string, Promise<ChatFormatInfo>>();

/** The resolved format, read once per file version (path, size and modification time): listing the library again is cheap. */
export async function cachedChatFormat(llama: Llama, path: string): Promise<ChatFormatInfo> {
  const file = await stat(path);
  const key = `${resolve(path)}|${file.size}|${file.mtimeMs}`;
  let format = known.get(key);
  if (!format) {
    format = resolveChatFormat(llama, path);
    known.set(key, format);
    // A failure is not remembered: the file may be readable next time.
    format.catch(() => known.delete(key));
  }
  return format;
}
