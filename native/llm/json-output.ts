// Parsing constrained JSON defensively: a grammar guarantees the shape only if generation finished, and
// node-llama-cpp's grammar.parse can reject text that JSON.parse accepts. Never throw: callers record an
// unparseable verdict as such.

export type JsonParse<T> = { ok: true; value: T } | { ok: false; error: string; text: string };

export function parseJsonLoose<T = unknown>(text: string): JsonParse<T> {
  const trimmed = text.trim();
  try {
    return { ok: true, value: JSON.parse(trimmed) as T };
  } catch (error) {
    // Models sometimes wrap JSON in prose or code fences when not constrained (remote backends).
    const start = trimmed.indexOf("{");
    const end = trimmed.lastIndexOf("}");
    if (start >= 0 && end > start) {
      try {
        return { ok: true, value: JSON.parse(trimmed.slice(start, end + 1)) as T };
      } catch {
        // fall through to the original error
      }
    }
    return { ok: false, error: (error as Error).message, text };
  }
}
