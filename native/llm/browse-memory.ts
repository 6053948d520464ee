// Where "choose…" last browsed for a model file (web mode's folder browser, the desktop app's file dialog), kept in
// ~/.refinery/settings.json (or $REFINERY_HOME) so the next browse starts there instead of the home folder.
import { mkdir, readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.ts";

export function settingsPath(env = process.env, home = homedir()): string {
  return join(env.REFINERY_HOME ?? join(home, ".refinery"), "settings.json");
}

async function readSettings(path: string): Promise<Record<string, unknown>> {
  try {
    const value = JSON.parse(await readFile(path, "utf8")) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The folder last browsed, while it is still a folder; null otherwise (browsing then starts at home). */
export async function lastModelFolder(path = settingsPath()): Promise<string | null> {
  const folder = (await readSettings(path)).lastModelFolder;
  if (typeof folder !== "string") return null;
  const found = await stat(folder).catch(() => null);
  return found?.isDirectory() ? folder : null;
}

/** Keeps the folder, the other settings as they were. */
export async function rememberModelFolder(folder: string, path = settingsPath()): Promise<void> {
  const settings = await readSettings(path);
  if (settings.lastModelFolder === resolve(folder)) return;
  settings.lastModelFolder = resolve(folder);
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(settings, null, 2)}\n`);
}
