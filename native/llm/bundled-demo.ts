// The demo model and dataset shipped with the app (resources/, trained by scripts/train-demo): the library lists
// the model and a fresh setup starts from it. Paths are found from this module, which sits two folders below the
// app's root both as a source file (native/llm/) and bundled (dist/electron/, dist/cli/); a packaged app reads
// them from the unpacked copy, since llama.cpp cannot map a file inside the asar archive.
import { existsSync } from "node:fs";
import { sep } from "node:path";
import { fileURLToPath } from "node:url";

const appRoot = fileURLToPath(new URL("../../", import.meta.url)).replace(`${sep}app.asar${sep}`, `${sep}app.asar.unpacked${sep}`);

/** The file names scripts/train-demo writes. */
export const DEMO_MODEL_FILE = "refinery-demo-arithmetic.gguf";
export const DEMO_CRITIC_FILE = "refinery-demo-critic.gguf";

export const bundledModelsDir = `${appRoot}resources${sep}models`;
export const bundledDemoModel = `${bundledModelsDir}${sep}${DEMO_MODEL_FILE}`;
/** The demo critic, where one is shipped (trained on verdicts about the actor's solutions). Without it the actor plays both roles. */
export const bundledDemoCritic = `${bundledModelsDir}${sep}${DEMO_CRITIC_FILE}`;
export const bundledDemoDataset = `${appRoot}resources${sep}datasets${sep}demo-arithmetic.jsonl`;

/** The critic that plays beside a demo actor: the bundled critic where it is shipped, else the actor in both roles. */
export function demoCriticFor(actor: string): string {
  return existsSync(bundledDemoCritic) ? bundledDemoCritic : actor;
}

/** Which role of the demo pair a bundled file plays (a fresh setup puts each in its field). */
export function bundledDemoRole(path: string): "actor" | "critic" | undefined {
  return path === bundledDemoModel ? "actor" : path === bundledDemoCritic ? "critic" : undefined;
}

/**
 * The folders the library lists as bundled: none when REFINERY_BUNDLED_MODELS is "off" (a harness that drives a
 * fresh install of its own, with its own models, and expects an empty setup).
 */
export function bundledModelFolders(env: NodeJS.ProcessEnv = process.env): string[] {
  return env.REFINERY_BUNDLED_MODELS === "off" ? [] : [bundledModelsDir];
}
