// The defaults a run gets for what the user leaves empty, defined once: the run form shows them, the CLI and
// the engine apply them, the memory plan plans with them.
import type { ModelRole, SamplingSettings } from "./events.ts";

export const DEFAULT_SAMPLING: Readonly<Record<ModelRole, Readonly<SamplingSettings>>> = {
  actor: { temperature: 0.7, maxTokens: 512 },
  critic: { temperature: 0, maxTokens: 768 },
};

/** Tokens per sequence when no context size is given, unless the model was trained on less. */
export const DEFAULT_CONTEXT_SIZE = 4096;

/** The context a model gets when none is given: the default, but never more than it was trained on. */
export function defaultContextSize(trainedContext: number | null | undefined): number {
  return trainedContext && trainedContext > 0 ? Math.min(DEFAULT_CONTEXT_SIZE, trainedContext) : DEFAULT_CONTEXT_SIZE;
}
