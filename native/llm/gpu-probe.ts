// Proves GPU backends before the engine uses one: each candidate (CUDA, Vulkan, Metal, then CPU) is loaded
// and made to decode in its own child process, so a backend that aborts the process is reported and skipped
// instead of taking the app down. Results are cached per machine, driver and library version (probe-cache.ts).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { typescriptEntry } from "../util/child-process.ts";
import { getModuleVersion } from "node-llama-cpp";
import { ensureProbeModel, probeCacheDir, readCachedReport, writeCachedReport } from "./probe-cache.ts";
import type { Backend, ProbeReport, ProbeResult } from "./probe-types.ts";

export type { Backend, ProbeReport, ProbeResult } from "./probe-types.ts";

export type ProbeCommand = (backend: Backend, modelPath: string) => { command: string; args: string[] };

const here = dirname(fileURLToPath(import.meta.url));

/** The probe runs the built probe.mjs next to a bundled app, else the TypeScript source through tsx. */
export const defaultProbeCommand: ProbeCommand = (backend, modelPath) => {
  const built = join(here, "probe.mjs");
  if (existsSync(built)) return { command: process.execPath, args: [built, backend, modelPath] };
  return { command: process.execPath, args: [...typescriptEntry(join(here, "probe-child.ts")), backend, modelPath] };
};

export function candidateBackends(platform = process.platform): Backend[] {
  return platform === "darwin" ? ["metal", "cpu"] : ["cuda", "vulkan", "cpu"];
}

function nvidiaDriver(): string {
  const result = spawnSync("nvidia-smi", ["--query-gpu=driver_version", "--format=csv,noheader"], { encoding: "utf8", timeout: 5000 });
  return result.status === 0 ? (result.stdout.trim().split("\n")[0] ?? "unknown") : "none";
}

let machine: string | null = null;

/**
 * What the probe result depends on: platform, library version, GPU driver, and which binary packages exist.
 * Computed once per process: the UI polls the report, and this spawns nvidia-smi.
 */
export async function machineKey(): Promise<string> {
  machine ??= computeMachineKey(await getModuleVersion());
  return machine;
}

function computeMachineKey(nodeLlamaCppVersion: string): string {
  let packages: string[] = [];
  try {
    packages = readdirSync(join(dirname(fileURLToPath(import.meta.resolve("node-llama-cpp"))), "../../@node-llama-cpp")).sort();
  } catch {
    // no prebuilt packages directory: the key says so
  }
  return `${process.platform}-${process.arch}|node-llama-cpp ${nodeLlamaCppVersion}|nvidia driver ${nvidiaDriver()}|${packages.join(",")}`;
}

const PTX_ABORT = /PTX was compiled with an unsupported toolchain/i;
const NOT_AVAILABLE = /NoBinaryFoundError|no .*(binary|prebuilt)|not (available|supported)|cannot find|could not find|loaded \w+ instead of/i;

/**
 * Whether a backend's failure is a clean refusal that recurs on this machine. The CPU backend never refuses
 * cleanly (it is the fallback: its failure is always a problem of the moment or of the install).
 */
export function isReproducibleFailure(backend: Backend, detail: string, output = "", how: { crashed?: boolean; timedOut?: boolean } = {}): boolean {
  if (backend === "cpu" || how.timedOut) return false;
  if (PTX_ABORT.test(`${detail}\n${output}`)) return true;
  return !how.crashed && NOT_AVAILABLE.test(detail);
}

/** Known failure signatures turned into advice. */
export function explain(backend: Backend, detail: string, output = "", crashed = false): string {
  if (PTX_ABORT.test(`${detail}\n${output}`)) {
    return `${backend} skipped: the CUDA build aborted at its first decode because the NVIDIA driver is older than the toolchain it was built with ("the provided PTX was compiled with an unsupported toolchain"); update the NVIDIA driver to use CUDA`;
  }
  // A child that died says nothing about the backend beyond its own error.
  if (crashed) return `${backend} skipped: ${detail}`;
  if (/NoBinaryFoundError/.test(detail))
    return `${backend} skipped: no ${backend} build of llama.cpp loads on this machine (no matching GPU, driver or runtime libraries)`;
  if (/no .*(binary|prebuilt)|not (available|supported)|cannot find|could not find/i.test(detail))
    return `${backend} skipped: not available on this machine (${detail})`;
  return `${backend} skipped: ${detail}`;
}

