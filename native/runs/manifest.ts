// The run manifest: what is needed to reproduce or audit a run (model files and hashes, backend, threads,
// library version, seed, parameters, prompts), and whether the run finished.
import { writeFileSync, renameSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Task } from "../protocol/events.ts";
import type { BackendReport, ModelLoadOptions } from "../llm/runtime.ts";

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
  /** A model on an OpenAI-compatible server: the endpoint (no credentials), served model, server version. */
  remote?: import("../llm/remote-models.ts").RemoteModelRecord;
}

export interface RunManifest {
  runId: string;
  createdAt: string;
  status: "running" | "finished" | "failed";
  endedAt?: string;
  failure?: string;
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

export function writeManifest(path: string, manifest: RunManifest): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(tmp, path);
}

export async function readManifest(path: string): Promise<RunManifest> {
  return JSON.parse(await readFile(path, "utf8")) as RunManifest;
}
