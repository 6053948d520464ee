// Proves GPU backends before the engine uses one: each candidate (CUDA, Vulkan, Metal, then CPU) is loaded
// and made to decode in its own child process, so a backend that aborts the process is reported and skipped
// instead of taking the app down. Results are cached per machine, driver and library version.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeProbeModel } from "./gguf/probe-model.ts";
import { getModuleVersion } from "node-llama-cpp";

export type Backend = "cuda" | "vulkan" | "metal" | "cpu";

export interface ProbeResult {
  backend: Backend;
  ok: boolean;
  devices: string[];
  vram?: { total: number; used: number; free: number } | null;
  /** Why it was not usable: an error it reported, or how its process died. */
  reason?: string;
  crashed?: boolean;
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

export type ProbeCommand = (backend: Backend, modelPath: string) => { command: string; args: string[] };

const here = dirname(fileURLToPath(import.meta.url));

/** The probe runs the built probe.mjs next to a bundled app, else the TypeScript source through tsx. */
export const defaultProbeCommand: ProbeCommand = (backend, modelPath) => {
  const built = join(here, "probe.mjs");
  if (existsSync(built)) return { command: process.execPath, args: [built, backend, modelPath] };
  return { command: process.execPath, args: ["--import", "tsx", join(here, "probe-child.ts"), backend, modelPath] };
};

export function candidateBackends(platform = process.platform): Backend[] {
  return platform === "darwin" ? ["metal", "cpu"] : ["cuda", "vulkan", "cpu"];
}

function cacheDir(): string {
  return process.env.REFINERY_CACHE_DIR ?? join(homedir(), ".cache", "refinery");
}

function nvidiaDriver(): string {
  const result = spawnSync("nvidia-smi", ["--query-gpu=driver_version", "--format=csv,noheader"], { encoding: "utf8", timeout: 5000 });
  return result.status === 0 ? result.stdout.trim().split("\n")[0] ?? "unknown" : "none";
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

/** Known failure signatures turned into advice. */
export function explain(backend: Backend, detail: string, output = ""): string {
  if (/PTX was compiled with an unsupported toolchain/i.test(`${detail}\n${output}`)) {
    return `${backend} skipped: the CUDA build aborted at its first decode because the NVIDIA driver is older than the toolchain it was built with ("the provided PTX was compiled with an unsupported toolchain"); update the NVIDIA driver to use CUDA`;
  }
  if (/NoBinaryFoundError/.test(detail)) return `${backend} skipped: no ${backend} build of llama.cpp loads on this machine (no matching GPU, driver or runtime libraries)`;
  if (/no .*(binary|prebuilt)|not (available|supported)|cannot find|could not find/i.test(detail)) return `${backend} skipped: not available on this machine (${detail})`;
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
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split("\n").at(-1) ?? "";
      try {
        const parsed = JSON.parse(line) as { ok: boolean; devices?: string[]; vram?: ProbeResult["vram"]; error?: string; decodeMs?: number };
        if (parsed.ok) {
          resolve({ backend, ok: true, devices: parsed.devices ?? [], vram: parsed.vram ?? null, decodeMs: parsed.decodeMs });
          return;
        }
        resolve({ backend, ok: false, devices: [], reason: explain(backend, parsed.error ?? "failed") });
      } catch {
        // The last line that looks like an error, not a stack frame.
        const last = stderr.trim().split("\n").filter((l) => l.trim() && !/^\s*(at |\d+: )/.test(l)).at(-1);
        const how = signal ? `its process was killed by ${signal}` : `its process exited with code ${code}`;
        resolve({ backend, ok: false, crashed: true, devices: [], reason: explain(backend, `${how}${last ? `: ${last.trim()}` : ""}`, stderr) });
      }
    });
  });
}

export interface ProbeOptions {
  candidates?: Backend[];
  command?: ProbeCommand;
  /** Ignore the cache and probe again. */
  refresh?: boolean;
  timeoutMs?: number;
  /** Stop at the first backend that works (the app), or probe all (refinery gpu). */
  all?: boolean;
}

export async function probeBackends(options: ProbeOptions = {}): Promise<ProbeReport> {
  const machine = await machineKey();
  const cacheFile = join(cacheDir(), "gpu-probe.json");
  const useCache = !options.refresh && !options.command && !options.candidates;
  if (useCache) {
    try {
      const cached = JSON.parse(await readFile(cacheFile, "utf8")) as ProbeReport;
      if (cached.machine === machine && (!options.all || cached.results.length === candidateBackends().length)) return { ...cached, fromCache: true };
    } catch {
      // no cache, or unreadable: probe
    }
  }
  const modelPath = join(cacheDir(), "probe-model.gguf");
  if (!existsSync(modelPath)) {
    await mkdir(dirname(modelPath), { recursive: true });
    await writeProbeModel(`${modelPath}.tmp`);
    await rename(`${modelPath}.tmp`, modelPath);
  }
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
  if (useCache || options.refresh) {
    try {
      await mkdir(dirname(cacheFile), { recursive: true });
      await writeFile(cacheFile, JSON.stringify(report, null, 2));
    } catch {
      // a read-only cache only costs a probe next time
    }
  }
  return report;
}

function candidateIndex(backend: Backend, options: ProbeOptions): number {
  return (options.candidates ?? candidateBackends()).indexOf(backend);
}
