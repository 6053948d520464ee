// Remote roles of a run: the backend for an endpoint spec, and what the manifest says about it (the endpoint
// without credentials, the served model, the server's version, how verdicts were constrained and tokens counted).
import type { ModelRole } from "../protocol/events.ts";
import type { ModelBackend } from "./backend.ts";
import { parseModelSpec, ModelSpecError, type EndpointSpec } from "../protocol/model-spec.ts";
import { OpenAIBackend } from "./openai-backend.ts";
import type { EndpointInfo } from "./openai-endpoint.ts";

export const REMOTE_REPRODUCIBILITY =
  "This run used a remote model server: it is reproducible only as far as that server is (same weights, same server version and settings, deterministic seeding on its side).";

export interface RemoteModelRecord extends EndpointInfo {
  model: string;
  reproducibility: string;
}

/** Backends for the roles whose spec names an endpoint; file roles are left to the local loader. */
export function remoteBackends(paths: Record<ModelRole, string>): Partial<Record<ModelRole, OpenAIBackend>> {
  const backends: Partial<Record<ModelRole, OpenAIBackend>> = {};
  for (const role of ["actor", "critic"] as const) {
    const spec = parseModelSpec(paths[role]);
    if (spec.kind === "endpoint") backends[role] = new OpenAIBackend(spec);
  }
  return backends;
}

export function remoteRecord(backend: ModelBackend): RemoteModelRecord | null {
  if (!(backend instanceof OpenAIBackend)) return null;
  return { ...backend.endpoint.describe(), model: backend.spec.model, reproducibility: REMOTE_REPRODUCIBILITY };
}

/** The generation-cache identity of a remote model: the served model, not the URL, so replicas share entries. */
export function remoteIdentity(spec: EndpointSpec): string {
  return `remote:${spec.model}`;
}

export { ModelSpecError };
