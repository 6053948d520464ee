// Whole-file writes that readers never see half done: the bytes go to a temporary file of this writer's own
// (so concurrent writers never share one), which is renamed over the target. A write that fails (a full disk)
// removes its temporary file and leaves the previous version in place.
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import { asDiskFull } from "./disk-full.ts";

export function tempPathFor(path: string): string {
  return `${path}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
}

export function writeFileAtomicSync(path: string, data: string | Buffer): void {
  const tmp = tempPathFor(path);
  try {
    const fd = openSync(tmp, "w");
    try {
      const bytes = typeof data === "string" ? Buffer.from(data) : data;
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw asDiskFull(error, path);
  }
}

export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw asDiskFull(error, path);
  }
}
