import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { extractCode, runPython, testProgram } from "./sandbox.ts";

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
