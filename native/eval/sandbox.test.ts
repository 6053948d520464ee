import { test } from "node:test";
import assert from "node:assert/strict";
import { extractCode, runPython, testProgram } from "./sandbox.ts";

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
