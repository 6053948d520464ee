// Runs untrusted generated code (HumanEval-style Python) under Debian's bubblewrap: a private mount namespace in
// which only /usr, the interpreter's own folder and a fresh temporary working directory exist (that directory is
// the only writable place; /tmp is an empty tmpfs; no home, no /etc/shadow, no host sockets), new PID, network,
// IPC and UTS namespaces (host processes cannot be seen or signalled, no network, abstract Unix sockets included),
// and limits on address space, file size, processes and CPU time. The wall-clock deadline is enforced on the
// process's exit, and at the deadline the whole sandbox is killed: every process lives in the PID namespace,
// which the kernel tears down when its first process dies, so a setsid grandchild or a daemon cannot outlive it.
// Where bubblewrap cannot run, untrusted code is refused unless the user opts in (REFINERY_UNSANDBOXED_CODE=1 or
// `allowUnsandboxed`), and then it runs in its own process group with the same limits but no isolation.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chown, mkdtemp, rm, writeFile } from "node:fs/promises";
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

export interface SandboxOptions {
  timeoutMs?: number;
  memoryMb?: number;
  /** CPU seconds (RLIMIT_CPU); by default the deadline's. */
  cpuSeconds?: number;
  /** Processes the code may have at once (RLIMIT_NPROC). */
  maxProcesses?: number;
  /** Run without isolation where bubblewrap is unavailable (REFINERY_UNSANDBOXED_CODE=1 does the same). */
  allowUnsandboxed?: boolean;
}

export class SandboxUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SandboxUnavailableError";
  }
}

/** Where the task's temporary directory appears inside the sandbox. */
const WORK_DIR = "/sandbox";
/** When Refinery runs as root, the code runs as nobody: the kernel does not apply RLIMIT_NPROC to root. */
const NOBODY = 65534;
const bwrapCommand = () => process.env.REFINERY_BWRAP ?? "bwrap";
const OPT_IN = "REFINERY_UNSANDBOXED_CODE";

const PREAMBLE = (limits: { memoryMb: number; cpuSeconds: number; processes: number; dropToNobody: boolean }) => `
import resource, os
resource.setrlimit(resource.RLIMIT_AS, (${limits.memoryMb} * 1024 * 1024, ${limits.memoryMb} * 1024 * 1024))
resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024 * 1024, 16 * 1024 * 1024))
resource.setrlimit(resource.RLIMIT_CPU, (${limits.cpuSeconds}, ${limits.cpuSeconds + 1}))
resource.setrlimit(resource.RLIMIT_NPROC, (${limits.processes}, ${limits.processes}))
${
  limits.dropToNobody
    ? `os.setgroups([])
os.setgid(${NOBODY})
os.setuid(${NOBODY})
`
    : ""
}del resource, os
`;

interface Interpreter {
  /** The real executable (pyenv and similar shims are shell scripts that need the home directory). */
  executable: string;
  /** Folders the interpreter reads its standard library and shared libraries from. */
  prefixes: string[];
}

let interpreterFor: { candidate: string; interpreter: Interpreter } | null = null;

function python(): Interpreter {
  const candidate = process.env.REFINERY_PYTHON ?? "python3";
  if (interpreterFor?.candidate === candidate) return interpreterFor.interpreter;
  const probe = spawnSync(
    candidate,
    ["-c", "import sys, json; print(json.dumps([sys.version_info[0], sys.executable, sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]))"],
    { encoding: "utf8" },
  );
  let facts: [number, string, ...string[]] | null = null;
  try {
    facts = probe.error ? null : JSON.parse(probe.stdout.trim());
  } catch {
    facts = null;
  }
  if (facts?.[0] !== 3) {
    throw new SandboxUnavailableError(
      `python3 was not found (tried '${candidate}'): code tasks run their tests with Python 3; install it or set REFINERY_PYTHON`,
    );
  }
  const [, executable, ...prefixes] = facts;
  const interpreter = { executable, prefixes: [...new Set(prefixes.filter((p) => p && p !== "/usr"))] };
  interpreterFor = { candidate, interpreter };
  return interpreter;
}

const runningAsRoot = () => process.getuid?.() === 0;

