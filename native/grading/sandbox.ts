// Runs untrusted generated code (HumanEval-style Python) under Debian's bubblewrap: a private mount namespace in
// which only /usr and the interpreter's own folder exist, read-only, beside a task folder holding the program and
// an empty /tmp, both bounded in-memory filesystems that vanish with the sandbox (no home, no /etc/shadow, no host
// sockets); new PID, network, IPC and UTS namespaces (host processes cannot be seen or signalled, no network,
// abstract Unix sockets included); no new user namespaces (sandbox-seccomp.ts); a control group per call bounding
// the memory and processes of the whole call (sandbox-cgroup.ts); and per-process limits on address space, file
// size and CPU time. The wall-clock deadline is enforced on the process's exit, and at the deadline the whole
// sandbox is killed: every process lives in the PID namespace, which the kernel tears down when its first process
// dies, so a setsid grandchild or a daemon cannot outlive it. A pass needs the harness's proof that the program ran
// to its end (sandbox-harness.ts), not only exit code 0.
// Where bubblewrap cannot run, untrusted code is refused unless the user opts in (REFINERY_UNSANDBOXED_CODE=1 or
// `allowUnsandboxed`), and then it runs in its own process group with the same limits but no isolation.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { CodeTests } from "../protocol/events.ts";
import { cgroupVersion, createCallCgroup, unavailableReason, type CallCgroup } from "./sandbox-cgroup.ts";
import { FD, HARNESS, harnessArgs, LAUNCHER, NONCE_LENGTH } from "./sandbox-harness.ts";
import { denyUserNamespacesFilter } from "./sandbox-seccomp.ts";

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
  /** Memory of the whole call (its control group's bound); without a control group, the address space of each process. */
  memoryMb?: number;
  /** CPU seconds (RLIMIT_CPU); by default the deadline's. */
  cpuSeconds?: number;
  /** Processes (threads included) the call may have at once: its control group's pids.max, else RLIMIT_NPROC. */
  maxProcesses?: number;
  /** Size of the task folder and of /tmp, each (in-memory filesystems). */
  diskMb?: number;
  /** Run without isolation where bubblewrap is unavailable (REFINERY_UNSANDBOXED_CODE=1 does the same). */
  allowUnsandboxed?: boolean;
}

export class SandboxUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SandboxUnavailableError";
  }
}

/** The task folder inside the sandbox, and the program in it. */
const WORK_DIR = "/sandbox";
const PROGRAM = `${WORK_DIR}/program.py`;
/** When Refinery runs as root, the code runs as nobody: the kernel does not apply RLIMIT_NPROC to root. */
const NOBODY = 65534;
const bwrapCommand = () => process.env.REFINERY_BWRAP ?? "bwrap";
const OPT_IN = "REFINERY_UNSANDBOXED_CODE";

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

/** Inside the sandbox: a private filesystem and namespaces; with `fds`, the program and the seccomp filter too. */
function bwrapArgs(interpreter: Interpreter, mode: BwrapMode, diskBytes: number, fds: { seccomp: boolean; program: boolean }): string[] {
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
    // The task folder and /tmp live in memory, each bounded, and vanish with the sandbox's mount namespace.
    ...[WORK_DIR, "/tmp"].flatMap((path) => ["--perms", "1777", "--size", String(diskBytes), "--tmpfs", path]),
    ...(fds.program ? ["--perms", "0444", "--file", String(FD.program), PROGRAM] : []),
    ...(fds.seccomp ? ["--seccomp", String(FD.seccomp)] : []),
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
    const args = bwrapArgs(interpreter, mode, 1024 * 1024, { seccomp: false, program: false });
    const probe = spawnSync(bwrap, [...args, interpreter.executable, "-I", "-c", "print('ok')"], { encoding: "utf8", timeout: 10_000 });
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
  /** Where the program is handed over: through a descriptor into the sandbox, or written into a host folder. */
  programIn: "descriptor" | "host folder";
  seccomp: Buffer | null;
  dropToUid: number | null;
}

