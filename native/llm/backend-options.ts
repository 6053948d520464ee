// Which backends this machine can be asked for, in words: the menu offers what exists for the platform (no Metal
// on Linux), and a backend that exists but cannot run here says why instead of failing with a library error.
import { cpus } from "node:os";
import { getLlamaGpuTypes } from "node-llama-cpp";
import type { Backend, ProbeReport } from "./probe-types.ts";

export interface BackendOption {
  backend: "auto" | Backend;
  available: boolean;
  /** Why it cannot be used here, for a person. */
  reason?: string;
}

const LABEL: Record<Backend, string> = { cuda: "CUDA", vulkan: "Vulkan", metal: "Metal", cpu: "CPU" };

const NEEDS: Record<Exclude<Backend, "cpu">, string> = {
  cuda: "an NVIDIA GPU with its driver and the CUDA runtime",
  vulkan: "a GPU with a Vulkan driver",
  metal: "an Apple Silicon Mac",
};

/** A probe's reason without its "cuda skipped: " lead-in (the option already names the backend). */
const plainReason = (reason: string, backend: Backend) => reason.replace(new RegExp(`^${backend} skipped: `), "");

/** What would make a backend work, for one node-llama-cpp refuses (NoBinaryFoundError and the like). */
export function unavailableReason(backend: Exclude<Backend, "cpu">): string {
  return `${LABEL[backend]} is not available on this machine: it needs ${NEEDS[backend]}, and none was found`;
}

/**
 * auto and CPU always; each GPU backend valid for this OS and architecture, available when node-llama-cpp finds
 * its drivers and (when a probe ran) it decoded in the probe.
 */
export async function backendOptions(probe?: Pick<ProbeReport, "results"> | null): Promise<BackendOption[]> {
  const valid = (await getLlamaGpuTypes("allValid")).filter((t): t is Exclude<Backend, "cpu"> => t !== false);
  const supported = new Set(await getLlamaGpuTypes("supported"));
  const options: BackendOption[] = [{ backend: "auto", available: true }];
  for (const backend of valid) {
    const proven = probe?.results.find((r) => r.backend === backend);
    if (proven && !proven.ok) options.push({ backend, available: false, reason: plainReason(proven.reason ?? unavailableReason(backend), backend) });
    else if (!proven && !supported.has(backend)) options.push({ backend, available: false, reason: unavailableReason(backend) });
    else options.push({ backend, available: true });
  }
  options.push({ backend: "cpu", available: true });
  return options;
}

/** The processor as a person would name it, and how many logical cores it has. */
export function cpuFacts(): { model: string; cores: number } {
  const list = cpus();
  return { model: list[0]?.model.trim() || "unknown processor", cores: list.length };
}
