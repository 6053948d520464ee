// The run manifest: what is needed to reproduce or audit a run (model files and hashes, backend, threads,
// library version, seed, parameters, prompts), and how the run ended.
import { readFile } from "node:fs/promises";
import { writeFileAtomicSync } from "../util/atomic-write.ts";
import type { RunWriter } from "./writer.ts";
import type { Task } from "../protocol/events.ts";
import type { BackendReport, ModelLoadOptions } from "../llm/runtime.ts";
import type { ChatFormatInfo } from "../llm/backend.ts";

export interface ManifestModel {
  role: "actor" | "critic";
  path: string;
  sizeBytes: number;
  sha256: string | null;
  architecture: string | null;
  name: string | null;
  load: ModelLoadOptions;
  sampling: Record<string, unknown>;
  /** Both roles point at one loaded copy. */
  sharedWith?: "actor" | "critic";
  /** The chat wrapper node-llama-cpp resolved (or the one named) and whether it has thought segments. */
  chatFormat?: ChatFormatInfo;
  /** Tokens per sequence of the context the model was loaded with. */
  contextSize?: number;
  /** A model on an OpenAI-compatible server: the endpoint (no credentials), served model, server version. */
  remote?: import("../llm/sources/source.ts").RemoteModelRecord;
}

export interface RunManifest {
  runId: string;
  createdAt: string;
  /** "cancelled": stopped by the user (Cancel, Ctrl-C, SIGTERM), its files complete up to there. */
  status: "running" | "finished" | "failed" | "cancelled";
  endedAt?: string;
  failure?: string;
  /** The process writing the run, while it runs: a "running" run whose writer is gone was interrupted. */
  writer?: RunWriter;
  strategy: string;
  params: Record<string, unknown>;
  /** Strategies run with oracle switches (gold answers) are upper bounds, not results. */
  oracle: boolean;
  seed: number;
  parallel: boolean;
  maxTotalTokens: number;
  task: Task;
  models: ManifestModel[];
  backend: BackendReport | { kind: string };
  refineryVersion: string;
  /** Present when a remote server took part: how far the run can be reproduced. */
  reproducibility?: string;
  prompts: Record<string, string>;
  /** The joint memory plan's estimate for this run's models next to what loading them took. */
  memory?: { estimate: { vram: number; ram: number; verdict: string }; actual: { vram: number; rssGrowth: number } } | { error: string };
}

/** Atomic, under a temporary name of its own that a failed write (a full disk) removes. */
export function writeManifest(path: string, manifest: RunManifest): void {
  writeFileAtomicSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
}

export async function readManifest(path: string): Promise<RunManifest> {
  return JSON.parse(await readFile(path, "utf8")) as RunManifest;
}
