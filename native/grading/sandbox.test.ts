import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { extractCode, runPython, sandboxLimitations, testProgram } from "./sandbox.ts";
import { resetCgroupProbe, unavailableReason } from "./sandbox-cgroup.ts";

/** Host processes whose command line contains the marker (a sandboxed process that got away would show up here). */
function hostProcessesWith(marker: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker)) found.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const py = (value: string) => JSON.stringify(value);

test("passing and failing tests, with the failing assertion reported", async () => {
  const tests = { language: "python" as const, code: "def check(f):\n    assert f(2) == 4\n    assert f(3) == 9, 'f(3) should be 9'", entryPoint: "square" };
  const good = await runPython(testProgram("def square(x):\n    return x * x", tests));
  assert.equal(good.passed, true, good.output);
  const bad = await runPython(testProgram("def square(x):\n    return x + x", tests));
  assert.equal(bad.passed, false);
  assert.equal(bad.outcome, "failed");
  assert.match(bad.output, /AssertionError: f\(3\) should be 9/);
});

test("time, memory and network are limited; the working directory is fresh", async () => {
  const slow = await runPython("while True: pass", { timeoutMs: 500 });
  assert.equal(slow.outcome, "timeout");
  const hungry = await runPython("x = bytearray(2 * 1024 * 1024 * 1024)", { memoryMb: 256 });
  assert.equal(hungry.passed, false);
  assert.equal(hungry.outcome, "memory");
  const net = await runPython("import socket\nsocket.create_connection(('127.0.0.1', 9), timeout=1)");
  assert.equal(net.passed, false);
  assert.match(net.output, /OSError|ConnectionRefused|Network is unreachable|disabled/);
  const cwd = await runPython("import os\nassert os.listdir('.') == ['program.py'], os.listdir('.')");
  assert.equal(cwd.passed, true, cwd.output);
});

test("escapes are contained: host files, home, Unix sockets, host processes, fork counts", async () => {
  const host = mkdtempSync(join(tmpdir(), "refinery-host-"));
  chmodSync(host, 0o777);
  const secret = join(host, "secret.txt");
  writeFileSync(secret, "host secret", { mode: 0o644 });
  const socketPath = join(host, "agent.sock");
  let connections = 0;
  const agent = createServer((socket) => {
    connections++;
    socket.end("hello");
  });
  await new Promise<void>((resolve) => agent.listen(socketPath, resolve));
  chmodSync(socketPath, 0o777);
  const victim = spawn("sleep", ["30"], { stdio: "ignore" });
  try {
    const insideOnly = `/tmp/refinery-inside-only-${process.pid}-${Date.now()}`;
    const write = await runPython(
      `import os\nfor path in [${py(join(host, "written.txt"))}, '/usr/written.txt', '/etc/written.txt']:\n    try:\n        open(path, 'w').write('x')\n    except OSError as error:\n        print('refused', path, type(error).__name__)\nopen(${py(insideOnly)}, 'w').write('fine')`,
    );
    assert.equal(write.passed, true, write.output);
    assert.deepEqual(readdirSync(host).sort(), ["agent.sock", "secret.txt"], "nothing was written into the host folder");
    assert.equal(existsSync(insideOnly), false, "the sandbox's /tmp is its own");

    for (const path of ["/etc/shadow", secret, "/etc/passwd"]) {
      const read = await runPython(`print(open(${py(path)}).read())`);
      assert.equal(read.passed, false, `${path} was readable: ${read.output}`);
      assert.match(read.output, /FileNotFoundError|PermissionError/);
    }

    // Only the folders leading to the interpreter (bound read-only) may appear in the home directory.
    const home = await runPython(
      `import os\ntry:\n    print(sorted(os.listdir(${py(homedir())})))\nexcept OSError as error:\n    print('[]', type(error).__name__)`,
    );
    const listed = home.output.trim().split("\n")[0]!;
    const pythonHome = spawnSync(process.env.REFINERY_PYTHON ?? "python3", ["-c", "import sys; print(sys.base_prefix)"], { encoding: "utf8" }).stdout.trim();
    const hostHome = readdirSync(homedir()).filter((name) => !pythonHome.startsWith(join(homedir(), name)));
    assert.ok(hostHome.length > 0, "the home directory has something to hide");
    for (const name of hostHome) assert.ok(!listed.includes(`'${name}'`), `home entry ${name} visible: ${listed}`);

    const socket = await runPython(`import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect(${py(socketPath)})\nprint(s.recv(10))`);
    assert.equal(socket.passed, false, socket.output);
    assert.equal(connections, 0, "the host's Unix socket was reached");

    const signal = await runPython(`import os, signal\nos.kill(${victim.pid}, signal.SIGKILL)`);
    assert.equal(signal.passed, false, signal.output);
    assert.match(signal.output, /ProcessLookupError|PermissionError/);
    assert.equal(victim.exitCode, null);
    assert.equal(victim.signalCode, null, "the host process was signalled");

    // A bounded fork bomb: RLIMIT_NPROC stops it long before the 200 forks it tries.
    const forks = await runPython(
      `import os, time\nmade = 0\nfor _ in range(200):\n    try:\n        pid = os.fork()\n    except OSError:\n        break\n    if pid == 0:\n        time.sleep(5)\n        os._exit(0)\n    made += 1\nprint('forked', made)`,
      { maxProcesses: 16, timeoutMs: 8000 },
    );
    assert.equal(forks.passed, true, forks.output);
    const made = Number(/forked (\d+)/.exec(forks.output)?.[1]);
    assert.ok(made < 16, `forked ${made} processes under a limit of 16`);
    assert.ok(forks.wallMs < 4000, `the call returned when the program did (${forks.wallMs} ms), not when its children would have`);
  } finally {
    victim.kill();
    agent.close();
    rmSync(host, { recursive: true, force: true });
  }
});

