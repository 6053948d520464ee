// Which endpoint key a request that succeeded hands to the desktop app's keychain: one that just worked in "Test
// connection", or one that came with an endpoint added to the library (typed in its key field or written in its
// URL). The engine keeps keys in memory only; this is how they outlive its process.
import { parseModelSpec } from "../native/protocol/model-spec.ts";

export function keyToKeep(method: string, input: unknown): { baseUrl: string; key: string } | null {
  const { spec, path, apiKey } = (input ?? {}) as { spec?: unknown; path?: unknown; apiKey?: unknown };
  const named = method === "testEndpoint" ? spec : method === "addModel" ? path : undefined;
  if (typeof named !== "string") return null;
  let parsed;
  try {
    parsed = parseModelSpec(named.trim());
  } catch {
    return null;
  }
  if (parsed.kind !== "endpoint") return null;
  const key = typeof apiKey === "string" && apiKey ? apiKey : parsed.urlKey;
  return key ? { baseUrl: parsed.baseUrl, key } : null;
}
