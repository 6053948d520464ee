// The joint memory plan for actor + critic, made before anything loads: GPU layers, context size and parallel
// sequences for both models together, from node-llama-cpp's GGUF insights (its V2 estimates dry-run llama.cpp),
// against the memory there is (or a budget the user gives). One copy when both roles name the same file.
import { freemem } from "node:os";
import { resolve } from "node:path";
import { GgufInsights, type Llama } from "node-llama-cpp";
import { ggufInfo } from "./model-facts.ts";
import type { MemoryPlan, RolePlan, FitVerdict } from "../protocol/memory-plan.ts";
import { formatBytes } from "../protocol/format.ts";

export type { MemoryPlan, RolePlan, FitVerdict };

export interface RoleRequest {
  path: string;
  contextSize: number;
  sequences: number;
}

export interface PlanOptions {
  actor: RoleRequest;
  critic: RoleRequest;
  llama: Llama;
  /** Bytes; defaults to the free VRAM node-llama-cpp reports (0 on CPU) and the free RAM. */
  vram?: number;
  ram?: number;
}

interface ModelInsights {
  insights: GgufInsights;
  layers: number;
  /** Estimates already made for this file, by request: each V2 estimate dry-runs llama.cpp (~0.1 s on a 152k
   * vocabulary) and an experiment plans the same load once per cell. */
  estimates: Map<string, ReturnType<typeof estimateUncached>>;
}

/** Per version of a file (ggufInfo's cached object) and per llama instance: its insights and their estimates. */
const insightsCache = new WeakMap<object, { llama: Llama; model: ModelInsights }>();

async function insightsFor(path: string, llama: Llama): Promise<ModelInsights> {
  const info = await ggufInfo(path);
  const cached = insightsCache.get(info);
  if (cached?.llama === llama) return cached.model;
  const insights = await GgufInsights.from(info, llama);
  const model = { insights, layers: insights.totalLayers, estimates: new Map() };
  insightsCache.set(info, { llama, model });
  return model;
}

export { formatBytes };

function estimate(model: ModelInsights, request: RoleRequest, gpuLayers: number, nativeGpu: boolean) {
  const key = `${request.contextSize}:${request.sequences}:${gpuLayers}:${nativeGpu}`;
  let result = model.estimates.get(key);
  if (!result) {
    result = estimateUncached(model, request, gpuLayers, nativeGpu);
    // A failed estimate is not kept: the next plan tries again.
    result.catch(() => model.estimates.delete(key));
    model.estimates.set(key, result);
  }
  return result;
}

async function estimateUncached(model: ModelInsights, request: RoleRequest, gpuLayers: number, nativeGpu: boolean) {
  const weights = await model.insights.estimateModelResourceRequirementsV2({ gpuLayers });
  const context = await model.insights.estimateContextResourceRequirementsV2({
    contextSize: request.contextSize,
    modelGpuLayers: gpuLayers,
    sequences: request.sequences,
  });
  // On a machine without a GPU backend node-llama-cpp puts the whole context in RAM; planning for a GPU budget
  // there, the KV cache of offloaded layers is counted as VRAM in proportion.
  const share = model.layers > 0 ? gpuLayers / model.layers : 0;
  const contextVram = nativeGpu ? context.gpuVram : context.cpuRam * share;
  const contextRam = nativeGpu ? context.cpuRam : context.cpuRam * (1 - share);
  return { weights: { vram: weights.gpuVram, ram: weights.cpuRam }, context: { vram: contextVram, ram: contextRam } };
}

