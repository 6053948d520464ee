// "self-consistency:n=5,temperature=0.7" → a strategy with parameters: how the CLI's --strategy and the compare
// tab's column list name a column. Pure (no Node imports) so the renderer parses with the same rules.
export interface StrategySpec {
  name: string;
  strategy: string;
  params?: Record<string, string>;
}

/** "@path/to/preset.json": a preset file (a strategy with parameters, or a pipeline), read by the engine. */
export interface PresetSpec {
  preset: string;
}

export class StrategySpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StrategySpecError";
  }
}

/** A column's name: the strategy, with its parameters when any differ from the defaults. */
export function specName(strategy: string, params?: Record<string, unknown>): string {
  const entries = Object.entries(params ?? {});
  return entries.length ? `${strategy}(${entries.map(([k, v]) => `${k}=${String(v)}`).join(",")})` : strategy;
}

export function parseStrategySpec(spec: string): StrategySpec {
  const text = spec.trim();
  const colon = text.indexOf(":");
  const strategy = (colon < 0 ? text : text.slice(0, colon)).trim();
  const rest = colon < 0 ? "" : text.slice(colon + 1).trim();
  if (!/^[a-z0-9-]+$/.test(strategy)) throw new StrategySpecError(`'${spec}' does not start with a strategy name (name:param=value,…)`);
  if (!rest) return { name: strategy, strategy };
  const params: Record<string, string> = {};
  for (const pair of rest.split(",")) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new StrategySpecError(`'${spec}': parameters are name=value, separated by commas`);
    params[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return { name: specName(strategy, params), strategy, params };
}

/** Several specs separated by semicolons or new lines; blank entries are ignored; "@file" names a preset. */
export function parseStrategySpecs(text: string): Array<StrategySpec | PresetSpec> {
  return text
    .split(/[;\n]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.startsWith("@") ? { preset: s.slice(1).trim() } : parseStrategySpec(s)));
}
