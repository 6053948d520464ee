// Builds llama.cpp's llama-server from the exact llama.cpp commit node-llama-cpp binds (the git bundle it
// ships), once per commit, into Refinery's cache folder, and prints the binary's path.
//
//   node scripts/llama-server.mjs                 build if not cached, with progress; prints the path last
//   node scripts/llama-server.mjs --print-path    the same, but stdout holds only the path (progress on stderr)
//   node scripts/llama-server.mjs --check         never builds: prints the path, or exits 1 saying how to build
//   node scripts/llama-server.mjs --wait          never builds: waits for a build under way (CI starts one in the
//                                                 background), showing its progress, then prints the path as --check
//   --jobs N (or REFINERY_BUILD_JOBS)             compile jobs; default: the number of CPUs
//
// The binary is linked statically (no RPATH into a build tree) and moved into place by one rename, so a
// build that died halfway is never taken for a build: only `<cache>/llama-server/<commit>/llama-server` counts.
// The tree of a build that died is resumed by the next run rather than compiled again from the start.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { cpus, homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = join(root, "node_modules", "node-llama-cpp", "llama", "gitRelease.bundle");
const args = process.argv.slice(2);
const printPathOnly = args.includes("--print-path");
const checkOnly = args.includes("--check");
const waitOnly = args.includes("--wait");
const jobsArg = args.indexOf("--jobs");
const jobs = Number(jobsArg >= 0 ? args[jobsArg + 1] : (process.env.REFINERY_BUILD_JOBS ?? cpus().length)) || 1;
const quiet = printPathOnly || checkOnly || waitOnly;
// The builder also leaves its latest line in <commit>.progress, where a waiter in another process reads it.
let progressFile = null;
const say = (line) => {
  (quiet ? process.stderr : process.stdout).write(`llama-server: ${line}\n`);
  if (progressFile) writeFileSync(progressFile, `${line}\n`);
};

function fail(message) {
  process.stderr.write(`llama-server: ${message}\n`);
  if (progressFile) writeFileSync(progressFile, `${message}\n`);
  process.exit(1);
}

function has(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

function bundleCommit() {
  if (!existsSync(bundle)) fail(`node-llama-cpp's llama.cpp bundle is missing (${bundle}); run npm ci first`);
  if (!has("git")) fail("git is needed to read node-llama-cpp's llama.cpp bundle: apt-get install git");
  const heads = execFileSync("git", ["bundle", "list-heads", bundle], { encoding: "utf8" });
  const commit = heads
    .split("\n")
    .find((line) => /^[0-9a-f]{40} /.test(line))
    ?.slice(0, 40);
  if (!commit) fail(`no commit found in ${bundle}`);
  return commit;
}

const cacheDir = process.env.REFINERY_CACHE_DIR ?? join(homedir(), ".cache", "refinery");
const commit = bundleCommit();
const home = join(cacheDir, "llama-server");
const finalDir = join(home, commit);
const binary = join(finalDir, "llama-server");
const buildCommand = "node scripts/llama-server.mjs";

function done() {
  if (quiet) process.stdout.write(`${binary}\n`);
  else say(`ready: ${binary}`);
  process.exit(0);
}

const lock = join(home, `${commit}.lock`);
const progress = join(home, `${commit}.progress`);
const notBuilt = `not built for llama.cpp ${commit.slice(0, 12)} (expected ${binary}); build it with: ${buildCommand}`;

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid of a live builder holding the lock, or 0. */
function builder() {
  try {
    const pid = Number(readFileSync(lock, "utf8")) || 0;
    return pid && alive(pid) ? pid : 0;
  } catch {
    return 0;
  }
}

function lastWords() {
  try {
    return readFileSync(progress, "utf8").trim();
  } catch {
    return "";
  }
}

/** Waits for the build another process is running, saying what it is doing; the binary or a failure with the way out. */
async function waitForBuild() {
  const started = Date.now();
  let shown = "";
  let shownAt = 0;
  for (;;) {
    if (existsSync(binary)) done();
    const pid = builder();
    if (!pid) {
      // The binary lands before the lock goes: a builder gone without it failed or was killed.
      if (existsSync(binary)) done();
      const words = lastWords();
      fail(`${notBuilt}${words ? ` (the build that was under way said last: ${words})` : ""}`);
    }
    const words = lastWords() || "starting";
    if (words !== shown || Date.now() - shownAt > 60_000) {
      say(`waiting ${Math.round((Date.now() - started) / 1000)} s for the build under way (pid ${pid}): ${words}`);
      shown = words;
      shownAt = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

if (existsSync(binary)) done();
if (waitOnly) await waitForBuild();
if (checkOnly) {
  const pid = builder();
  fail(pid ? `${notBuilt}; a build is under way (pid ${pid}): wait for it with node scripts/llama-server.mjs --wait` : notBuilt);
}

const missing = [
  ["cmake", "cmake"],
  ["c++", "g++"],
  ["git", "git"],
].filter(([command]) => !has(command));
if (missing.length > 0) {
  fail(`missing ${missing.map(([c]) => c).join(", ")}: apt-get install ${[...missing.map(([, p]) => p), "make"].join(" ")}`);
}

// One builder per commit: a second caller waits for the first instead of compiling beside it.
let holdingLock = false;
async function takeLock() {
  mkdirSync(home, { recursive: true });
  let waited = false;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      holdingLock = true;
      progressFile = progress;
      return;
    } catch {
      const holder = Number(readFileSync(lock, "utf8")) || 0;
      if (holder && !alive(holder)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (!waited) say(`another build (pid ${holder}) is under way; waiting for it`);
      waited = true;
      await new Promise((resolve) => setTimeout(resolve, 5000));
      if (existsSync(binary)) done();
    }
  }
}

let current = null;
// Interrupted, the compiler goes too (ninja stops its jobs on SIGTERM) and the lock is freed; the tree stays.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    // The child leads its own process group: cmake --build does not pass a signal on to ninja and the compilers.
    if (current?.pid) process.kill(-current.pid, "SIGTERM");
    if (progressFile) writeFileSync(progressFile, `interrupted by ${signal}; the next run resumes the tree\n`);
    if (holdingLock) rmSync(lock, { force: true });
    process.exit(130);
  });
}