/** What the sandbox cannot bound on this machine, said in the result and by `sandboxLimitations`. */
function missingBounds(seccomp: Buffer | null, cgroupMissing: string | null): string[] {
  const missing: string[] = [];
  if (cgroupMissing) missing.push(`memory and processes bounded per process only, not per call (${cgroupMissing})`);
  if (!seccomp) missing.push(`new user namespaces not denied (no seccomp filter for ${process.arch})`);
  return missing;
}

interface CallSize {
  memoryMb: number;
  processes: number;
  diskBytes: number;
}

function launchFor(interpreter: Interpreter, allowUnsandboxed: boolean, { memoryMb, processes, diskBytes }: CallSize): Launch {
  const command = bwrapCommand();
  const bwrap = probeBwrap(interpreter, command);
  if (bwrap.mode) {
    const uncounted = bwrap.mode === "userns" && runningAsRoot();
    const seccomp = denyUserNamespacesFilter();
    const args = [...bwrapArgs(interpreter, bwrap.mode, diskBytes, { seccomp: seccomp !== null, program: true }), interpreter.executable, "-I", "-B"];
    const cgroupMissing = unavailableReason();
    const missing = missingBounds(seccomp, cgroupMissing);
    const whole = cgroupMissing ? null : `whole call: ${memoryMb} MiB, ${processes} processes (${cgroupVersion()})`;
    const walls = [
      "read-only system",
      `only its task folder and /tmp writable (${diskBytes >> 20} MiB each, in memory)`,
      "no network",
      "own PID namespace",
      ...(seccomp ? ["no new user namespaces"] : []),
      ...(whole ? [whole] : []),
      ...(uncounted && cgroupMissing ? ["processes not capped: root in a user namespace"] : []),
    ];
    return {
      command,
      args,
      isolation: `bubblewrap (${walls.join(", ")}${missing.length ? `; ${missing.join("; ")}` : ""})`,
      programIn: "descriptor",
      seccomp,
      dropToUid: bwrap.mode === "privileged" ? NOBODY : null,
    };
  }
  if (!allowUnsandboxed && process.env[OPT_IN] !== "1") {
    throw new SandboxUnavailableError(
      `refusing to run untrusted code: ${bwrap.reason}, so the code would run with your files, network and processes in reach. Install bubblewrap, or set ${OPT_IN}=1 to run it unsandboxed anyway`,
    );
  }
  return {
    command: interpreter.executable,
    args: ["-I", "-B"],
    isolation: `none: ${bwrap.reason}; ran unsandboxed because ${OPT_IN}=1 (limits only)`,
    programIn: "host folder",
    seccomp: null,
    dropToUid: null,
  };
}

/** The bounds this machine cannot give sandboxed code (empty when every bound holds), for commands to warn with. */
export function sandboxLimitations(): string[] {
  return missingBounds(denyUserNamespacesFilter(), unavailableReason());
}

