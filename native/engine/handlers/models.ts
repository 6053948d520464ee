// Model files: inspect one, plan memory for a pair, the model library, per-model load settings.
import { resolve } from "node:path";
import type { EndpointTestInfo, LibraryModelInfo, LoadSettingsInfo, MemoryPlanInfo, ModelFolderInfo, ModelInfo } from "../../protocol/contract.ts";
import { lastModelFolder, rememberModelFolder } from "../../llm/browse-memory.ts";
import { cachedChatFormat } from "../../llm/chat-format.ts";
import { listModelFolder as listFolder } from "../../llm/model-folder.ts";
import { testEndpoint as probeEndpoint } from "../../llm/endpoint-test.ts";
import { modelFacts } from "../../llm/model-facts.ts";
import { existsSync } from "node:fs";
import { bundledDemoDataset, bundledDemoRole, bundledModelFolders } from "../../llm/bundled-demo.ts";
import { addModel as addToLibrary, defaultRoots, readAddedModels, scanLibrary } from "../../llm/library.ts";
import { getLoadSettings as readLoadSettings, saveLoadSettings as writeLoadSettings } from "../../llm/load-settings.ts";
import { planMemory as plan } from "../../llm/memory-plan.ts";
import { defaultContextSize } from "../../protocol/defaults.ts";
import { checkModelFiles, engineRuntime, type EngineContext, type Input } from "./context.ts";

type LoadSettingsByRole = Partial<Record<"actor" | "critic", LoadSettingsInfo>>;

export async function inspectModel(_ctx: EngineContext, { path }: Input<"inspectModel">): Promise<ModelInfo> {
  const file = await modelFacts(path);
  return {
    path: resolve(path),
    sizeBytes: file.sizeBytes,
    architecture: file.architecture,
    name: file.name,
    contextLength: file.contextLength,
    layers: file.layers,
    chatTemplate: file.hasChatTemplate,
  };
}

export async function planMemory(ctx: EngineContext, input: Input<"planMemory">): Promise<MemoryPlanInfo> {
  await checkModelFiles([input.actor, input.critic]);
  const runtime = await engineRuntime(ctx);
  // The context each model would get in a run: the one given, else the default within its trained context.
  const context = async (path: string) => input.contextSize ?? defaultContextSize((await modelFacts(path)).contextLength);
  return plan({
    llama: runtime.llama,
    actor: { path: input.actor, contextSize: await context(input.actor), sequences: input.actorSequences ?? 1 },
    critic: { path: input.critic, contextSize: await context(input.critic), sequences: input.criticSequences ?? 1 },
    vram: input.vram,
    ram: input.ram,
  });
}

/** The library, each readable file with the chat format `refinery inspect` would report for it. */
export async function listModels(ctx: EngineContext, _input: Input<"listModels">): Promise<LibraryModelInfo[]> {
  const roots = { ...defaultRoots(), bundled: bundledModelFolders() };
  roots.added = await readAddedModels();
  const scanned = await scanLibrary(roots);
  const dataset = existsSync(bundledDemoDataset) ? bundledDemoDataset : undefined;
  const models = scanned.map((model) => {
    if (model.source !== "bundled") return model;
    const demoRole = bundledDemoRole(model.path);
    return { ...model, ...(dataset ? { demoDataset: dataset } : {}), ...(demoRole ? { demoRole } : {}) };
  });
  const files = models.filter((m) => !m.error && !m.endpoint);
  if (!files.length) return models;
  const { llama } = await engineRuntime(ctx);
  for (const model of files) {
    // A tokenizer node-llama-cpp cannot read leaves the format unknown; the rest of the entry still shows.
    const format = await cachedChatFormat(llama, model.path).catch(() => null);
    if (format) model.chatFormat = { wrapper: format.wrapper, thoughts: format.thoughts };
  }
  return models;
}

/** Without a folder it starts where the user last browsed; each folder opened is remembered for next time. */
export async function listModelFolder(_ctx: EngineContext, { path }: Input<"listModelFolder">): Promise<ModelFolderInfo> {
  const folder = await listFolder(path ?? (await lastModelFolder()) ?? undefined);
  await rememberModelFolder(folder.path);
  return folder;
}

export async function addModel(_ctx: EngineContext, { path, apiKey }: Input<"addModel">): Promise<{ added: string[] }> {
  return { added: await addToLibrary(path, undefined, apiKey) };
}

export async function getLoadSettings(_ctx: EngineContext, { path }: Input<"getLoadSettings">): Promise<LoadSettingsByRole> {
  return readLoadSettings(path);
}

/** "Test connection": the endpoint's models, kind and version; a key given here is used for its later runs. */
export async function testEndpoint(_ctx: EngineContext, { spec, apiKey }: Input<"testEndpoint">): Promise<EndpointTestInfo> {
  return probeEndpoint(spec, apiKey);
}

export async function saveLoadSettings(_ctx: EngineContext, { path, role, load }: Input<"saveLoadSettings">): Promise<LoadSettingsByRole> {
  await modelFacts(path);
  return writeLoadSettings(path, role, load);
}