test("the deadline bounds wall time and nothing outlives the call", async () => {
  const grandchild = await runPython("import subprocess\nsubprocess.Popen(['sleep', '40.0417'], start_new_session=True)\nprint('started')", {
    timeoutMs: 2000,
  });
  assert.equal(grandchild.passed, true, grandchild.output);
  assert.ok(grandchild.wallMs < 2000, `a setsid grandchild held the call for ${grandchild.wallMs} ms`);
  assert.deepEqual(hostProcessesWith("40.0417"), [], "the setsid grandchild still runs");

  const sleeper = await runPython("import time\ntime.sleep(60)", { timeoutMs: 1000 });
  assert.equal(sleeper.outcome, "timeout");
  assert.ok(sleeper.wallMs < 2500, `returned after ${sleeper.wallMs} ms with a 1000 ms deadline`);

  // A daemon (double fork, setsid) that writes a file a second after its parent has gone.
  const daemon = await runPython(
    `import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        os.execv('/bin/sh', ['sh', '-c', 'sleep 1.0391; echo late > /sandbox/late.txt'])\n    os._exit(0)\nos.wait()\nprint('parent done')`,
    { timeoutMs: 3000 },
  );
  assert.equal(daemon.passed, true, daemon.output);
  assert.deepEqual(hostProcessesWith("1.0391"), [], "the daemon outlived the sandbox");

  // The same with a program that never exits on its own: killed at the deadline with everything it started.
  const stuck = await runPython("import subprocess, time\nsubprocess.Popen(['sleep', '40.0833'], start_new_session=True)\ntime.sleep(60)", { timeoutMs: 1000 });
  assert.equal(stuck.outcome, "timeout");
  assert.ok(stuck.wallMs < 2500, `returned after ${stuck.wallMs} ms`);
  assert.deepEqual(hostProcessesWith("40.0833"), []);

  const cpu = await runPython("while True: pass", { timeoutMs: 20_000, cpuSeconds: 1 });
  assert.equal(cpu.outcome, "failed", cpu.output);
  assert.match(cpu.output, /CPU time limit reached/);
});

const squareTests = { language: "python" as const, code: "def check(f):\n    assert f(2) == 4\n    assert f(3) == 9", entryPoint: "square" };
const wrongSquare = "def square(x):\n    return x + x\n";

