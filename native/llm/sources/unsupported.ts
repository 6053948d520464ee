// A request for something a source's backends cannot do is sent without it, and its node says so: a run never
// silently gets a setting other than the one it asked for.
import { withGenerate, type GenerateRequest, type ModelBackend } from "../backend.ts";
import type { ModelSource } from "./source.ts";

/** The request without what the source cannot honour, and a sentence for each thing left out. */
function honoured(request: GenerateRequest, source: ModelSource): { request: GenerateRequest; warnings: string[] } {
  const { thinkingBudget, jsonSchema, ...rest } = request;
  const warnings: string[] = [];
  const kept: GenerateRequest = { ...rest };
  if (thinkingBudget !== undefined) {
    if (source.capabilities.thinkingBudget) kept.thinkingBudget = thinkingBudget;
    else warnings.push(`${source.name} takes no thinking budget: the model thought as it liked within ${request.maxTokens} tokens`);
  }
  if (jsonSchema !== undefined) {
    if (source.capabilities.jsonSchema) kept.jsonSchema = jsonSchema;
    else warnings.push(`${source.name} cannot constrain output to a JSON schema: the answer was generated unconstrained`);
  }
  return { request: kept, warnings };
}

/** The backend as the source declares it: unsupported settings dropped from each request and warned about. */
export function warnUnsupported(backend: ModelBackend, source: ModelSource): ModelBackend {
  const { thinkingBudget, jsonSchema } = source.capabilities;
  if (thinkingBudget && jsonSchema) return backend;
  return withGenerate(backend, async (asked) => {
    const { request, warnings } = honoured(asked, source);
    const result = await backend.generate(request);
    if (!warnings.length) return result;
    return { ...result, warning: [result.warning, ...warnings].filter(Boolean).join("; ") };
  });
}
