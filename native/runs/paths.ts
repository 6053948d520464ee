// Every path Refinery derives from a name (a run id, a column name) goes through here, so no name — however it
// is spelled — can reach outside the folder it belongs in.
import { createHash } from "node:crypto";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { isRunId, RUN_ID_RULE } from "../protocol/run-id.ts";

export class UnsafeNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsafeNameError";
  }
}

/** `parent/name` for a name that is one plain folder or file name; anything that would climb out is refused. */
export function safeChild(parent: string, name: string): string {
  if (!name || name === "." || name === ".." || name.includes("/") || name.includes("\\") || name.includes("\0")) {
    throw new UnsafeNameError(`'${name}' is not a plain file name: it must not be empty, '.', '..', or contain a slash`);
  }
  const base = resolve(parent);
  const child = resolve(base, name);
  const rel = relative(base, child);
  if (!rel || rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel)) throw new UnsafeNameError(`'${name}' would leave ${base}`);
  return child;
}

/** The folder of a run inside `runsDir`, for a run id that passes the contract's rule. */
export function runDir(runsDir: string, runId: string): string {
  if (!isRunId(runId)) throw new UnsafeNameError(`'${runId}' is not a run id (${RUN_ID_RULE})`);
  return safeChild(runsDir, runId);
}

/**
 * A run id for one cell of an experiment (a column's item, in one repeat), from any column name. A name that is already a valid id is kept as
 * it is (older experiments keep their folders); any other is spelled with safe characters and given a short
 * hash of the real name, so "a b" and "a_b" stay two folders.
 */
export function cellRunId(columnName: string, item: number, repeat = 0): string {
  // Repeat 0 keeps the name cells had before repeats, so earlier experiments resume into their own folders.
  const suffix = `--${String(item).padStart(4, "0")}${repeat ? `-r${repeat}` : ""}`;
  const plain = `${columnName}${suffix}`;
  if (isRunId(plain) && plain.length <= 160) return plain;
  const slug =
    columnName
      .replace(/[^\w.()=,-]+/g, "_")
      .replace(/\.{2,}/g, "_")
      .replace(/^[_.]+|[_.]+$/g, "")
      .slice(0, 120) || "column";
  const hash = createHash("sha256").update(columnName).digest("hex").slice(0, 8);
  return `${slug}-${hash}${suffix}`;
}
