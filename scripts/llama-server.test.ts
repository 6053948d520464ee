// The llama-server build script's promises that need no compiler: only a finished binary counts (a tree a
// builder left halfway is never taken for one), a second builder waits for the first, and a machine without
// the toolchain hears which Debian packages to install. Each case runs in its own cache folder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const script = join(root, "scripts", "llama-server.mjs");
const bundle = join(root, "node_modules", "node-llama-cpp", "llama", "gitRelease.bundle");
const commit = execFileSync("git", ["bundle", "list-heads", bundle], { encoding: "utf8" }).slice(0, 40);

function runScript(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [script, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 60_000 });
}

test("--check names the build command until a finished binary is in place; a half-built tree does not count", () => {
  const cache = mkdtempSync(join(tmpdir(), "refinery-llama-build-"));
  const halfBuilt = join(cache, "llama-server", `${commit}.building`, "build", "bin");
  mkdirSync(halfBuilt, { recursive: true });
  writeFileSync(join(halfBuilt, "llama-server"), "");
  const missing = runScript(["--check"], { REFINERY_CACHE_DIR: cache });
  assert.equal(missing.status, 1);
  assert.equal(missing.stdout, "");
  assert.match(missing.stderr, new RegExp(`not built for llama.cpp ${commit.slice(0, 12)}.*build it with: node scripts/llama-server.mjs`));
  const finished = join(cache, "llama-server", commit, "llama-server");
  mkdirSync(dirname(finished), { recursive: true });
  writeFileSync(finished, "");
  const found = runScript(["--check"], { REFINERY_CACHE_DIR: cache });
  assert.equal(found.status, 0, found.stderr);
  assert.equal(found.stdout, `${finished}\n`, "--check prints only the path");
  const printed = runScript(["--print-path"], { REFINERY_CACHE_DIR: cache });
  assert.equal(printed.stdout, `${finished}\n`, "--print-path of a cached build prints only the path");
});

test("without cmake or a C++ compiler the build says in one line which Debian packages to install", () => {
  const cache = mkdtempSync(join(tmpdir(), "refinery-llama-build-"));
  // A PATH with git and a shell but no cmake and no c++.
  const bin = mkdtempSync(join(tmpdir(), "refinery-path-"));
  for (const tool of ["git", "sh"]) {
    const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    symlinkSync(found, join(bin, tool));
  }
  const result = runScript([], { REFINERY_CACHE_DIR: cache, PATH: bin });
  assert.equal(result.status, 1);
  const lines = result.stderr.trim().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /missing cmake, c\+\+: apt-get install cmake g\+\+ make$/);
});

test("a second builder waits for the one holding the lock and takes its binary when it lands", async () => {
  const cache = mkdtempSync(join(tmpdir(), "refinery-llama-build-"));
  const home = join(cache, "llama-server");
  mkdirSync(home, { recursive: true });
  // This test's own process holds the lock, as a running builder would.
  writeFileSync(join(home, `${commit}.lock`), String(process.pid));
  const waiter = spawn(process.execPath, [script, "--print-path"], { env: { ...process.env, REFINERY_CACHE_DIR: cache } });
  let stdout = "";
  let stderr = "";
  waiter.stdout.on("data", (chunk) => (stdout += chunk));
  waiter.stderr.on("data", (chunk) => (stderr += chunk));
  while (!stderr.includes("waiting for it")) await new Promise((resolve) => setTimeout(resolve, 50));
  const finished = join(home, commit, "llama-server");
  mkdirSync(dirname(finished), { recursive: true });
  writeFileSync(finished, "");
  chmodSync(finished, 0o755);
  const code = await new Promise<number | null>((resolve) => waiter.on("exit", resolve));
  assert.equal(code, 0, stderr);
  assert.equal(stdout, `${finished}\n`);
});

