// The file browser behind web mode's "choose…": one folder at a time, the folder the user opened and nothing
// else — its subfolders by name and its .gguf files with their sizes, never their contents or other files.
import { readdir, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { ModelFolderInfo } from "../protocol/contract.ts";

export class ModelFolderError extends Error {
  override name = "ModelFolderError";
}

const PARTIAL = /\.(partial|part|tmp|download|ipull)$|\.ipull\./i;

export async function listModelFolder(path: string | undefined, home = homedir()): Promise<ModelFolderInfo> {
  if (path !== undefined && !isAbsolute(path)) throw new ModelFolderError(`give a full folder path (from /), not '${path}'`);
  const folder = resolve(path ?? home);
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new ModelFolderError(`folder not found: ${folder}`);
    if (code === "ENOTDIR") throw new ModelFolderError(`not a folder: ${folder}`);
    if (code === "EACCES" || code === "EPERM") throw new ModelFolderError(`no permission to read the folder ${folder}`);
    throw new ModelFolderError(`cannot read the folder ${folder}: ${(error as Error).message}`);
  }
  const folders: string[] = [];
  const files: ModelFolderInfo["files"] = [];
  for (const entry of entries) {
    const full = join(folder, entry.name);
    // A link is followed only to see what it names; an unreadable one is left out.
    const kind = entry.isSymbolicLink() ? await stat(full).catch(() => null) : entry;
    if (!kind) continue;
    if (kind.isDirectory()) folders.push(entry.name);
    else if (kind.isFile() && entry.name.toLowerCase().endsWith(".gguf") && !PARTIAL.test(entry.name)) {
      const size = await stat(full)
        .then((s) => s.size)
        .catch(() => null);
      if (size !== null) files.push({ name: entry.name, path: full, sizeBytes: size });
    }
  }
  // Hidden folders after the others: the library already covers the usual hidden model stores.
  const hiddenLast = (a: string, b: string) => Number(a.startsWith(".")) - Number(b.startsWith(".")) || a.localeCompare(b);
  folders.sort(hiddenLast);
  files.sort((a, b) => a.name.localeCompare(b.name));
  const parent = dirname(folder);
  return { path: folder, parent: parent === folder ? null : parent, folders, files };
}
