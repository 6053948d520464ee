// What every handler may use: the engine's options, the job registry, run-event batching and experiment progress.
import type { z } from "zod";
import type { EngineEvent, EngineInfo, ExperimentInfo, ExperimentProgressEvent, RequestName, requestSchemas } from "../../protocol/contract.ts";
import type { ExperimentControl, SummarizedResults } from "../../eval/experiment.ts";
import { modelFacts } from "../../llm/model-facts.ts";
import { openRuntime, type GpuChoice, type LlamaRuntime } from "../../llm/runtime.ts";
import { checkRoleSpec } from "../../runs/runner.ts";
import type { EventBatcher } from "../event-batcher.ts";
import type { Jobs } from "../jobs.ts";

export interface EngineServiceOptions {
  runsDir: string;
  gpu?: GpuChoice;
  threads?: number;
  mode: EngineInfo["mode"];
  emit: (event: EngineEvent) => void;
}

export interface ExperimentEntry {
  control: ExperimentControl;
  progress: ExperimentProgressEvent;
}

/** An experiment's dataset as the compare view shows it: each item's fields (filters, breakdowns) and texts (the grid's rows). */
export interface ExperimentItems {
  fields: Array<Record<string, string>>;
  texts: Array<{ question: string; reference: string | null }>;
}

export interface EngineContext {
  readonly options: EngineServiceOptions;
  readonly jobs: Jobs;
  readonly batcher: EventBatcher;
  /** The latest progress of each experiment this engine started, kept after it ends (the UI shows how it ended). */
  readonly experiments: Map<string, ExperimentEntry>;
  readonly datasetFieldCache: Map<string, Promise<ExperimentItems | null>>;
  /** loadExperiment's answer per results version (and dataset items it was built with). */
  readonly experimentViews: WeakMap<SummarizedResults, { fields: ExperimentItems | null; info: Omit<ExperimentInfo, "progress"> }>;
  downloadCounter: number;
}

export function engineRuntime(ctx: EngineContext): Promise<LlamaRuntime> {
  return openRuntime({ gpu: ctx.options.gpu, threads: ctx.options.threads });
}

/** Checks the actor's and critic's specs (a file's header) before a run starts, naming the role whose model is wrong. */
export async function checkRoleModels(models: { actor: { path: string }; critic: { path: string } }): Promise<void> {
  for (const role of ["actor", "critic"] as const) await checkRoleSpec(role, models[role].path, "ui");
}

export async function checkModelFiles(paths: readonly string[]): Promise<void> {
  for (const path of paths) await modelFacts(path);
}

/** A request's input after its schema parsed it (defaults applied). */
export type Input<K extends RequestName> = z.output<(typeof requestSchemas)[K]>;
