// One model opened for a role outside a strategy's run (an experiment's judges), through the spec's source like a
// run's roles: a model served elsewhere opens on its spec alone, a GGUF file is loaded through the process's
// runtime (loaded once per file and settings, shared with runs that load it too).
import type { ModelBackend } from "../llm/backend.ts";
import { ModelLoadError, openRuntime, type GpuChoice } from "../llm/runtime.ts";
import { sourceFor } from "../llm/sources/registry.ts";
import type { ModelConfig } from "./runner.ts";
import { RunInputError } from "./runner.ts";

export async function openModelBackend(
  model: ModelConfig,
  options: { gpu?: GpuChoice; threads?: number; sequences?: number; minContextSize?: number; laneScope: string; signal?: AbortSignal },
): Promise<ModelBackend> {
  const source = sourceFor(model.path);
  try {
    await source.check(model.path);
  } catch (error) {
    throw new RunInputError((error as Error).message);
  }
  if (!source.loadsLocally) return source.open(model.path);
  const runtime = await openRuntime({ gpu: options.gpu, threads: options.threads });
  try {
    const load = { ...(model.load?.contextSize ? {} : { minContextSize: options.minContextSize ?? 4096 }), ...model.load, sequences: options.sequences ?? 1 };
    const loaded = await runtime.loadModel(model.path, load, undefined, options.signal);
    return source.open(model.path, { runtime, model: loaded, lane: options.laneScope });
  } catch (error) {
    if (error instanceof ModelLoadError) throw new RunInputError(error.message);
    throw error;
  }
}
