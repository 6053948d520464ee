// The command line's answers to input it cannot use: one line in the user's words and a non-zero exit, never a
// stack trace, and nothing started (no model loaded, no network call) before the refusal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { flagNumber, intOption, paramsFrom, portOption, threadsOption } from "./args.ts";
import { describeSystemError, main } from "./main.ts";
import { isLoopbackHost } from "./serve-openai-command.ts";

/** Runs the CLI in this process and keeps what it printed to stderr (stdout is the test runner's). */
async function cli(...argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const original = process.stderr.write;
  process.stderr.write = ((chunk: string) => {
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, stderr };
  } finally {
    process.stderr.write = original;
  }
}

/** The first line says why, in words; no internal error and no stack frames. */
function assertOneLine(result: { code: number; stderr: string }, message: RegExp): void {
  assert.notEqual(result.code, 0);
  const [first] = result.stderr.split("\n");
  assert.match(first!, message);
  assert.doesNotMatch(result.stderr, /internal error|\n\s+at /);
}

const scratch = mkdtempSync(join(tmpdir(), "cli-input-"));
const aFile = join(scratch, "notes.txt");
writeFileSync(aFile, "not a folder");

test("--threads is bounded by twice the logical cores, with the machine's count in the message", () => {
  const most = availableParallelism() * 2;
  assert.equal(threadsOption(String(most)), most);
  assert.throws(
    () => threadsOption(String(most + 1)),
    new RegExp(`--threads ${most + 1} is more than this machine can use: it has ${most / 2} logical cores, so at most ${most}`),
  );
  assert.throws(() => threadsOption("100000"), /more than this machine can use/);
  assert.throws(() => threadsOption("-2"), /--threads must be a whole number/);
});

test("numbers are decimal: 0x10, 0b1, Infinity and 1_000 are refused", () => {
  for (const typed of ["0x10", "0b1", "0o7", "Infinity", "1_000", ""]) {
    assert.ok(Number.isNaN(flagNumber(typed)), typed);
    assert.throws(() => intOption(typed, "limit"), /--limit must be a whole number/, typed);
  }
  assert.equal(flagNumber("16"), 16);
  assert.equal(flagNumber("0.5"), 0.5);
  assert.equal(flagNumber("1e3"), 1000);
  assert.equal(intOption("12", "limit"), 12);
});

test("--port takes 0 to 65535; --param refuses names that reach the prototype", () => {
  assert.throws(() => portOption("99999"), /--port must be a port number from 1 to 65535 \(or 0 for any free port\), got '99999'/);
  assert.equal(portOption("8080"), 8080);
  assert.equal(portOption("0"), 0);
  for (const name of ["__proto__", "constructor", "prototype"])
    assert.throws(() => paramsFrom([`${name}=1`]), new RegExp(`--param ${name}: no strategy has a parameter of that name`));
  assert.deepEqual(paramsFrom(["maxIterations=2"]), { maxIterations: "2" });
});

test("loopback is all of 127.0.0.0/8 and ::1: no exposure warning for them, one for anything else", () => {
  for (const host of ["127.0.0.1", "127.0.0.2", "127.255.255.254", "localhost", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.9"])
    assert.ok(isLoopbackHost(host), host);
  for (const host of ["0.0.0.0", "::", "192.168.1.4", "128.0.0.1", "10.127.0.1", "127.example.com", "1::1", "::ffff:10.0.0.1"])
    assert.ok(!isLoopbackHost(host), host);
});

test("--out that is a file, or inside one, is refused in one line before anything loads", async () => {
  const run = (out: string, ...more: string[]) => cli("run", "--strategy", "single-pass", "--actor", "missing.gguf", "--task", "hi", "--out", out, ...more);
  assertOneLine(await run("/dev/null"), /^refinery: --out \/dev\/null is a file, not a folder: give a folder \(it is created if missing\)$/);
  assertOneLine(await run(aFile), /is a file, not a folder/);
  assertOneLine(await run(join(aFile, "runs")), /notes\.txt is a file, so no folder can be made inside it/);
  const experiment = await cli("experiment", "--dataset", aFile, "--strategy", "single-pass", "--actor", "missing.gguf", "--out", "/dev/null");
  assertOneLine(experiment, /--out \/dev\/null is a file, not a folder/);
  const folder = join(scratch, "runs-here");
  mkdirSync(folder);
  assertOneLine(await run(folder), /missing\.gguf/);
});

test("--max-tokens 0x10 and --param __proto__=1 are refused by the run command", async () => {
  const run = (...more: string[]) => cli("run", "--strategy", "single-pass", "--actor", "missing.gguf", "--task", "hi", "--out", scratch, ...more);
  assertOneLine(await run("--max-tokens", "0x10"), /^refinery: --max-tokens: must be a number$/);
  assertOneLine(await run("--param", "__proto__=1"), /--param __proto__: no strategy has a parameter of that name/);
  assertOneLine(await run("--threads", "100000"), /--threads 100000 is more than this machine can use/);
});

test("serve --port 99999 and a port in use are one line each", async () => {
  assertOneLine(await cli("serve", "--port", "99999"), /^refinery: --port must be a port number from 1 to 65535/);
  assertOneLine(await cli("serve", "--openai", "--actor", "missing.gguf", "--port", "99999"), /^refinery: --port must be a port number/);
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  const { port } = holder.address() as { port: number };
  const second = createServer();
  const inUse = await new Promise<Error>((resolve) => {
    second.once("error", resolve);
    second.listen(port, "127.0.0.1");
  });
  holder.close();
  assert.equal(describeSystemError(inUse), `127.0.0.1 port ${port} is already in use by another program: stop it or choose another --port`);
  let notDir: unknown;
  try {
    mkdirSync(join("/dev/null", "run-1"));
  } catch (error) {
    notDir = error;
  }
  assert.equal(describeSystemError(notDir), "/dev/null/run-1: a part of it is a file, not a folder");
  assert.equal(describeSystemError(new Error("a bug")), null);
});

test("download refuses a scheme it does not take before any network call", async () => {
  const result = await cli("download", "ftp://example.com/model.gguf");
  assertOneLine(result, /^refinery: download takes hf:org\/repo\/file\.gguf or an http\(s\) URL; 'ftp:' addresses are not supported$/);
  assert.doesNotMatch(result.stderr, /connecting to/);
  assertOneLine(await cli("download", "file:///etc/passwd"), /'file:' addresses are not supported/);
});

test("--repeats and --frontier are refused in one line when they cannot be used, and a resumed experiment keeps its own", async () => {
  const out = join(scratch, "repeats-experiment");
  const start = (...more: string[]) => cli("experiment", "--dataset", aFile, "--strategy", "single-pass", "--actor", "missing.gguf", "--out", out, ...more);
  assertOneLine(await start("--repeats", "0"), /^refinery: --repeats: at least 1$/);
  assertOneLine(await start("--repeats", "two"), /^refinery: --repeats: must be a number$/);
  assertOneLine(await start("--repeats", "17"), /^refinery: --repeats: at most 16$/);
  assertOneLine(await start("--frontier", "1"), /^refinery: --frontier: at least 2$/);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "experiment.json"), JSON.stringify({ dataset: aFile, seed: 0, repeats: 2, columns: [] }));
  assertOneLine(await start("--repeats", "3"), /was started with --repeats 2; resume it without --repeats or use another folder/);
  assertOneLine(await start("--frontier", "8"), /was started without --frontier; resume it without --frontier or use another folder/);
});