/**
 * How bubblewrap makes its namespaces. "privileged": root without a user namespace, so the code can become
 * nobody and RLIMIT_NPROC counts it. "userns": anyone else, in a user namespace, where the kernel counts
 * processes per namespace. Root in a user namespace ("userns" as root, where root may not mount) stays uid 0
 * to the kernel, which never applies RLIMIT_NPROC to it: every other wall holds, the process count does not.
 */
type BwrapMode = "privileged" | "userns";

interface BwrapVerdict {
  mode: BwrapMode | null;
  reason: string;
}

/** Every folder above the given ones, outermost first, that is not the system's own. */
function parentsOf(paths: string[]): string[] {
  const parents = new Set<string>();
  for (const path of paths) {
    const parts = path.split("/").filter(Boolean);
    for (let i = 1; i < parts.length; i++) parents.add(`/${parts.slice(0, i).join("/")}`);
  }
  return [...parents].filter((parent) => parent !== "/usr").sort((a, b) => a.length - b.length);
}

function bwrapArgs(interpreter: Interpreter, dir: string, mode: BwrapMode): string[] {
  return [
    "--ro-bind",
    "/usr",
    "/usr",
    // Debian's merged /usr: the top-level folders are links into it.
    ...["bin", "sbin", "lib", "lib64", "lib32"].flatMap((name) => ["--ro-bind-try", `/${name}`, `/${name}`]),
    ...["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime", "/etc/alternatives"].flatMap((path) => ["--ro-bind-try", path, path]),
    // The folders above the interpreter's are made traversable, and hold nothing else of the host.
    ...parentsOf(interpreter.prefixes).flatMap((parent) => ["--perms", "0755", "--dir", parent]),
    ...interpreter.prefixes.flatMap((prefix) => ["--ro-bind", prefix, prefix]),
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--perms",
    "1777",
    "--size",
    String(64 * 1024 * 1024),
    "--tmpfs",
    "/tmp",
    "--bind",
    dir,
    WORK_DIR,
    "--chdir",
    WORK_DIR,
    "--setenv",
    "HOME",
    WORK_DIR,
    ...(mode === "privileged" ? ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"] : ["--unshare-all"]),
    "--die-with-parent",
    "--new-session",
  ];
}

const bwrapProbes = new Map<string, BwrapVerdict>();

function probeBwrap(interpreter: Interpreter, bwrap: string): BwrapVerdict {
  const known = bwrapProbes.get(bwrap);
  if (known) return known;
  const verdict = bwrapVerdict(interpreter, bwrap);
  bwrapProbes.set(bwrap, verdict);
  return verdict;
}

function bwrapVerdict(interpreter: Interpreter, bwrap: string): BwrapVerdict {
  if (process.platform !== "linux") return { mode: null, reason: "the code sandbox needs Linux namespaces (bubblewrap), which this system does not have" };
  let reason = "";
  for (const mode of runningAsRoot() ? (["privileged", "userns"] as const) : (["userns"] as const)) {
    const probe = spawnSync(bwrap, [...bwrapArgs(interpreter, tmpdir(), mode), interpreter.executable, "-I", "-c", "print('ok')"], {
      encoding: "utf8",
      timeout: 10_000,
    });
    if (probe.error) {
      const missing = (probe.error as NodeJS.ErrnoException).code === "ENOENT";
      return {
        mode: null,
        reason: missing
          ? `bubblewrap ('${bwrap}') is not installed (Debian/Ubuntu: apt install bubblewrap)`
          : `bubblewrap could not start: ${probe.error.message}`,
      };
    }
    if (probe.status === 0 && probe.stdout.trim() === "ok") return { mode, reason: "" };
    const said = (probe.stderr || probe.stdout).trim().split("\n").slice(-2).join(" ");
    reason ||= `bubblewrap cannot create its namespaces here (${said || `exit code ${probe.status}`}); user namespaces may be disabled`;
  }
  return { mode: null, reason };
}

/** The program a code task runs: the candidate, the tests, and the call of check(entry point). */
export function testProgram(code: string, tests: CodeTests): string {
  return `${code}\n\n${tests.code}\n\n${tests.entryPoint ? `check(${tests.entryPoint})\n` : ""}`;
}

interface Launch {
  command: string;
  args: string[];
  isolation: string;
  dropToNobody: boolean;
}

function launchFor(interpreter: Interpreter, dir: string, allowUnsandboxed: boolean): Launch {
  const command = bwrapCommand();
  const bwrap = probeBwrap(interpreter, command);
  if (bwrap.mode) {
    const uncounted = bwrap.mode === "userns" && runningAsRoot();
    return {
      command,
      args: [...bwrapArgs(interpreter, dir, bwrap.mode), interpreter.executable, "-I", "-B", `${WORK_DIR}/program.py`],
      isolation: `bubblewrap (read-only system, only its temp dir writable, no network, own PID namespace${uncounted ? "; processes not capped: root in a user namespace" : ""})`,
      dropToNobody: bwrap.mode === "privileged",
    };
  }
  if (!allowUnsandboxed && process.env[OPT_IN] !== "1") {
    throw new SandboxUnavailableError(
      `refusing to run untrusted code: ${bwrap.reason}, so the code would run with your files, network and processes in reach. Install bubblewrap, or set ${OPT_IN}=1 to run it unsandboxed anyway`,
    );
  }
  return {
    command: interpreter.executable,
    args: ["-I", "-B", join(dir, "program.py")],
    isolation: `none: ${bwrap.reason}; ran unsandboxed because ${OPT_IN}=1 (limits only)`,
    dropToNobody: false,
  };
}

function killTree(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

export async function runPython(program: string, options: SandboxOptions = {}): Promise<SandboxResult> {
  const interpreter = python();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const memoryMb = options.memoryMb ?? 512;
  const dir = await mkdtemp(join(tmpdir(), "refinery-sandbox-"));
  try {
    const launch = launchFor(interpreter, dir, options.allowUnsandboxed ?? false);
    if (launch.dropToNobody) await chown(dir, NOBODY, NOBODY);
    const cpuSeconds = options.cpuSeconds ?? Math.max(1, Math.ceil(timeoutMs / 1000));
    await writeFile(
      join(dir, "program.py"),
      `${PREAMBLE({ memoryMb, cpuSeconds, processes: options.maxProcesses ?? 32, dropToNobody: launch.dropToNobody })}\n${program}`,
    );
    if (launch.dropToNobody) await chown(join(dir, "program.py"), NOBODY, NOBODY);
    return await supervise(launch, dir, timeoutMs);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** How long after the exit the last of the output may still be in the pipes. */
const DRAIN_MS = 200;

function supervise(launch: Launch, dir: string, timeoutMs: number): Promise<SandboxResult> {
  const started = performance.now();
  return new Promise<SandboxResult>((resolve) => {
    // Its own process group, so the unsandboxed fallback can kill what it started too.
    const child = spawn(launch.command, launch.args, { cwd: dir, env: { PATH: "/usr/bin:/bin" }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    const collect = (chunk: Buffer) => {
      if (output.length < 8000) output += chunk.toString();
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    let timedOut = false;
    let settled = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killTree(child);
    }, timeoutMs);
    const finish = (code: number | null, failure?: string) => {
      if (settled) return;
      // SIGXCPU, reported by the sandbox's init as 128 + 24.
      if (!failure && (code === 152 || child.signalCode === "SIGXCPU")) failure = "(stopped: CPU time limit reached)";
      settled = true;
      clearTimeout(timer);
      killTree(child);
      child.stdout!.destroy();
      child.stderr!.destroy();
      const text = failure ? `${output}\n${failure}` : output;
      resolve({
        passed: code === 0 && !timedOut,
        outcome: timedOut ? "timeout" : code === 0 ? "ok" : /MemoryError/.test(text) ? "memory" : "failed",
        output: timedOut ? `${text}\n(killed after ${timeoutMs} ms)` : text,
        wallMs: Math.round(performance.now() - started),
        isolation: launch.isolation,
      });
    };
    child.on("error", (error) => finish(null, `the sandbox could not start: ${error.message}`));
    // The exit, not the pipes closing: a process that escaped into the background may hold them open.
    child.on("exit", (code) => {
      const drained = setTimeout(() => finish(code), DRAIN_MS);
      child.on("close", () => {
        clearTimeout(drained);
        finish(code);
      });
    });
  });
}

/** The code in a model's reply: the last fenced block, or the whole reply. */
export function extractCode(text: string): string {
  const blocks = [...text.matchAll(/```(?:python|py)?\s*\n([\s\S]*?)```/g)];
  return (blocks.at(-1)?.[1] ?? text).trimEnd();
}
