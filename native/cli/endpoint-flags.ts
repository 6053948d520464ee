// Command-line flags for remote models: which environment variable holds each role's API key, how many
// requests an endpoint takes, how long to wait. Keys go to the in-memory key store, never into configs.
import { setEndpointKey } from "../llm/endpoint-keys.ts";
import { ModelSpecError, parseModelSpec, redactSpec } from "../protocol/model-spec.ts";
import { defaultEndpointOptions } from "../llm/openai-endpoint.ts";
import { intOption, numberOption, UsageError } from "./args.ts";

interface EndpointFlagValues {
  "api-key-env"?: string;
  "critic-api-key-env"?: string;
  "endpoint-concurrency"?: string;
  "request-timeout"?: string;
}

function keyFor(role: "actor" | "critic", values: EndpointFlagValues): string | undefined {
  const flag = role === "critic" && values["critic-api-key-env"] ? "critic-api-key-env" : "api-key-env";
  const name = values[flag];
  if (name === undefined) return process.env.OPENAI_API_KEY || undefined;
  const key = process.env[name];
  if (!key) throw new UsageError(`--${flag} ${name}: that environment variable is not set`);
  return key;
}

/**
 * Checks each endpoint spec, stores its key (from the URL, or the role's environment variable) and returns the
 * specs as they may be written down: without credentials.
 */
export function applyEndpointFlags(values: EndpointFlagValues, specs: { actor: string[]; critic: string[] }): { actor: string[]; critic: string[] } {
  const concurrency = intOption(values["endpoint-concurrency"], "endpoint-concurrency");
  if (concurrency !== undefined) {
    if (concurrency < 1) throw new UsageError("--endpoint-concurrency must be at least 1");
    defaultEndpointOptions.concurrency = concurrency;
  }
  const timeout = numberOption(values["request-timeout"], "request-timeout");
  if (timeout !== undefined) {
    if (timeout <= 0) throw new UsageError("--request-timeout takes seconds, more than 0");
    defaultEndpointOptions.requestTimeoutMs = defaultEndpointOptions.idleTimeoutMs = timeout * 1000;
  }
  const apply = (role: "actor" | "critic") =>
    specs[role].map((spec) => {
      let parsed;
      try {
        parsed = parseModelSpec(spec);
      } catch (error) {
        if (error instanceof ModelSpecError) throw new UsageError(`--${role}: ${error.message}`);
        throw error;
      }
      if (parsed.kind === "file") return spec;
      setEndpointKey(parsed.baseUrl, parsed.urlKey ?? keyFor(role, values));
      return redactSpec(spec);
    });
  return { actor: apply("actor"), critic: apply("critic") };
}
