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

// The real llama-server tests wait for their first run against a built binary (issue 28): they run when named
// (`node scripts/test.mjs test/model/llama-server`), and a whole-suite run says that it left them out.
const pending = ["test/model/llama-server.test.ts"];
const filter = process.argv.slice(2);
const files = find(root)
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .filter((file) => filter.length > 0 || !pending.includes(file))
  .sort((a, b) => Number(a.startsWith("test/")) - Number(b.startsWith("test/")) || a.localeCompare(b));
if (filter.length === 0)
  for (const file of pending)
    console.log(`# not run: ${file} (not yet verified against a built llama-server; run it by name after node scripts/llama-server.mjs)`);
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", ...files], {
  cwd: root,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
