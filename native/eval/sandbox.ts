// Runs untrusted generated code (HumanEval-style Python) in a separate process: a fresh temporary working
// directory, a wall-clock limit, an address-space limit, no network (a new network namespace where the system
// allows one; otherwise Python's socket module is disabled, which is weaker and is reported as such), and an
// environment with nothing of the parent's but PATH.
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CodeTests } from "../protocol/events.ts";

export interface SandboxResult {
  passed: boolean;
  /** "ok", "failed" (an assertion or error), "timeout", "memory". */
  outcome: "ok" | "failed" | "timeout" | "memory";
  output: string;
  wallMs: number;
  isolation: string;
}

export class SandboxUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SandboxUnavailableError";
  }
}

const PREAMBLE = (memoryMb: number, blockSockets: boolean) => `
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (${memoryMb} * 1024 * 1024, ${memoryMb} * 1024 * 1024))
resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024 * 1024, 16 * 1024 * 1024))
${blockSockets ? `import socket
def _no_network(*args, **kwargs):
    raise OSError("network access is disabled in the Refinery sandbox")
socket.socket = _no_network
socket.create_connection = _no_network
` : ""}`;

let pythonChecked: string | null = null;
let namespaceWorks: boolean | null = null;

function python(): string {
  const candidate = process.env.REFINERY_PYTHON ?? "python3";
  if (pythonChecked === candidate) return candidate;
  const probe = spawnSync(candidate, ["-c", "import sys; print(sys.version_info[0])"], { encoding: "utf8" });
  if (probe.error || probe.stdout.trim() !== "3") {
    throw new SandboxUnavailableError(`python3 was not found (tried '${candidate}'): code tasks run their tests with Python 3; install it or set REFINERY_PYTHON`);
  }
  pythonChecked = candidate;
  return candidate;
}

function networkNamespace(): boolean {
  if (namespaceWorks === null) namespaceWorks = process.platform === "linux" && spawnSync("unshare", ["-rn", "true"]).status === 0;
  return namespaceWorks;
}

/** The program a code task runs: the candidate, the tests, and the call of check(entry point). */
export function testProgram(code: string, tests: CodeTests): string {
  return `${code}\n\n${tests.code}\n\n${tests.entryPoint ? `check(${tests.entryPoint})\n` : ""}`;
}

export async function runPython(program: string, options: { timeoutMs?: number; memoryMb?: number } = {}): Promise<SandboxResult> {
  const interpreter = python();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const memoryMb = options.memoryMb ?? 512;
  const isolated = networkNamespace();
  const dir = await mkdtemp(join(tmpdir(), "refinery-sandbox-"));
  const file = join(dir, "program.py");
  await writeFile(file, `${PREAMBLE(memoryMb, !isolated)}\n${program}`);
  const command = isolated ? "unshare" : interpreter;
  const args = isolated ? ["-rn", interpreter, "-I", "-B", file] : ["-I", "-B", file];
  const started = performance.now();
  try {
    return await new Promise<SandboxResult>((resolve) => {
      const child = spawn(command, args, { cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      const collect = (chunk: Buffer) => {
        if (output.length < 8000) output += chunk.toString();
      };
      child.stdout.on("data", collect);
      child.stderr.on("data", collect);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, timeoutMs);
      child.on("close", (code) => {
        clearTimeout(timer);
        const memory = /MemoryError/.test(output);
        resolve({
          passed: code === 0 && !timedOut,
          outcome: timedOut ? "timeout" : code === 0 ? "ok" : memory ? "memory" : "failed",
          output: timedOut ? `${output}\n(killed after ${timeoutMs} ms)` : output,
          wallMs: Math.round(performance.now() - started),
          isolation: isolated ? "network namespace" : "sockets disabled in Python (no network namespace available)",
        });
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The code in a model's reply: the last fenced block, or the whole reply. */
export function extractCode(text: string): string {
  const blocks = [...text.matchAll(/```(?:python|py)?\s*\n([\s\S]*?)```/g)];
  return (blocks.at(-1)?.[1] ?? text).trimEnd();
}
