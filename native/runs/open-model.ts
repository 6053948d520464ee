// One model opened for a role outside a strategy's run (an experiment's judges): an endpoint spec becomes the
// same OpenAI-compatible backend a run's critic gets (remoteBackends), a GGUF file is loaded through the process's
// runtime (loaded once per file and settings, shared with runs that load it too).
import type { ModelBackend } from "../llm/backend.ts";
import { LlamaBackend } from "../llm/llama-backend.ts";
import { remoteBackends } from "../llm/remote-models.ts";
import { ModelLoadError, openRuntime, type GpuChoice } from "../llm/runtime.ts";
import type { ModelConfig } from "./runner.ts";
import { RunInputError } from "./runner.ts";

export async function openModelBackend(
  model: ModelConfig,
  options: { gpu?: GpuChoice; threads?: number; sequences?: number; minContextSize?: number; laneScope: string; signal?: AbortSignal },
): Promise<ModelBackend> {
  let remote: ReturnType<typeof remoteBackends>;
  try {
    remote = remoteBackends({ actor: model.path, critic: model.path });
  } catch (error) {
    throw new RunInputError((error as Error).message);
  }
  if (remote.critic) return remote.critic;
  const runtime = await openRuntime({ gpu: options.gpu, threads: options.threads });
  try {
    const load = { ...(model.load?.contextSize ? {} : { minContextSize: options.minContextSize ?? 4096 }), ...model.load, sequences: options.sequences ?? 1 };
    const loaded = await runtime.loadModel(model.path, load, undefined, options.signal);
    return new LlamaBackend(runtime, loaded, options.laneScope);
  } catch (error) {
    if (error instanceof ModelLoadError) throw new RunInputError(error.message);
    throw error;
  }
}
