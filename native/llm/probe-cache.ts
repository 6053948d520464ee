// Where the GPU probe keeps what it learned: the probe model it decodes with and the last report. Both are
// written atomically under names of their own, so concurrent probes (several `refinery gpu --refresh`, the app
// and the CLI) never trip over each other. A report is cached only when every failure in it is a clean,
// reproducible refusal of the backend; those failures expire after a day, and any change of machine, driver or
// package set probes again.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { writeProbeModel } from "./gguf/probe-model.ts";
import { tempPathFor, writeFileAtomic } from "../util/atomic-write.ts";
import type { ProbeReport, ProbeResult } from "./probe-types.ts";

export const FAILURE_TTL_MS = 24 * 60 * 60 * 1000;

export function probeCacheDir(override?: string): string {
  return override ?? process.env.REFINERY_CACHE_DIR ?? join(homedir(), ".cache", "refinery");
}

async function sha256Of(path: string): Promise<string | null> {
  try {
    return createHash("sha256")
      .update(await readFile(path))
      .digest("hex");
  } catch {
    return null;
  }
}

/**
 * The probe model, checked against a freshly generated copy (it is tiny and deterministic) and replaced when it
 * differs: a truncated or corrupt file would make every backend look broken.
 */
export async function ensureProbeModel(dir: string): Promise<{ path: string; rebuilt: boolean }> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, "probe-model.gguf");
  const fresh = tempPathFor(path);
  try {
    await writeProbeModel(fresh);
    const [want, have] = await Promise.all([sha256Of(fresh), sha256Of(path)]);
    if (want !== null && want === have) return { path, rebuilt: false };
    // The fresh copy has a name of its own in the same folder: renaming it over the old one is atomic.
    await rename(fresh, path);
    return { path, rebuilt: true };
  } finally {
    await rm(fresh, { force: true });
  }
}

/** Whether this failure says something lasting about the machine (no binary, a known abort), not about this moment. */
export function isCacheable(result: ProbeResult): boolean {
  return result.ok || result.reproducible === true;
}

function isReport(value: unknown): value is ProbeReport {
  const report = value as ProbeReport;
  return (
    typeof report === "object" &&
    report !== null &&
    typeof report.machine === "string" &&
    Array.isArray(report.results) &&
    typeof report.chosen === "string" &&
    Array.isArray(report.reasons) &&
    typeof report.probedAt === "string"
  );
}

/** The cached report if it still holds for this machine: same key, only cacheable results, failures not expired. */
export async function readCachedReport(file: string, machine: string, now = Date.now()): Promise<ProbeReport | null> {
  let cached: unknown;
  try {
    cached = JSON.parse(await readFile(file, "utf8"));
  } catch {
    return null;
  }
  if (!isReport(cached) || cached.machine !== machine) return null;
  if (!cached.results.every(isCacheable)) return null;
  const age = now - Date.parse(cached.probedAt);
  if (cached.results.some((r) => !r.ok) && !(age >= 0 && age < FAILURE_TTL_MS)) return null;
  return cached;
}

/** Caches the report when it may be trusted next time; says whether it did. A read-only cache only costs a probe. */
export async function writeCachedReport(file: string, dir: string, report: ProbeReport): Promise<boolean> {
  if (!report.results.every(isCacheable)) return false;
  try {
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(file, JSON.stringify(report, null, 2));
    return true;
  } catch {
    return false;
  }
}
