// Shared pieces of the refinery commands: option parsing and the error that means "wrong usage".
import { statSync } from "node:fs";
import { flagOptions } from "../protocol/field-labels.ts";
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";

export class UsageError extends Error {
  override name = "UsageError";
}

/** Flags every command takes. */
const common = flagOptions(["json", "help"]);

/**
 * `--limit -1` joined into `--limit=-1`: node's parser calls a value that starts with a dash "ambiguous", when
 * what the user needs to hear is what the option accepts, which the option's own check then says.
 */
function joinNegativeNumbers(args: string[], options: NonNullable<ParseArgsConfig["options"]>): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    const name = arg.startsWith("--") && !arg.includes("=") ? arg.slice(2) : null;
    if (name && options[name]?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else joined.push(arg);
  }
  return joined;
}

export function parse<const O extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: O) {
  try {
    return parseArgs({ args: joinNegativeNumbers(args, options), options: { ...options, ...common }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Numbers as people type them: `0x10`, `0b1`, `1_000` or `Infinity` are not a count anyone means. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A whole-number option; `min` 1 for counts where nothing would be meaningless (--limit). */
export function intOption(value: unknown, name: string, min: 0 | 1 = 0): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const number = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min) {
    throw new UsageError(`--${name} must be a ${min === 1 ? "positive whole number" : "whole number (0 or more)"}, got '${String(value)}'`);
  }
  return number;
}

export function numberOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const number = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(number)) throw new UsageError(`--${name} must be a number, got '${String(value)}'`);
  return number;
}

/** --threads: at most twice the logical cores (more only makes llama.cpp's threads wait on each other). */
export function threadsOption(value: unknown): number | undefined {
  const threads = intOption(value, "threads");
  const most = availableParallelism() * 2;
  if (threads !== undefined && threads > most)
    throw new UsageError(`--threads ${threads} is more than this machine can use: it has ${most / 2} logical cores, so at most ${most}`);
  return threads;
}

/** --port: a TCP port, or 0 for any free one. */
export function portOption(value: unknown): number | undefined {
  const port = intOption(value, "port");
  if (port !== undefined && port > 65535) throw new UsageError(`--port must be a port number from 1 to 65535 (or 0 for any free port), got '${String(value)}'`);
  return port;
}

/**
 * A folder the command writes into: it may not exist yet (it is created), but neither it nor the nearest folder
 * above it that exists may be a file (`--out /dev/null`, `--out notes.txt`).
 */
export function outFolderOption(value: string, name = "out"): string {
  let path = resolve(value);
  for (;;) {
    let isFolder: boolean | null;
    try {
      isFolder = statSync(path).isDirectory();
    } catch {
      isFolder = null;
    }
    if (isFolder === true) return value;
    if (isFolder === false)
      throw new UsageError(
        path === resolve(value)
          ? `--${name} ${value} is a file, not a folder: give a folder (it is created if missing)`
          : `--${name} ${value}: ${path} is a file, so no folder can be made inside it`,
      );
    const parent = dirname(path);
    if (parent === path) return value;
    path = parent;
  }
}

/** Names no strategy parameter has, and that would reach an object's prototype instead of the parameters. */
const RESERVED_PARAM_NAMES = new Set(["__proto__", "constructor", "prototype"]);

export function paramsFrom(pairs: string[] | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`--param takes name=value, got '${pair}'`);
    const name = pair.slice(0, at);
    if (RESERVED_PARAM_NAMES.has(name)) throw new UsageError(`--param ${name}: no strategy has a parameter of that name (\`refinery strategies\` lists them)`);
    params[name] = pair.slice(at + 1);
  }
  return params;
}

/** A number flag as typed: what it must be is the schema's to say, in the form's words ("--max-tokens: at least 1"). */
export function flagNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return DECIMAL.test(value.trim()) ? Number(value) : Number.NaN;
}

/** The object without its undefined entries (the schemas are strict about what is there, not about undefined). */
export function defined<T extends Record<string, unknown>>(object: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