test("a pass needs the program to run to its end: exit-code cheats fail, a forged proof fails", async () => {
  const cheats = {
    "os._exit(0) before the checks": `import os\n${wrongSquare}os._exit(0)\n`,
    "an atexit hook that exits 0 after a failing assert": `import atexit, os\natexit.register(lambda: os._exit(0))\n${wrongSquare}`,
    "sys.exit(0) before the checks": `import sys\n${wrongSquare}sys.exit(0)\n`,
    "a guessed proof written to every descriptor": `import os\n${wrongSquare}for fd in range(3, 64):\n    try:\n        os.write(fd, b'0' * 32)\n    except OSError:\n        pass\nos._exit(0)\n`,
    "reading the nonce's descriptor": `import os\n${wrongSquare}nonce = os.read(5, 64)\nos.write(6, nonce)\nos._exit(0)\n`,
  };
  for (const [cheat, code] of Object.entries(cheats)) {
    const result = await runPython(testProgram(code, squareTests));
    assert.equal(result.passed, false, `${cheat} passed: ${result.output}`);
    assert.equal(result.outcome, "failed", cheat);
  }
  const exitZero = await runPython(`import os\n${wrongSquare}os._exit(0)\n`);
  assert.match(exitZero.output, /exit code 0, but the program did not run to its end/);
  const honest = await runPython(testProgram("def square(x):\n    return x * x\n", squareTests));
  assert.equal(honest.passed, true, honest.output);
});

test("a solution starting with `from __future__ import annotations` runs as written", async () => {
  const code = "from __future__ import annotations\n\n\ndef square(x: Number) -> Number:\n    return x * x\n";
  const result = await runPython(testProgram(code, squareTests));
  assert.equal(result.passed, true, result.output);
  const failing = await runPython("from __future__ import annotations\nassert False, 'checked'\n");
  assert.match(failing.output, /File "\/sandbox\/program\.py", line 2, in <module>/, "the traceback starts in the program, at its own line numbers");
});

test("no new user namespaces inside the sandbox", async () => {
  const attempt = await runPython(
    [
      "import ctypes, os, subprocess",
      "tried = subprocess.run(['unshare', '-Urm', 'sh', '-c', 'mount -t tmpfs none /tmp && echo mounted'], capture_output=True, text=True)",
      "print('unshare exit', tried.returncode, tried.stdout.strip(), tried.stderr.strip())",
      "libc = ctypes.CDLL(None, use_errno=True)",
      "print('unshare(CLONE_NEWUSER)', libc.unshare(0x10000000), os.strerror(ctypes.get_errno()))",
    ].join("\n"),
  );
  assert.equal(attempt.passed, true, attempt.output);
  assert.doesNotMatch(attempt.output, /mounted/);
  assert.match(attempt.output, /unshare exit [1-9]/);
  assert.match(attempt.output, /unshare\(CLONE_NEWUSER\) -1 Operation not permitted/);
  assert.match(attempt.isolation, /no new user namespaces/);
});

/** Call groups of this process still present under /sys/fs/cgroup (a few levels down, where they are made). */
function callGroupsLeft(): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name);
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith(`refinery-call-${process.pid}-`)) found.push(join(dir, name));
      else if (depth < 3) walk(join(dir, name), depth + 1);
    }
  };
  walk("/sys/fs/cgroup", 0);
  return found;
}

