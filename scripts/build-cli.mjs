// Builds the command line (dist/cli/main.mjs) with its engine and GPU-probe children (engine.mjs, probe.mjs next
// to it), so `refinery` starts without a TypeScript loader. Packages stay external (node-llama-cpp loads native
// binaries from node_modules). bin/refinery.mjs calls cliIsStale() and rebuilds when a source is newer, so an edit
// never runs stale code; outputs are written to temporary names and renamed, so concurrent starts never see half a file.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const cliEntry = join(root, "dist/cli/main.mjs");
const entries = { main: "native/cli/main.ts", engine: "native/engine/child.ts", probe: "native/llm/probe-child.ts" };

function newestSource(dir, newest = 0) {
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name);
    if (name.isDirectory()) newest = newestSource(path, newest);
    else if (name.name.endsWith(".ts") && !name.name.endsWith(".test.ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** True when dist/cli is missing or older than a source under native/ (a checkout without sources is never stale). */
export function cliIsStale() {
  let built;
  try {
    built = Math.min(...Object.keys(entries).map((name) => statSync(join(root, "dist/cli", `${name}.mjs`)).mtimeMs));
  } catch {
    return true;
  }
  try {
    return newestSource(join(root, "native")) > built;
  } catch {
    return false;
  }
}

export async function buildCli() {
  const { build } = await import("esbuild");
  const result = await build({
    absWorkingDir: root,
    entryPoints: entries,
    outdir: "dist/cli",
    outExtension: { ".js": ".mjs" },
    bundle: true,
    packages: "external",
    platform: "node",
    target: "node20",
    format: "esm",
    // Commands load their modules when they run (native/cli/main.ts): shared code goes into chunks next to the
    // entries, so a chunk's import.meta.url still finds engine.mjs and the renderer from the same folder.
    splitting: true,
    chunkNames: "chunk-[hash]",
    sourcemap: "inline",
    logLevel: "warning",
    write: false,
  });
  mkdirSync(join(root, "dist/cli"), { recursive: true });
  // Chunks first: a command started meanwhile loads an entry only once everything it imports is in place.
  const isChunk = (file) => /[\\/]chunk-[^\\/]+$/.test(file.path);
  const ordered = [...result.outputFiles.filter(isChunk), ...result.outputFiles.filter((file) => !isChunk(file))];
  for (const file of ordered) {
    const tmp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, file.path);
  }
  // Chunks of earlier builds would pile up (and be packaged); one a command still running may load is kept a while.
  const current = new Set(result.outputFiles.map((file) => basename(file.path)));
  const dir = join(root, "dist/cli");
  for (const name of readdirSync(dir)) {
    if (!/^chunk-.*\.mjs$/.test(name) || current.has(name)) continue;
    const path = join(dir, name);
    if (Date.now() - statSync(path).mtimeMs > 10 * 60_000) rmSync(path, { force: true });
  }
}
