// Shared pieces of the refinery commands: option parsing and the error that means "wrong usage".
import { parseArgs, type ParseArgsConfig } from "node:util";

export class UsageError extends Error {}

const common = { json: { type: "boolean" }, help: { type: "boolean" } } as const;

export function parse<const O extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...options, ...common }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function intOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new UsageError(`--${name} must be a non-negative integer, got '${String(value)}'`);
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

