// Load settings per model and role (GPU layers, context size, flash attention), saved as the model's defaults so
// the next run with that file starts from them. Kept in ~/.refinery/load-settings.json (or $REFINERY_HOME).
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { ModelRole } from "../protocol/events.ts";

export interface LoadSettings {
  gpuLayers?: "auto" | "max" | number;
  contextSize?: number;
  flashAttention?: boolean;
}

type Store = { models: Record<string, Partial<Record<ModelRole, LoadSettings>>> };

export function loadSettingsPath(env = process.env): string {
  return join(env.REFINERY_HOME ?? join(homedir(), ".refinery"), "load-settings.json");
}

async function read(path: string): Promise<Store> {
  try {
    const value = JSON.parse(await readFile(path, "utf8")) as Store;
    return value && typeof value.models === "object" ? value : { models: {} };
  } catch {
    return { models: {} };
  }
}

export async function getLoadSettings(model: string, path = loadSettingsPath()): Promise<Partial<Record<ModelRole, LoadSettings>>> {
  return (await read(path)).models[resolve(model)] ?? {};
}

export async function saveLoadSettings(
  model: string,
  role: ModelRole,
  settings: LoadSettings,
  path = loadSettingsPath(),
): Promise<Partial<Record<ModelRole, LoadSettings>>> {
  const store = await read(path);
  const key = resolve(model);
  store.models[key] = { ...store.models[key], [role]: settings };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(store, null, 2)}\n`);
  return store.models[key]!;
}
