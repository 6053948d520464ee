// Builds what the app runs: the renderer (vite → dist/renderer) and the Electron entry points (esbuild →
// dist/electron: main, sandboxed CommonJS preload, and the engine process) and the command line (dist/cli). node-llama-cpp stays external:
// its native binaries are loaded from node_modules (unpacked from the asar in packaged builds).
import { build as esbuild } from "esbuild";
import { build as viteBuild } from "vite";
import { buildCli } from "./build-cli.mjs";

const only = process.argv[2];
if (!only || only === "renderer") await viteBuild({ configFile: new URL("../vite.config.ts", import.meta.url).pathname, logLevel: "warn" });
if (!only || only === "electron") {
  const common = { bundle: true, platform: "node", target: "node20", sourcemap: true, logLevel: "warning", external: ["electron", "node-llama-cpp"] };
  const esm = { ...common, format: "esm", banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } };
  await esbuild({ ...esm, entryPoints: ["electron/main.ts"], outfile: "dist/electron/main.mjs" });
  await esbuild({ ...esm, entryPoints: ["native/engine/child.ts"], outfile: "dist/electron/engine.mjs" });
  await esbuild({ ...esm, entryPoints: ["native/llm/probe-child.ts"], outfile: "dist/electron/probe.mjs" });
  await esbuild({ ...common, format: "cjs", entryPoints: ["electron/preload.cts"], outfile: "dist/electron/preload.cjs" });
}
if (!only || only === "cli") await buildCli();
