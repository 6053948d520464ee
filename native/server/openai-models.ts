// What `serve --openai` serves: the model ids clients pick from, and the models behind them. The HTTP layer
// (openai-server.ts) asks `ServedModels` for backends only, so it runs the same over llama.cpp (here) and over a
// scripted backend (its tests).
import { resolve } from "node:path";
import type { ModelBackend } from "../llm/backend.ts";
import { fileSource } from "../llm/sources/file.ts";
import { specLabel } from "../protocol/model-spec.ts";
import { openRuntime, type GpuChoice, type LoadedModel, type ModelLoadOptions } from "../llm/runtime.ts";
import type { RunDeps } from "../runs/runner.ts";
import { strategies } from "../strategies/registry.ts";

export interface ServedModel {
  id: string;
  /** A plain model (one file) or a strategy over the actor/critic pair. */
  plain?: { path: string };
  strategy?: { name: string; params: Record<string, unknown> };
}

/** The models behind the ids: a backend per plain request, the pair a strategy run uses, the tokenizer. */
export interface ServedModels {
  /** The model a request for `path` generates with; `scope` keeps its lanes apart from other requests'. */
  backend(path: string, scope: string): Promise<ModelBackend>;
  /** What a strategy run is given: nothing for llama.cpp (the run finds the loaded copies), backends otherwise. */
  runDeps(): RunDeps;
  tokenize(path: string, text: string): Promise<number[]>;
  /** Tokens a conversation (prompt and answer) may fill on this model: bounds `max_tokens`. */
  contextSize(path: string): number;
  /** Shown in /props, as llama-server's `build_info`. */
  buildInfo: string;
}

export interface ServedPair {
  actor: string;
  critic?: string;
  /** Preset files served as models next to the strategies. */
  presets?: string[];
}

/** Model ids: the files' names, and `<strategy or preset>@<actor>+<critic>` for each strategy. */
export async function servedModelIds(options: ServedPair): Promise<ServedModel[]> {
  const critic = options.critic ?? options.actor;
  let actorName = specLabel(options.actor);
  let criticName = specLabel(critic);
  if (actorName === criticName && resolve(options.actor) !== resolve(critic)) {
    actorName += "-actor";
    criticName += "-critic";
  }
  const pair = `${actorName}+${criticName}`;
  const models: ServedModel[] = [{ id: actorName, plain: { path: options.actor } }];
  if (criticName !== actorName) models.push({ id: criticName, plain: { path: critic } });
  for (const strategy of strategies) models.push({ id: `${strategy.name}@${pair}`, strategy: { name: strategy.name, params: {} } });
  if (options.presets?.length) {
    const { presetToRun, readPreset } = await import("../strategies/pipeline.ts");
    for (const path of options.presets) {
      const preset = await readPreset(path);
      const { strategy, params } = presetToRun(preset);
      models.push({ id: `${preset.name}@${pair}`, strategy: { name: strategy, params } });
    }
  }
  return models;
}

export interface LlamaServedOptions {
  actor: string;
  critic?: string;
  gpu?: GpuChoice;
  threads?: number;
  /** Requests answered at once: each model gets sequences for this many. */
  parallel: number;
  load?: Omit<ModelLoadOptions, "sequences">;
}

/** Actor and critic loaded once through node-llama-cpp, shared by every request through their lanes. */
export async function llamaServedModels(options: LlamaServedOptions): Promise<ServedModels> {
  const criticPath = options.critic ?? options.actor;
  const runtime = await openRuntime({ gpu: options.gpu, threads: options.threads });
  const sameFile = resolve(options.actor) === resolve(criticPath);
  const sequences = sameFile ? options.parallel * 2 : options.parallel;
  const loaded = new Map<string, LoadedModel>();
  for (const path of new Set([options.actor, criticPath])) loaded.set(path, await runtime.loadModel(path, { ...options.load, sequences }));
  const model = (path: string) => {
    const found = loaded.get(path);
    if (!found) throw new Error(`${path} is not served here`);
    return found;
  };
  return {
    backend: async (path, scope) => fileSource.open(path, { runtime, model: model(path), lane: scope }),
    // executeRun loads with the same options, so it finds these copies instead of loading again.
    runDeps: () => ({}),
    tokenize: async (path, text) => model(path).model.tokenize(text),
    contextSize: (path) => model(path).context.contextSize,
    buildInfo: `node-llama-cpp ${runtime.report.nodeLlamaCppVersion}`,
  };
}