test("memory is bounded for the whole call, not per process", async () => {
  // Four processes of 200 MiB each, every one under the 256 MiB address-space limit, together far over it.
  const program = [
    "import os, time",
    "children = []",
    "for _ in range(4):",
    "    pid = os.fork()",
    "    if pid == 0:",
    "        held = b'\\x01' * (200 * 1024 * 1024)",
    "        time.sleep(1)",
    "        os._exit(0)",
    "    children.append(pid)",
    "statuses = [os.waitpid(pid, 0)[1] for pid in children]",
    "assert statuses == [0, 0, 0, 0], statuses",
  ].join("\n");
  const result = await runPython(program, { memoryMb: 256, timeoutMs: 20_000 });
  if (unavailableReason()) {
    assert.match(result.isolation, /memory and processes bounded per process only, not per call/);
    return;
  }
  assert.equal(result.passed, false, result.output);
  assert.equal(result.outcome, "memory", result.output);
  assert.match(result.output, /the call's memory bound of 256 MiB was reached/);
  assert.match(result.isolation, /whole call: 256 MiB, 32 processes \(cgroup v[12]\)/);
  assert.deepEqual(callGroupsLeft(), [], "the call's control group is removed");
  // Address space is not memory: threads reserve stacks and arenas they never touch.
  const threads = await runPython(
    "import threading, time\nthreads = [threading.Thread(target=time.sleep, args=(0.5,)) for _ in range(24)]\nfor t in threads:\n    t.start()\nfor t in threads:\n    t.join()",
    { memoryMb: 256 },
  );
  assert.equal(threads.passed, true, threads.output);
});

test("one sandbox's fork bomb does not fail its neighbour", async () => {
  // Bounded twice: by the call's process bound under test, and by its own 200 tries; killed at its deadline.
  const bomb = [
    "import os, time",
    "made = 0",
    "for _ in range(200):",
    "    try:",
    "        pid = os.fork()",
    "    except OSError:",
    "        break",
    "    if pid == 0:",
    "        os.execv('/bin/sleep', ['sleep', '30.0577'])",
    "    made += 1",
    "print('bomb holds', made, flush=True)",
    "time.sleep(30)",
  ].join("\n");
  const neighbour = [
    "import subprocess, time",
    "ran = 0",
    "end = time.monotonic() + 4",
    "while time.monotonic() < end:",
    "    subprocess.run(['true'], check=True)",
    "    ran += 1",
    "    time.sleep(0.05)",
    "print('ran', ran)",
  ].join("\n");
  const bombing = runPython(bomb, { timeoutMs: 6000 });
  const benign = await runPython(neighbour, { timeoutMs: 15_000 });
  const bombed = await bombing;
  assert.equal(bombed.outcome, "timeout", bombed.output);
  const held = Number(/bomb holds (\d+)/.exec(bombed.output)?.[1]);
  assert.ok(held < 32, `the bomb held ${held} processes under a bound of 32`);
  assert.deepEqual(hostProcessesWith("30.0577"), [], "the bomb's processes were killed at its deadline");
  if (unavailableReason()) {
    assert.match(benign.isolation, /not per call/, "a machine without the per-call bound says so");
    return;
  }
  assert.equal(benign.passed, true, `the neighbour failed beside the bomb: ${benign.output}`);
});

test("inherited descriptors are closed before the sandbox starts", async () => {
  // A parent (the shell that started Refinery) hands down a writable pipe as a high descriptor: node marks only
  // the first few inherited descriptors close-on-exec, so descriptor 100 reaches every process it starts.
  const script = join(mkdtempSync(join(tmpdir(), "refinery-fds-")), "leak.mts");
  writeFileSync(
    script,
    `import { runPython } from ${py(join(import.meta.dirname, "sandbox.ts"))};\nconst result = await runPython("import os\\nprint(sorted(int(fd) for fd in os.listdir('/proc/self/fd')))\\ntry:\\n    os.write(100, b'leaked')\\n    print('wrote to 100')\\nexcept OSError as error:\\n    print('100 closed', error.errno)");\nconsole.log(JSON.stringify(result));\n`,
  );
  const handDown = "import os, sys\nos.dup2(3, 100)\nos.close(3)\nos.execv(sys.argv[1], sys.argv[1:])";
  const child = spawn(process.env.REFINERY_PYTHON ?? "python3", ["-c", handDown, process.execPath, "--import", "tsx", script], {
    stdio: ["ignore", "pipe", "pipe", "pipe"],
  });
  let leaked = "";
  (child.stdio as unknown as NodeJS.ReadableStream[])[3]!.on("data", (chunk: Buffer) => {
    leaked += chunk.toString();
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise((resolve) => child.on("close", resolve));
  rmSync(join(script, ".."), { recursive: true, force: true });
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout.trim().split("\n").at(-1)!);
  assert.match(result.output, /100 closed 9/, result.output);
  assert.equal(leaked, "", "nothing reached the inherited pipe");
  const open = JSON.parse(/\[[\d, ]*\]/.exec(result.output)![0]) as number[];
  assert.ok(
    open.every((fd) => fd <= 6),
    `descriptors open inside: ${open}`,
  );
});

test("disk use is bounded per call and nothing is left on the host", async () => {
  const before = readdirSync(tmpdir()).filter((name) => name.startsWith("refinery-sandbox-"));
  // 768 MiB in 8 MiB files, each under the 16 MiB file-size limit: only the folder's bound can stop it.
  const writer = await runPython(
    "chunk = b'x' * (8 * 1024 * 1024)\nfor i in range(96):\n    with open(f'fill-{i}.bin', 'wb') as out:\n        out.write(chunk)\nprint('wrote 768 MiB')",
    { timeoutMs: 20_000 },
  );
  assert.equal(writer.passed, false, writer.output);
  assert.equal(writer.outcome, "failed", writer.output);
  assert.match(writer.output, /No space left on device/);
  assert.doesNotMatch(writer.output, /wrote 768 MiB/);
  const tmpWriter = await runPython("chunk = b'x' * (8 * 1024 * 1024)\nfor i in range(96):\n    open(f'/tmp/fill-{i}.bin', 'wb').write(chunk)", {
    timeoutMs: 20_000,
  });
  assert.match(tmpWriter.output, /No space left on device/);
  const after = readdirSync(tmpdir()).filter((name) => name.startsWith("refinery-sandbox-") && !before.includes(name));
  assert.deepEqual(after, [], "no task folder is left behind");
  assert.deepEqual(callGroupsLeft(), []);
});

test("without a per-call control group the missing bound is stated and the process limit still holds", async () => {
  const saved = process.env.REFINERY_SANDBOX_CGROUP;
  process.env.REFINERY_SANDBOX_CGROUP = "/no/such/cgroup";
  resetCgroupProbe();
  try {
    const result = await runPython("print('hello')");
    assert.equal(result.passed, true, result.output);
    assert.match(
      result.isolation,
      /memory and processes bounded per process only, not per call \(REFINERY_SANDBOX_CGROUP: cgroup v2 at \/no\/such\/cgroup does not offer/,
    );
    assert.ok(sandboxLimitations().some((line) => line.includes("not per call")));
    const forks = await runPython(
      "import os, time\nmade = 0\nfor _ in range(40):\n    try:\n        pid = os.fork()\n    except OSError:\n        break\n    if pid == 0:\n        time.sleep(3)\n        os._exit(0)\n    made += 1\nprint('forked', made)",
      { maxProcesses: 8, timeoutMs: 6000 },
    );
    assert.ok(Number(/forked (\d+)/.exec(forks.output)?.[1]) < 8, forks.output);
  } finally {
    if (saved === undefined) delete process.env.REFINERY_SANDBOX_CGROUP;
    else process.env.REFINERY_SANDBOX_CGROUP = saved;
    resetCgroupProbe();
  }
});

test("without bubblewrap untrusted code is refused unless the user opts in", async () => {
  const saved = { bwrap: process.env.REFINERY_BWRAP, optIn: process.env.REFINERY_UNSANDBOXED_CODE };
  process.env.REFINERY_BWRAP = "/no/bwrap";
  delete process.env.REFINERY_UNSANDBOXED_CODE;
  try {
    await assert.rejects(runPython("print(1)"), /refusing to run untrusted code: bubblewrap \('\/no\/bwrap'\) is not installed.*REFINERY_UNSANDBOXED_CODE=1/);
    const optedIn = await runPython("print(1)", { allowUnsandboxed: true });
    assert.equal(optedIn.passed, true, optedIn.output);
    assert.match(optedIn.isolation, /^none: bubblewrap .* not installed .*; ran unsandboxed/);
  } finally {
    for (const [name, value] of [
      ["REFINERY_BWRAP", saved.bwrap],
      ["REFINERY_UNSANDBOXED_CODE", saved.optIn],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});

test("a missing python3 is a clear error, not a crash", async () => {
  const previous = process.env.REFINERY_PYTHON;
  process.env.REFINERY_PYTHON = "/no/python3";
  try {
    await assert.rejects(runPython("pass"), /python3 was not found \(tried '\/no\/python3'\)/);
  } finally {
    if (previous === undefined) delete process.env.REFINERY_PYTHON;
    else process.env.REFINERY_PYTHON = previous;
  }
});

test("code is taken from the last fenced block", () => {
  assert.equal(extractCode("Here:\n```python\ndef f():\n    return 1\n```\nand\n```python\ndef f():\n    return 2\n```"), "def f():\n    return 2");
  assert.equal(extractCode("def f(): pass"), "def f(): pass");
});
