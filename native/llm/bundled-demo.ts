// The demo model and dataset shipped with the app (resources/, trained by scripts/train-demo): the library lists
// the model and a fresh setup starts from it. Paths are found from this module, which sits two folders below the
// app's root both as a source file (native/llm/) and bundled (dist/electron/, dist/cli/); a packaged app reads
// them from the unpacked copy, since llama.cpp cannot map a file inside the asar archive.
import { sep } from "node:path";
import { fileURLToPath } from "node:url";

const appRoot = fileURLToPath(new URL("../../", import.meta.url)).replace(`${sep}app.asar${sep}`, `${sep}app.asar.unpacked${sep}`);

export const bundledModelsDir = `${appRoot}resources${sep}models`;
export const bundledDemoModel = `${bundledModelsDir}${sep}refinery-demo-arithmetic.gguf`;
export const bundledDemoDataset = `${appRoot}resources${sep}datasets${sep}demo-arithmetic.jsonl`;

/**
 * The folders the library lists as bundled: none when REFINERY_BUNDLED_MODELS is "off" (a harness that drives a
 * fresh install of its own, with its own models, and expects an empty setup).
 */
export function bundledModelFolders(env: NodeJS.ProcessEnv = process.env): string[] {
  return env.REFINERY_BUNDLED_MODELS === "off" ? [] : [bundledModelsDir];
}
