// A GGUF file on this machine, loaded through node-llama-cpp: checked from its header before anything loads,
// planned in memory with the other role, identified in the generation cache by its hash and load settings.
import { resolve } from "node:path";
import { cachedSha256 } from "../file-hash.ts";
import { LlamaBackend } from "../llama-backend.ts";
import { modelFacts } from "../model-facts.ts";
import type { ModelSource } from "./source.ts";

export const fileSource: ModelSource = {
  name: "a model file",
  claims: () => true,
  check: (spec) => modelFacts(spec),
  loadsLocally: true,
  pooled: false,
  capabilities: { thinkingBudget: true, jsonSchema: true },
  open(spec, local) {
    if (!local) throw new Error(`${spec} is a model file: the runner loads it before opening a backend on it`);
    return new LlamaBackend(local.runtime, local.model, local.lane);
  },
  cacheIdentity: async (spec, load) => `${await cachedSha256(spec)}|${JSON.stringify(load ?? {})}`,
  describe: (spec) => ({ path: resolve(spec) }),
};