function runProbe(command: ProbeCommand, backend: Backend, modelPath: string, timeoutMs: number): Promise<ProbeResult> {
  const { command: cmd, args } = command(backend, modelPath);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_LLAMA_CPP_SKIP_DOWNLOAD: "true" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 20000) stderr += chunk.toString();
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    const fail = (detail: string, crashed: boolean) =>
      resolve({
        backend,
        ok: false,
        devices: [],
        reason: explain(backend, detail, stderr, crashed),
        ...(crashed ? { crashed: true } : {}),
        reproducible: isReproducibleFailure(backend, detail, stderr, { crashed, timedOut }),
      });
    child.on("error", (error) => {
      clearTimeout(timer);
      fail(`its process could not start: ${error.message}`, true);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split("\n").at(-1) ?? "";
      let parsed: { ok: boolean; devices?: string[]; vram?: ProbeResult["vram"]; error?: string; decodeMs?: number } | null = null;
      try {
        parsed = JSON.parse(line);
      } catch {
        // no report: the process died before writing one
      }
      if (parsed?.ok) {
        resolve({ backend, ok: true, devices: parsed.devices ?? [], vram: parsed.vram ?? null, decodeMs: parsed.decodeMs });
        return;
      }
      if (parsed) return fail(parsed.error ?? "failed", false);
      const how = timedOut
        ? `its process did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped`
        : signal
          ? `its process was killed by ${signal}`
          : `its process exited with code ${code}`;
      const cause = lastErrorLine(stderr);
      fail(`${how}${cause ? `: ${cause}` : ""}`, true);
    });
  });
}

/** The line of a dead process's stderr that says what went wrong: not a stack frame, not Node's version footer. */
export function lastErrorLine(stderr: string): string | undefined {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/^(at |\d+: )/.test(l) && !/^Node\.js v\d/.test(l) && !/^\^+$/.test(l));
  return lines.filter((l) => /\b\w*(Error|Exception)\b|\bERR_[A-Z_]+\b|error:/i.test(l)).at(-1) ?? lines.at(-1);
}

export interface ProbeOptions {
  candidates?: Backend[];
  command?: ProbeCommand;
  /** Ignore the cache and probe again. */
  refresh?: boolean;
  timeoutMs?: number;
  /** Stop at the first backend that works (the app), or probe all (refinery gpu). */
  all?: boolean;
  /** Where the probe model and the report are kept (default REFINERY_CACHE_DIR, else ~/.cache/refinery). */
  cacheDir?: string;
}

/** The probe of every backend this process is running now: the app's start and the hardware panel ask together. */
let inFlight: { dir: string; all: boolean; refresh: boolean; promise: Promise<ProbeReport> } | null = null;

/**
 * Proves the candidate backends (or answers from the cache). Concurrent calls in one process share a probe
 * that covers them, rather than loading every backend twice at once.
 */
export function probeBackends(options: ProbeOptions = {}): Promise<ProbeReport> {
  if (options.command || options.candidates) return probeOnce(options);
  const dir = probeCacheDir(options.cacheDir);
  if (inFlight && inFlight.dir === dir) {
    if ((inFlight.all || !options.all) && (inFlight.refresh || !options.refresh)) return inFlight.promise;
    // One backend at a time: the probe under way often answers this one from the cache it leaves.
    return inFlight.promise.then(
      () => probeBackends(options),
      () => probeBackends(options),
    );
  }
  const entry = { dir, all: options.all === true, refresh: options.refresh === true, promise: probeOnce(options) };
  inFlight = entry;
  void entry.promise
    .finally(() => {
      if (inFlight === entry) inFlight = null;
    })
    .catch(() => undefined);
  return entry.promise;
}

async function probeOnce(options: ProbeOptions): Promise<ProbeReport> {
  const machine = await machineKey();
  const dir = probeCacheDir(options.cacheDir);
  const cacheFile = join(dir, "gpu-probe.json");
  const useCache = !options.refresh && !options.command && !options.candidates;
  if (useCache) {
    const cached = await readCachedReport(cacheFile, machine);
    if (cached && (!options.all || cached.results.length === candidateBackends().length)) return { ...cached, fromCache: true };
  }
  const { path: modelPath } = await ensureProbeModel(dir);
  const results: ProbeResult[] = [];
  let chosen: Backend = "cpu";
  let found = false;
  for (const backend of options.candidates ?? candidateBackends()) {
    const result = await runProbe(options.command ?? defaultProbeCommand, backend, modelPath, options.timeoutMs ?? 60_000);
    results.push(result);
    if (result.ok && !found) {
      chosen = backend;
      found = true;
      if (!options.all) break;
    }
  }
  const reasons = results.filter((r) => !r.ok && (!found || candidateIndex(r.backend, options) < candidateIndex(chosen, options))).map((r) => r.reason!);
  const report: ProbeReport = { machine, results, chosen, reasons, fromCache: false, probedAt: new Date().toISOString() };
  if (useCache || options.refresh) await writeCachedReport(cacheFile, dir, report);
  return report;
}

function candidateIndex(backend: Backend, options: ProbeOptions): number {
  return (options.candidates ?? candidateBackends()).indexOf(backend);
}