function run(command, argv, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
    current = child;
    let tail = "";
    let lastShown = 0;
    const onData = (chunk) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-8000);
      for (const line of text.split("\n")) {
        // ninja and make print "[ 12/340]" or "[ 40%]": show one such line every few seconds.
        const progress = /^\[\s*\d+(\/\d+|%)\]/.exec(line);
        if (progress && Date.now() - lastShown > 10_000) {
          lastShown = Date.now();
          say(line.trim().slice(0, 160));
        }
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${argv.join(" ")} exited with ${code}:\n${tail}`))));
  });
}

/**
 * The build tree, resumable: only the lock holder touches it, so one found on taking the lock was left by a
 * builder that died (a killed CI job, a closed terminal) and ninja carries on where it stopped.
 */
function adoptWorkTree() {
  const work = join(home, `${commit}.building`);
  for (const name of readdirSync(home)) {
    const path = join(home, name);
    if (!name.startsWith(`${commit}.building`) || path === work) continue;
    if (!existsSync(work)) renameSync(path, work);
    else rmSync(path, { recursive: true, force: true });
  }
  return work;
}

function checkedOut(src) {
  const head = spawnSync("git", ["-C", src, "rev-parse", "HEAD"], { encoding: "utf8" });
  return head.status === 0 && head.stdout.trim() === commit;
}

async function build() {
  await takeLock();
  if (existsSync(binary)) {
    rmSync(lock, { force: true });
    done();
  }
  const work = adoptWorkTree();
  const src = join(work, "src");
  const tree = join(work, "build");
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
  let failure;
  try {
    if (!checkedOut(src)) {
      rmSync(work, { recursive: true, force: true });
      say(`cloning llama.cpp ${commit.slice(0, 12)} from node-llama-cpp's bundle`);
      await run("git", ["clone", "--quiet", bundle, src], home);
      await run("git", ["-c", "advice.detachedHead=false", "checkout", "--quiet", commit], src);
    } else {
      say("resuming the build a previous run left");
    }
    const generator = has("ninja") ? ["-G", "Ninja"] : [];
    say(`configuring (cmake${generator.length ? ", ninja" : ""})`);
    const configure = [
      "-S",
      src,
      "-B",
      tree,
      ...generator,
      "-DCMAKE_BUILD_TYPE=Release",
      // Native code paths die with "Illegal instruction" on some hosts; the portable build picks them at run time.
      "-DGGML_NATIVE=OFF",
      "-DLLAMA_CURL=OFF",
      "-DLLAMA_BUILD_TESTS=OFF",
      "-DLLAMA_BUILD_EXAMPLES=OFF",
      "-DLLAMA_BUILD_TOOLS=ON",
      "-DLLAMA_BUILD_SERVER=ON",
      // Static, so the binary does not point into the build tree that is deleted below.
      "-DBUILD_SHARED_LIBS=OFF",
    ];
    await run("cmake", configure, work).catch(async () => {
      // A tree configured another way (another generator) is started afresh rather than patched.
      rmSync(tree, { recursive: true, force: true });
      await run("cmake", configure, work);
    });
    say(`building llama-server with ${jobs} job(s); about 30 minutes on two busy cores`);
    await run("cmake", ["--build", tree, "--target", "llama-server", "--parallel", String(jobs)], work);
    const built = join(tree, "bin", "llama-server");
    if (!existsSync(built)) throw new Error(`the build finished but ${built} is missing`);
    const staged = join(work, "out");
    rmSync(staged, { recursive: true, force: true });
    mkdirSync(staged);
    copyFileSync(built, join(staged, "llama-server"));
    writeFileSync(join(staged, "commit"), `${commit}\n`);
    renameSync(staged, finalDir);
    rmSync(work, { recursive: true, force: true });
    progressFile = null;
    rmSync(progress, { force: true });
    say(`built in ${elapsed()}`);
  } catch (error) {
    // The tree stays for the next run to resume; only the finished binary is ever taken for a build.
    failure = `build failed after ${elapsed()}: ${error.message}`;
  } finally {
    rmSync(lock, { force: true });
  }
  if (failure) fail(failure);
  done();
}

await build();
