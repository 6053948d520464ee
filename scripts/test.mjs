// Runs every *.test.ts with node's test runner (through tsx). Standalone tests first, then the
// model-dependent ones under test/model, one file at a time (they share the CPU with llama.cpp).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const skip = new Set(["node_modules", ".git", ".cache"]);
// Output folders are skipped only at the top: native/runs holds sources and tests.
const skipAtRoot = new Set(["dist", "scratch", "runs"]);

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name) || (dir === root && skipAtRoot.has(name))) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, out);
    else if (name.endsWith(".test.ts")) out.push(relative(root, path));
  }
  return out;
}

// The real llama-server tests run last, after the build of llama-server they need: CI starts that build in the
// background (.ci/run) so it compiles while the rest of the suite runs. `--wait` shows its progress until the binary
// lands, and fails with the command that builds it when there is neither a binary nor a build under way; the tests
// then fail with that command too, never skipped.
const needsLlamaServer = ["test/model/llama-server.test.ts"];
const filter = process.argv.slice(2);
const files = find(root)
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .sort((a, b) => Number(a.startsWith("test/")) - Number(b.startsWith("test/")) || a.localeCompare(b));
const first = files.filter((file) => !needsLlamaServer.includes(file));
const last = files.filter((file) => needsLlamaServer.includes(file));

function runTests(list) {
  if (list.length === 0) return 0;
  const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", ...list], { cwd: root, stdio: "inherit" });
  return result.status ?? 1;
}

let status = runTests(first);
if (last.length > 0) {
  console.log(`# ${last.join(", ")}: waiting for llama-server (scripts/llama-server.mjs --wait)`);
  spawnSync(process.execPath, [join(root, "scripts", "llama-server.mjs"), "--wait"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  status = runTests(last) || status;
}
process.exit(status);
