// The flags `refinery run` takes, named by their settings in the one table (protocol/field-labels.ts): the
// command's parser and its usage both read this list, so a flag cannot be parsed without being documented.
import { type FieldKey, flagOptions, flagUsage } from "../protocol/field-labels.ts";

/** The flags of the usage's first line, where one of each pair is required. */
const HEAD = ["strategy", "preset", "actor.path", "critic.path", "task.question", "dataset", "limit", "offset", "fields", "skipMalformed"] as const;

/** The optional flags, one usage line per group. */
const LINES = [
  ["out", "seed", "params", "task.reference", "savePreset"],
  ["actor.sampling.maxTokens", "actor.sampling.temperature", "critic.sampling.maxTokens", "maxTotalTokens"],
  ["actor.sampling.thinkingBudget", "critic.sampling.thinkingBudget", "critic.sampling.reasonFirst", "critic.sampling.metaCritique"],
  ["actor.load.chatWrapper", "critic.load.chatWrapper"],
  ["threads", "gpu", "actor.load.contextSize", "actor.load.gpuLayers"],
  ["actor.load.flashAttention", "parallel", "json", "quiet", "vram", "ram", "force"],
  ["apiKeyEnv", "criticApiKeyEnv", "endpointConcurrency", "requestTimeout"],
] as const satisfies readonly (readonly FieldKey[])[];

export const RUN_FLAG_KEYS = [...HEAD, ...LINES.flat()];

export const runFlagOptions = flagOptions(RUN_FLAG_KEYS);

const INDENT = " ".repeat(15);

/** `refinery run`'s part of the usage, its flags as the table writes them. */
export function runUsage(): string {
  const u = (key: FieldKey, required = false) => flagUsage(key, required);
  const head =
    `  refinery run (${u("strategy", true)} | ${u("preset", true)}) ${u("actor.path", true)} ${u("critic.path")}` +
    ` (${u("task.question", true)} | ${u("dataset", true)} ${u("limit")} ${u("offset")} ${u("fields")} ${u("skipMalformed")})`;
  return [head, ...LINES.map((line) => INDENT + line.map((key) => u(key)).join(" "))].join("\n");
}