/**
 * A PATH whose git, cmake and c++ fake a slow llama.cpp build: git reads the real bundle but clones nothing, and
 * `cmake --build` prints ninja-style progress a second apart before leaving a binary (or failing, with fail set).
 */
function fakeToolchain(options: { fail?: boolean } = {}): string {
  const bin = mkdtempSync(join(tmpdir(), "refinery-fake-build-"));
  const realGit = spawnSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).stdout.trim();
  const script = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  script(
    "git",
    `case "$1" in
  clone) mkdir -p "$4" ;;
  -c) ;;
  -C) [ -d "$2" ] && echo ${commit} || exit 128 ;;
  *) exec ${realGit} "$@" ;;
esac`,
  );
  script("c++", "exit 0");
  script(
    "cmake",
    `[ "$1" = "--build" ] || exit 0
for step in 1 2 3; do echo "[$step/3] Building CXX object step$step.o"; sleep 1; ${options.fail ? 'echo "step$step.cpp: error: fake"; exit 1;' : ""} done
mkdir -p "$2/bin" && echo fake > "$2/bin/llama-server"`,
  );
  return bin;
}

/** Starts a fake build in its own cache folder and resolves once it holds the lock, as CI's background build does. */
async function backgroundBuild(options: { fail?: boolean } = {}) {
  const cache = mkdtempSync(join(tmpdir(), "refinery-llama-build-"));
  // The fakes come first; the shell's own tools (mkdir, sleep) are the system's.
  const env = { ...process.env, REFINERY_CACHE_DIR: cache, PATH: `${fakeToolchain(options)}:${process.env.PATH}` };
  const build = spawn(process.execPath, [script], { env, stdio: "ignore" });
  const exited = new Promise<number | null>((resolve) => build.on("exit", resolve));
  const lock = join(cache, "llama-server", `${commit}.lock`);
  while (!existsSync(lock)) await new Promise((resolve) => setTimeout(resolve, 20));
  return { cache, exited, binary: join(cache, "llama-server", commit, "llama-server") };
}

function waitFor(cache: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const waiter = spawn(process.execPath, [script, "--wait"], { env: { ...process.env, REFINERY_CACHE_DIR: cache } });
  let stdout = "";
  let stderr = "";
  waiter.stdout.on("data", (chunk) => (stdout += chunk));
  waiter.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => waiter.on("exit", (code) => resolve({ code, stdout, stderr })));
}

test("--wait shows the progress of a build under way and prints its binary once it lands", async () => {
  const build = await backgroundBuild();
  const waited = await waitFor(build.cache);
  assert.equal(waited.code, 0, waited.stderr);
  assert.equal(waited.stdout, `${build.binary}\n`, "stdout holds only the path");
  assert.match(waited.stderr, /waiting \d+ s for the build under way \(pid \d+\): .*Building CXX object step\d\.o/);
  assert.equal(await build.exited, 0);
  assert.ok(!existsSync(join(build.cache, "llama-server", `${commit}.lock`)), "the builder freed its lock");
});

test("--wait on a build that fails fails too, with the build command and the build's last words", async () => {
  const build = await backgroundBuild({ fail: true });
  const waited = await waitFor(build.cache);
  assert.equal(await build.exited, 1);
  assert.equal(waited.code, 1);
  assert.equal(waited.stdout, "");
  assert.match(
    waited.stderr,
    /build it with: node scripts\/llama-server\.mjs \(the build that was under way said last: build failed after \d+ s: cmake --build .*step1\.cpp: error: fake/s,
  );
  // With no build under way and none finished, it does not wait at all.
  const idle = runScript(["--wait"], { REFINERY_CACHE_DIR: mkdtempSync(join(tmpdir(), "refinery-llama-build-")) });
  assert.equal(idle.status, 1);
  assert.match(idle.stderr, /^llama-server: not built for llama\.cpp [0-9a-f]{12} .*build it with: node scripts\/llama-server\.mjs\n$/);
});