export async function planMemory(options: PlanOptions): Promise<MemoryPlan> {
  const nativeGpu = options.llama.gpu !== false;
  const gpu = nativeGpu || (options.vram ?? 0) > 0;
  const vramBudget = options.vram ?? (options.llama.gpu === false ? 0 : (await options.llama.getVramState()).free);
  const ramBudget = options.ram ?? freemem();
  const shared = resolve(options.actor.path) === resolve(options.critic.path);
  const actorModel = await insightsFor(options.actor.path, options.llama);
  const criticModel = shared ? actorModel : await insightsFor(options.critic.path, options.llama);

  const evaluate = async (actorLayers: number, criticLayers: number) => {
    const actor = await estimate(actorModel, options.actor, actorLayers, nativeGpu);
    const critic = await estimate(criticModel, options.critic, shared ? actorLayers : criticLayers, nativeGpu);
    const criticWeights = shared ? { vram: 0, ram: 0 } : critic.weights;
    const used = {
      vram: actor.weights.vram + actor.context.vram + criticWeights.vram + critic.context.vram,
      ram: actor.weights.ram + actor.context.ram + criticWeights.ram + critic.context.ram,
    };
    return { actor, critic: { ...critic, weights: criticWeights }, used, actorLayers, criticLayers: shared ? actorLayers : criticLayers };
  };
  const fits = (e: { used: { vram: number; ram: number } }) => e.used.vram <= vramBudget && e.used.ram <= ramBudget;

  // Best first: everything on the GPU; then the critic on the CPU; then as many actor layers as fit (binary
  // search: each estimate dry-runs llama.cpp); then the CPU alone.
  let chosen: Awaited<ReturnType<typeof evaluate>> | null = null;
  const tryPlan = async (a: number, c: number) => {
    const attempt = await evaluate(a, c);
    return fits(attempt) ? attempt : null;
  };
  if (gpu && vramBudget > 0) {
    chosen = await tryPlan(actorModel.layers, criticModel.layers);
    if (!chosen && !shared) chosen = await tryPlan(actorModel.layers, 0);
    let lo = 1;
    let hi = actorModel.layers - 1;
    while (!chosen && lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const attempt = await tryPlan(mid, shared ? mid : 0);
      if (attempt) {
        const better = mid < hi ? await tryPlan(mid + 1, shared ? mid + 1 : 0) : null;
        if (!better) chosen = attempt;
        lo = mid + 1;
      } else hi = mid - 1;
    }
  }
  chosen ??= await tryPlan(0, 0);
  const final = chosen ?? (await evaluate(0, 0));
  const fullGpu = final.actorLayers === actorModel.layers && final.criticLayers === criticModel.layers && gpu && vramBudget > 0;
  const verdict: FitVerdict = !chosen
    ? "will-not-fit"
    : fullGpu
      ? "fits-gpu"
      : gpu && vramBudget > 0 && (final.actorLayers > 0 || final.criticLayers > 0)
        ? "partial-offload"
        : "fits-ram";

  const roles: RolePlan[] = [
    {
      role: "actor",
      path: resolve(options.actor.path),
      sharedWithActor: false,
      gpuLayers: final.actorLayers,
      totalLayers: actorModel.layers,
      contextSize: options.actor.contextSize,
      sequences: options.actor.sequences,
      ...final.actor,
    },
    {
      role: "critic",
      path: resolve(options.critic.path),
      sharedWithActor: shared,
      gpuLayers: final.criticLayers,
      totalLayers: criticModel.layers,
      contextSize: options.critic.contextSize,
      sequences: options.critic.sequences,
      ...final.critic,
    },
  ];
  const bar: MemoryPlan["bar"] = [];
  for (const memory of ["vram", "ram"] as const) {
    const budget = memory === "vram" ? vramBudget : ramBudget;
    if (memory === "vram" && budget === 0) continue;
    bar.push(
      { label: "actor weights", memory, bytes: final.actor.weights[memory] },
      { label: "actor context", memory, bytes: final.actor.context[memory] },
      { label: shared ? "critic weights (shared with actor)" : "critic weights", memory, bytes: final.critic.weights[memory] },
      { label: "critic context", memory, bytes: final.critic.context[memory] },
      { label: "free", memory, bytes: Math.max(0, budget - final.used[memory]) },
    );
  }

  const suggestions: string[] = [];
  if (verdict === "partial-offload" || verdict === "will-not-fit") {
    const contextShare =
      (final.actor.context.ram + final.actor.context.vram + final.critic.context.ram + final.critic.context.vram) /
      Math.max(1, final.used.ram + final.used.vram);
    if (contextShare > 0.3)
      suggestions.push(`a smaller context (the contexts take ${Math.round(contextShare * 100)}%: try ${Math.max(512, options.actor.contextSize / 2)} tokens)`);
    if (options.actor.sequences > 1 || options.critic.sequences > 1)
      suggestions.push(`fewer parallel sequences (now ${options.actor.sequences} actor, ${options.critic.sequences} critic)`);
    if (gpu && vramBudget > 0 && !shared && final.criticLayers > 0) suggestions.push("the critic on the CPU (GPU layers 0)");
    suggestions.push("a smaller quantisation (Q4_K_M weights are about 55% of Q8_0's)");
    if (!shared) suggestions.push("one model for both roles (one copy in memory)");
  }
  const summary =
    verdict === "fits-gpu"
      ? `both models fit on the GPU (${formatBytes(final.used.vram)} of ${formatBytes(vramBudget)} VRAM)`
      : verdict === "partial-offload"
        ? `partial offload: actor ${final.actorLayers}/${actorModel.layers} layers and critic ${final.criticLayers}/${criticModel.layers} on the GPU, the rest in RAM`
        : verdict === "fits-ram"
          ? `runs on the CPU: ${formatBytes(final.used.ram)} of ${formatBytes(ramBudget)} RAM`
          : `will not fit: needs ${formatBytes(final.used.ram)} RAM${gpu ? ` with nothing offloaded` : ""}, ${formatBytes(ramBudget)} available`;
  return { verdict, summary, gpu, budget: { vram: vramBudget, ram: ramBudget }, used: final.used, roles, bar, suggestions };
}

/** "8GiB", "512MiB", "1.5G", or bytes. */
export function parseBytes(text: string): number {
  const match = /^\s*([\d.]+)\s*(k|m|g|t)?i?b?\s*$/i.exec(text);
  if (!match) throw new Error(`not a memory size: '${text}' (try 8GiB or 512MiB)`);
  const unit = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[(match[2] ?? "").toLowerCase() as "k"] ?? 1;
  return Math.round(Number(match[1]) * unit);
}
