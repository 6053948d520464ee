// Starting Refinery's own child processes (the engine, the GPU probe) the same way from any working directory,
// and saying why one died before it reported anything.

/**
 * Node arguments that run a TypeScript entry point: tsx's loader resolved from this package, so a user standing
 * in another folder (where `--import tsx` would find nothing) starts the same child. Resolved only when called:
 * a bundled app runs built .mjs entries and ships no tsx.
 */
export function typescriptEntry(source: string): string[] {
  return ["--import", import.meta.resolve("tsx"), source];
}

/** Keeps the end of a child's stderr, at most `limit` characters, for the failure message. */
export class StderrTail {
  private text = "";

  constructor(private readonly limit = 20000) {}

  push(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-this.limit);
  }

  /** Why the child failed, in one line (undefined when it printed nothing useful). */
  get reason(): string | undefined {
    return failureLine(this.text);
  }
}

/**
 * The line of a dead child's stderr that says why: Node prints the throwing source line, a caret, the error, its
 * stack and properties, then its own version — the error line, not the last line, is the one to show.
 */
export function failureLine(stderr: string): string | undefined {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const error = lines.find((l) => /^([A-Z]\w*)?Error\b( \[\w+\])?:/.test(l));
  if (error) return error;
  const noise = (l: string) =>
    /^at /.test(l) || /^\d+: /.test(l) || /^Node\.js v\d/.test(l) || /^\^+$/.test(l) || /^[{}]$/.test(l) || /^\w+: '.*',?$/.test(l) || /^(node|file):/.test(l);
  return lines.filter((l) => !noise(l)).at(-1);
}
