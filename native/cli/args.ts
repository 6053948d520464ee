// Shared pieces of the refinery commands: option parsing and the error that means "wrong usage".
import { parseArgs, type ParseArgsConfig } from "node:util";

export class UsageError extends Error {
  override name = "UsageError";
}

const common = { json: { type: "boolean" }, help: { type: "boolean" } } as const;

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

/** A whole-number option; `min` 1 for counts where nothing would be meaningless (--limit). */
export function intOption(value: unknown, name: string, min: 0 | 1 = 0): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const number = text === "" ? Number.NaN : Number(text);
  if (!Number.isInteger(number) || number < min) {
    throw new UsageError(`--${name} must be a ${min === 1 ? "positive whole number" : "whole number (0 or more)"}, got '${String(value)}'`);
  }
  return number;
}

export function numberOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new UsageError(`--${name} must be a number, got '${String(value)}'`);
  return number;
}

export function paramsFrom(pairs: string[] | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`--param takes name=value, got '${pair}'`);
    params[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return params;
}

/** A number flag as typed: what it must be is the schema's to say, in the form's words ("--max-tokens: at least 1"). */
export function flagNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return value.trim() === "" ? Number.NaN : Number(value);
}

/** The object without its undefined entries (the schemas are strict about what is there, not about undefined). */
export function defined<T extends Record<string, unknown>>(object: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
