// What a GPU probe finds, shared by the prober (gpu-probe.ts) and its cache (probe-cache.ts).
import type { ComputeBackend } from "../protocol/contract.ts";

export type Backend = ComputeBackend;

export interface ProbeResult {
  backend: Backend;
  ok: boolean;
  devices: string[];
  vram?: { total: number; used: number; free: number } | null;
  /** Why it was not usable: an error it reported, or how its process died. */
  reason?: string;
  crashed?: boolean;
  /**
   * A failure that will happen again on this machine (no binary for the backend, a known driver abort), as opposed
   * to one of this moment (a timeout on a busy machine, a child that could not start). Only those are cached.
   */
  reproducible?: boolean;
  decodeMs?: number;
}

export interface ProbeReport {
  machine: string;
  results: ProbeResult[];
  chosen: Backend;
  /** One line per skipped backend, with what would fix it where that is known. */
  reasons: string[];
  fromCache: boolean;
  probedAt: string;
}
