// What a strategy is: parameters with the card's defaults, the paper it follows, and a run function that
// builds nodes through the RunContext primitives and returns the selected candidate.
import type { RunContext } from "./context.ts";

export interface ParamSpec {
  name: string;
  type: "integer" | "number" | "boolean" | "string";
  default: number | boolean | string;
  description: string;
  min?: number;
  max?: number;
  choices?: readonly string[];
}

export type StrategyParams = Record<string, number | boolean | string>;

export interface Selection {
  nodeId: string;
}

/**
 * The most generations a strategy runs side by side on one model: parallel samples share this many lanes
 * (sequences), and an experiment loads its models with this many per concurrent item at most.
 */
export const MAX_LANES = 4;

export interface StrategyDefinition {
  name: string;
  title: string;
  paper: string;
  summary: string;
  params: ParamSpec[];
  /** Parallel lanes the actor can use at once (sizes the context's sequences). */
  actorLanes(params: StrategyParams): number;
  /** Checks beyond each parameter's own range (a pipeline's nested strategies), before anything runs. */
  validate?(params: StrategyParams): void;
  run(ctx: RunContext, params: StrategyParams): Promise<Selection>;
}

export class StrategyParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StrategyParamError";
  }
}

/** resolveParams plus the strategy's own checks: everything that can be rejected before a run starts. */
export function resolveStrategyParams(strategy: StrategyDefinition, given: Record<string, unknown>): StrategyParams {
  const params = resolveParams(strategy, given);
  strategy.validate?.(params);
  return params;
}

/** Fills defaults, converts CLI strings, and rejects unknown names and out-of-range values with a clear message. */
export function resolveParams(strategy: StrategyDefinition, given: Record<string, unknown>): StrategyParams {
  const known = new Map(strategy.params.map((spec) => [spec.name, spec]));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) {
      throw new StrategyParamError(`unknown parameter '${name}' for strategy ${strategy.name} (known: ${[...known.keys()].join(", ") || "none"})`);
    }
  }
  const params: StrategyParams = {};
  for (const spec of strategy.params) {
    const raw = given[spec.name];
    params[spec.name] = raw === undefined ? spec.default : coerce(strategy.name, spec, raw);
  }
  return params;
}

function coerce(strategy: string, spec: ParamSpec, raw: unknown): number | boolean | string {
  const where = `parameter '${spec.name}' of ${strategy}`;
  if (spec.type === "boolean") {
    if (typeof raw === "boolean") return raw;
    if (raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0") return false;
    throw new StrategyParamError(`${where} must be true or false, got '${String(raw)}'`);
  }
  if (spec.type === "string") {
    const value = String(raw);
    if (spec.choices && !spec.choices.includes(value)) throw new StrategyParamError(`${where} must be one of ${spec.choices.join(", ")}, got '${value}'`);
    return value;
  }
  const value = typeof raw === "number" ? raw : Number(raw);
  if (!Number.isFinite(value) || (spec.type === "integer" && !Number.isInteger(value))) {
    throw new StrategyParamError(`${where} must be ${spec.type === "integer" ? "an integer" : "a number"}, got '${String(raw)}'`);
  }
  if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
    throw new StrategyParamError(`${where} must be between ${spec.min ?? "-∞"} and ${spec.max ?? "∞"}, got ${value}`);
  }
  return value;
}

export const int = (params: StrategyParams, name: string) => params[name] as number;
export const bool = (params: StrategyParams, name: string) => params[name] as boolean;
export const str = (params: StrategyParams, name: string) => params[name] as string;
