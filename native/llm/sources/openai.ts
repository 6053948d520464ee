// A model served by an OpenAI-compatible server (vLLM, llama-server, Ollama, LM Studio, another Refinery), named
// `openai:<base URL>#<served model>`: nothing loads here, the manifest records the server without credentials,
// and replicas of one served model share generation-cache entries and can be pooled by an experiment.
import { isOpenAISpec, parseModelSpec, redactSpec, type EndpointSpec } from "../../protocol/model-spec.ts";
import { OpenAIBackend } from "../openai-backend.ts";
import type { ModelSource } from "./source.ts";

export const REMOTE_REPRODUCIBILITY =
  "This run used a remote model server: it is reproducible only as far as that server is (same weights, same server version and settings, deterministic seeding on its side).";

const endpointOf = (spec: string) => parseModelSpec(spec) as EndpointSpec;

export const openaiSource: ModelSource = {
  name: "an OpenAI-compatible endpoint",
  claims: isOpenAISpec,
  async check(spec) {
    endpointOf(spec);
    return null;
  },
  loadsLocally: false,
  pooled: true,
  // A server that takes no thinking budget is known only once probed: the backend warns per generation then.
  capabilities: { thinkingBudget: true, jsonSchema: true },
  reproducibility: REMOTE_REPRODUCIBILITY,
  open: (spec) => new OpenAIBackend(endpointOf(spec)),
  // The served model, not the URL: replicas of one model share entries.
  cacheIdentity: async (spec) => `remote:${endpointOf(spec).model}`,
  describe(spec, backend) {
    const path = redactSpec(spec);
    if (!(backend instanceof OpenAIBackend)) return { path };
    const remote = { ...backend.endpoint.describe(), model: backend.spec.model, reproducibility: REMOTE_REPRODUCIBILITY };
    return { path, name: remote.model, remote };
  },
};
