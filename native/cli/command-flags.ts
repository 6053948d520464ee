// Which settings each refinery command takes, by their keys in the one table (protocol/field-labels.ts): each
// command's parser reads its list, and help.test.ts holds each command's usage to it.
import type { FieldKey } from "../protocol/field-labels.ts";
import { RUN_FLAG_KEYS } from "./run-flags.ts";

/** Which environment variable holds an endpoint's key, how many requests it takes, how long to wait. */
export const ENDPOINT_FLAG_KEYS = ["apiKeyEnv", "criticApiKeyEnv", "endpointConcurrency", "requestTimeout"] as const;

export const COMMAND_FLAGS = {
  run: RUN_FLAG_KEYS,
  replay: [],
  runs: ["out"],
  inspect: ["actor.load.contextSize", "sequences", "gpu", "actor.load.chatWrapper"],
  strategies: [],
  gpu: ["refresh"],
  plan: ["actor.path", "critic.path", "vram", "ram", "actor.load.contextSize", "sequences", "criticSequences", "gpu"],
  models: ["add", "modelDirs"],
  download: ["dir", "sha256", "name", "timeout"],
  experiment: [
    ...(["dataset", "limit", "offset", "fields", "skipMalformed", "columns", "actors", "critic", "pair", "pool", "seed"] as const),
    ...(["repeats", "frontier", "out", "maxTokens", "actor.sampling.thinkingBudget", "critic.sampling.thinkingBudget"] as const),
    ...(["maxTotalTokens", "sampling", "concurrency", "noCache", "threads", "gpu", "quiet", "jury", "grader", "baseline"] as const),
    "judgeMaxTokens",
    "checklistCalls",
    ...ENDPOINT_FLAG_KEYS,
  ],
  report: ["html", "csv", "jsonl", "pairs", "baseline"],
  "critic-eval": [
    "mode",
    "dataset",
    "limit",
    "critic",
    "actor.path",
    "maxTokens",
    "threads",
    "gpu",
    "actor.sampling.temperature",
    "params",
    "metaCritique",
    "judge",
  ],
  "judge-eval": ["dataset", "judge", "mode", "limit", "seed", "maxTokens", "threads", "gpu", "quiet", ...ENDPOINT_FLAG_KEYS],
  grade: ["dataset", "fields", "limit", "offset", "skipMalformed", "csv", "jsonl"],
  serve: ["port", "runs", "gpu", "threads"],
  /** `serve --openai`: the same command's second form, which its usage shows under `serve`. */
  serveOpenAI: [
    ...(["openai", "actor.path", "critic.path", "port", "host", "runs", "servedPresets", "apiKey", "servedParallel"] as const),
    ...(["actor.load.contextSize", "uiUrl", "gpu", "threads"] as const),
  ],
} as const satisfies Record<string, readonly FieldKey[]>;