function killTree(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

/**
 * Runs a Python program in the sandbox. It passes only when it runs to its end: exit code 0 and the harness's
 * proof that the module's last statement was reached (see sandbox-harness.ts).
 */
export async function runPython(program: string, options: SandboxOptions = {}): Promise<SandboxResult> {
  const interpreter = python();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const memoryMb = options.memoryMb ?? 512;
  const processes = options.maxProcesses ?? 32;
  const diskBytes = (options.diskMb ?? 64) * 1024 * 1024;
  const launch = launchFor(interpreter, options.allowUnsandboxed ?? false, { memoryMb, processes, diskBytes });
  let hostDir: string | null = null;
  let cgroup: CallCgroup | null = null;
  try {
    // bubblewrap's two processes (its monitor and the namespace's init) are in the group with the program.
    cgroup = createCallCgroup({ memoryBytes: memoryMb * 1024 * 1024, processes: processes + 2 });
    let programPath = PROGRAM;
    if (launch.programIn === "host folder") {
      hostDir = await mkdtemp(join(tmpdir(), "refinery-sandbox-"));
      programPath = join(hostDir, "program.py");
      await writeFile(programPath, program);
    }
    const cpuSeconds = options.cpuSeconds ?? Math.max(1, Math.ceil(timeoutMs / 1000));
    // With a control group the call's memory is bounded where it is used; an address-space limit would only refuse
    // reservations that are not memory (each thread's stack and malloc arena).
    const limits = { memoryMb: cgroup ? 0 : memoryMb, fileMb: 16, cpuSeconds, processes: cgroup ? 0 : processes, dropToUid: launch.dropToUid };
    const args = [...launch.args, "-c", HARNESS, ...harnessArgs(programPath, limits)];
    const launcher = ["-I", "-S", "-c", LAUNCHER, String(FD.proof), ...(cgroup?.procsFiles ?? []), "--", launch.command, ...args];
    return await supervise({ interpreter, launcher, launch, program, cgroup, timeoutMs, memoryMb });
  } finally {
    await cgroup?.remove();
    if (hostDir) await rm(hostDir, { recursive: true, force: true });
  }
}

/** How long after the exit the last of the output may still be in the pipes. */
const DRAIN_MS = 200;

interface Supervised {
  interpreter: Interpreter;
  launcher: string[];
  launch: Launch;
  program: string;
  cgroup: CallCgroup | null;
  timeoutMs: number;
  memoryMb: number;
}

function supervise({ interpreter, launcher, launch, program, cgroup, timeoutMs, memoryMb }: Supervised): Promise<SandboxResult> {
  const started = performance.now();
  const nonce = randomBytes(NONCE_LENGTH / 2).toString("hex");
  return new Promise<SandboxResult>((resolve) => {
    // Its own process group, so the unsandboxed fallback can kill what it started too.
    const child = spawn(interpreter.executable, launcher, {
      env: { PATH: "/usr/bin:/bin" },
      stdio: ["ignore", "pipe", "pipe", launch.seccomp ? "pipe" : "ignore", launch.programIn === "descriptor" ? "pipe" : "ignore", "pipe", "pipe"],
      detached: true,
    });
    const send = (fd: number, data: Buffer | string) => {
      const stream = (child.stdio as unknown as (Writable | null)[])[fd];
      stream?.on("error", () => {});
      stream?.end(data);
    };
    if (launch.seccomp) send(FD.seccomp, launch.seccomp);
    if (launch.programIn === "descriptor") send(FD.program, program);
    send(FD.nonce, nonce);
    let output = "";
    const collect = (chunk: Buffer) => {
      if (output.length < 8000) output += chunk.toString();
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    let proof = "";
    const proofStream = (child.stdio as unknown as Readable[])[FD.proof]!;
    proofStream.on("data", (chunk: Buffer) => {
      if (proof.length <= NONCE_LENGTH) proof += chunk.toString();
    });
    proofStream.on("error", () => {});
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
      const outOfMemory = cgroup?.oomKilled() ?? false;
      if (!failure && outOfMemory) failure = `(stopped: the call's memory bound of ${memoryMb} MiB was reached)`;
      const proven = proof === nonce;
      if (!failure && code === 0 && !proven && !timedOut) failure = "(exit code 0, but the program did not run to its end: not a pass)";
      settled = true;
      clearTimeout(timer);
      killTree(child);
      for (const stream of child.stdio) stream?.destroy();
      const text = failure ? `${output}\n${failure}` : output;
      const passed = code === 0 && proven && !timedOut && !outOfMemory;
      resolve({
        passed,
        outcome: timedOut ? "timeout" : passed ? "ok" : outOfMemory || /MemoryError/.test(text) ? "memory" : "failed",
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
