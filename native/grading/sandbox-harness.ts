// The two small Python programs around untrusted code. The launcher runs on the host just before the sandbox: it
// closes every file descriptor it was not handed on purpose (a pipe inherited from the shell that started
// Refinery would otherwise stay open inside), joins the call's control groups, and becomes bubblewrap. The harness
// runs inside: it sets the limits, runs the program as an untouched module of its own (so a leading
// `from __future__ import …` stays first), and — only when the module ran to its end — writes the call's nonce
// to the proof descriptor. A program that leaves early with exit code 0 (`os._exit(0)`, an atexit hook, a
// SystemExit) never reaches that line, and cannot forge it: the nonce is in no file, argument or environment
// variable, only in the harness's memory after it read and closed the descriptor that brought it.

/** Descriptors handed to the launched process: stdin, stdout, stderr, then these. */
export const FD = { seccomp: 3, program: 4, nonce: 5, proof: 6 } as const;
/** Hex characters in a nonce. */
export const NONCE_LENGTH = 32;

/** argv: the highest descriptor to keep, the control groups' cgroup.procs files, "--", the command to become. */
export const LAUNCHER = `
import os, sys
keep = int(sys.argv[1])
split = sys.argv.index("--")
for name in os.listdir("/proc/self/fd"):
    if int(name) > keep:
        try:
            os.close(int(name))
        except OSError:
            pass
try:
    for procs in sys.argv[2:split]:
        with open(procs, "w") as group:
            group.write(str(os.getpid()))
except OSError as error:
    sys.stderr.write("refinery: could not join the sandbox's control group: %s\\n" % error)
    os._exit(125)
os.execvp(sys.argv[split + 1], sys.argv[split + 1:])
`;

export interface HarnessLimits {
  /** Address space per process (RLIMIT_AS), or 0 where a control group bounds the call's memory instead. */
  memoryMb: number;
  /** Largest file the program may write (RLIMIT_FSIZE). */
  fileMb: number;
  cpuSeconds: number;
  /** RLIMIT_NPROC, or 0 where a control group bounds the call's processes instead. */
  processes: number;
  /** Become nobody before the program runs (Refinery runs as root and the sandbox has no user namespace). */
  dropToUid: number | null;
}

/** argv after the program's path, in the order the harness reads them. */
export const harnessArgs = (programPath: string, limits: HarnessLimits) => [
  programPath,
  String(limits.memoryMb),
  String(limits.fileMb),
  String(limits.cpuSeconds),
  String(limits.processes),
  String(limits.dropToUid ?? -1),
];

export const HARNESS = `
import os, sys
def refinery_harness():
    import resource, types
    path = sys.argv[1]
    memory_mb, file_mb, cpu_seconds, processes, uid = map(int, sys.argv[2:7])
    nonce = b""
    while len(nonce) < ${NONCE_LENGTH}:
        chunk = os.read(${FD.nonce}, ${NONCE_LENGTH} - len(nonce))
        if not chunk:
            break
        nonce += chunk
    os.close(${FD.nonce})
    for fd in (${FD.seccomp}, ${FD.program}):
        try:
            os.close(fd)
        except OSError:
            pass
    if memory_mb:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_mb << 20, file_mb << 20))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    if processes:
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    if uid >= 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    module = types.ModuleType("__main__")
    module.__file__ = path
    module.__builtins__ = __builtins__
    sys.modules["__main__"] = module
    sys.argv = [path]
    try:
        with open(path, "rb") as file:
            code = compile(file.read(), path, "exec", dont_inherit=True)
        exec(code, module.__dict__)
    except SystemExit:
        raise
    except BaseException as error:
        # The traceback starts in the program: the harness's own frame is not the candidate's business.
        error = error.with_traceback(error.__traceback__.tb_next)
        sys.excepthook(type(error), error, error.__traceback__)
        sys.exit(1)
    os.write(${FD.proof}, nonce)
refinery_harness()
`;
