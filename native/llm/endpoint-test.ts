// "Test connection" for an endpoint: the server's models, kind and version, or why it cannot be used
// (unreachable, a refused key, an unknown model), in the user's words.
import { setEndpointKey } from "./endpoint-keys.ts";
import { parseModelSpec } from "../protocol/model-spec.ts";
import type { EndpointTestInfo } from "../protocol/contract.ts";
import { OpenAIEndpoint, serverMessage } from "./openai-endpoint.ts";

/** What a "test connection" found: the protocol's one definition. */
export type EndpointTest = EndpointTestInfo;

export async function testEndpoint(spec: string, apiKey?: string): Promise<EndpointTest> {
  const parsed = parseModelSpec(spec.trim());
  if (parsed.kind !== "endpoint") throw new Error("not an endpoint: write openai:<base URL>#<model>, e.g. openai:http://127.0.0.1:11434/v1#qwen2.5:7b");
  const key = apiKey ?? parsed.urlKey;
  if (key) setEndpointKey(parsed.baseUrl, key);
  // A fresh probe: the server may have changed since the last one.
  const endpoint = new OpenAIEndpoint(parsed.baseUrl);
  let response: Response;
  try {
    response = await fetch(`${parsed.baseUrl}/models`, { headers: endpoint.headers(), signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(
      `cannot reach ${parsed.baseUrl}: ${cause?.code ?? cause?.message ?? (error as Error).message} — is the server running, and is the URL its /v1 base?`,
    );
  }
  const body = await response.text();
  if (response.status === 401 || response.status === 403) throw new Error(`${parsed.baseUrl} refused the API key (${response.status}: ${serverMessage(body)})`);
  if (!response.ok) throw new Error(`${parsed.baseUrl}/models answered ${response.status}: ${serverMessage(body)}`);
  await endpoint.probe();
  const info = endpoint.describe();
  return {
    baseUrl: parsed.baseUrl,
    model: parsed.model,
    models: info.models,
    modelListed: info.models.includes(parsed.model),
    kind: info.kind,
    version: info.version,
    concurrency: info.concurrency,
  };
}
