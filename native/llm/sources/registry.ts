// Every kind of model a spec can name, asked in order; the file source last, as it takes any spec.
import { fileSource } from "./file.ts";
import { openaiSource } from "./openai.ts";
import type { ModelSource } from "./source.ts";

export const MODEL_SOURCES: readonly ModelSource[] = [openaiSource, fileSource];

/** The source that reads this spec (a caller may bring its own table: tests add a source this way). */
export function sourceFor(spec: string, sources: readonly ModelSource[] = MODEL_SOURCES): ModelSource {
  const source = sources.find((s) => s.claims(spec));
  if (!source) throw new Error(`no model source reads '${spec}'`);
  return source;
}
