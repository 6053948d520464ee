// What a refused request says, in the words of the place the user typed the value: the run form's field label
// in the UI, the flag in the CLI. Both validate with the contract's schemas, so this table is the one place a
// contract path is given a name a person knows.

export type Audience = "ui" | "cli";

interface FieldName {
  label: string;
  /** The CLI flag that sets it; absent when the CLI has none (the message then uses the label). */
  flag?: string;
}

const FIELDS: Record<string, FieldName> = {
  strategy: { label: "Strategy", flag: "--strategy" },
  "actor.path": { label: "Actor model", flag: "--actor" },
  "critic.path": { label: "Critic model", flag: "--critic" },
  "actor.sampling.maxTokens": { label: "Max tokens", flag: "--max-tokens" },
  "critic.sampling.maxTokens": { label: "Critic max tokens", flag: "--critic-max-tokens" },
  "actor.sampling.thinkingBudget": { label: "Thinking", flag: "--thinking-budget" },
  "critic.sampling.thinkingBudget": { label: "Critic thinking", flag: "--critic-thinking-budget" },
  "actor.sampling.temperature": { label: "Temperature", flag: "--temperature" },
  "critic.sampling.temperature": { label: "Critic temperature" },
  "actor.load.contextSize": { label: "Actor context", flag: "--context-size" },
  "critic.load.contextSize": { label: "Critic context", flag: "--context-size" },
  "actor.load.gpuLayers": { label: "Actor GPU layers", flag: "--gpu-layers" },
  "critic.load.gpuLayers": { label: "Critic GPU layers", flag: "--gpu-layers" },
  "task.question": { label: "Task", flag: "--task" },
  "task.reference": { label: "Reference", flag: "--reference" },
  seed: { label: "Seed", flag: "--seed" },
  maxTotalTokens: { label: "Max total tokens", flag: "--max-total-tokens" },
  // Experiments and critic evaluations
  dataset: { label: "Dataset", flag: "--dataset" },
  limit: { label: "Limit", flag: "--limit" },
  offset: { label: "Offset", flag: "--offset" },
  concurrency: { label: "Concurrency", flag: "--concurrency" },
  repeats: { label: "Repeats", flag: "--repeats" },
  frontier: { label: "Frontier samples", flag: "--frontier" },
  maxTokens: { label: "Max tokens", flag: "--max-tokens" },
  critic: { label: "Critic model", flag: "--critic" },
  columns: { label: "Strategies", flag: "--strategy" },
  formats: { label: "Formats" },
  // Judges: an experiment's grading, and a judge measured against people
  judge: { label: "Judge model", flag: "--judge" },
  mode: { label: "Mode", flag: "--mode" },
  "judging.judges": { label: "Judges", flag: "--judge" },
  "judging.baseline": { label: "Pairwise baseline", flag: "--baseline" },
  "judging.maxTokens": { label: "Judge max tokens", flag: "--judge-max-tokens" },
};

/** A strategy parameter as the run form shows it: "maxIterations" → "Max iterations". */
export function paramLabel(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The name of the field at a contract path for this audience, or null for a path no user types. */
export function fieldName(path: readonly PropertyKey[], audience: Audience): string | null {
  // An experiment's model pairs hold the same model settings as a run's actor and critic.
  if (path[0] === "pairs" && typeof path[1] === "number") return fieldName(path.slice(2), audience);
  const key = path.map(String).join(".");
  if (path[0] === "params" && path.length === 2) {
    const name = String(path[1]);
    return audience === "cli" ? `--param ${name}` : paramLabel(name);
  }
  const field = FIELDS[key];
  if (!field) return null;
  return audience === "cli" ? (field.flag ?? field.label) : field.label;
}

const count = (n: number) => n.toLocaleString("en-US");

/** The parts of a zod issue this wording reads (structural, so the protocol need not name zod's internal types). */
export interface IssueLike {
  code: string;
  message: string;
  path: readonly PropertyKey[];
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  expected?: string;
  keys?: string[];
  values?: readonly unknown[];
}

// Zod's own messages ("Too big: expected number to be <=32768") speak of types; a message written in the
// contract ("choose a model file or an endpoint") already speaks to the user and is kept.
const zodDefault = /^(Too (small|big)|Invalid|Unrecognized key)/;

/** What the value must be, e.g. "at most 32,768", "must be a whole number". */
export function issueRule(issue: IssueLike): string {
  if (!zodDefault.test(issue.message)) return issue.message;
  switch (issue.code) {
    case "too_big":
      if (issue.origin === "number") return issue.inclusive === false ? `less than ${count(Number(issue.maximum))}` : `at most ${count(Number(issue.maximum))}`;
      if (issue.origin === "string") return `at most ${count(Number(issue.maximum))} characters`;
      return `at most ${count(Number(issue.maximum))} entries`;
    case "too_small":
      if (issue.origin === "number")
        return issue.inclusive === false ? `more than ${count(Number(issue.minimum))}` : `at least ${count(Number(issue.minimum))}`;
      if (issue.origin === "string") return Number(issue.minimum) === 1 ? "must not be empty" : `at least ${count(Number(issue.minimum))} characters`;
      return `at least ${count(Number(issue.minimum))} entries`;
    case "invalid_type":
      if (issue.expected === "int") return "must be a whole number";
      if (issue.expected === "number") return "must be a number";
      if (issue.expected === "boolean") return "must be on or off";
      if (issue.expected === "string") return "must be text";
      return issue.message;
    case "invalid_union":
      return "must be a number, on/off or text";
    case "invalid_value":
      return issue.values?.length ? `must be one of ${issue.values.map(String).join(", ")}` : issue.message;
    default:
      return issue.message;
  }
}

/**
 * The whole message: "Max tokens: at most 32,768" (UI), "--max-tokens: at most 32,768" (CLI). An issue at a
 * path no user types (an unknown key: a client's mistake) keeps the request's name so the developer finds it.
 */
export function describeIssue(request: string, issue: IssueLike, audience: Audience): { message: string; field: string | null } {
  const name = fieldName(issue.path, audience);
  const field = name === null ? null : issue.path.map(String).join(".");
  if (name !== null) return { message: `${name}: ${issueRule(issue)}`, field };
  const where = issue.path.length ? `${issue.path.map(String).join(".")}: ` : "";
  return { message: `invalid ${request} request: ${where}${issue.message}`, field: null };
}

/** Advice that names a control: a checkbox in the UI, a flag in the CLI. Engine messages carry the UI's. */
const ADVICE: Record<string, Record<Audience, string>> = {
  skipMalformed: { ui: 'tick "skip malformed records"', cli: "pass --skip-malformed" },
  force: { ui: 'press "Run anyway"', cli: "pass --force" },
  contextSize: {
    ui: "lower max tokens or the thinking budgets, use fewer iterations, or give a larger context (load settings)",
    cli: "lower --max-tokens, --critic-max-tokens or the thinking budgets, use fewer iterations, or raise --context-size",
  },
};

export function advice(field: keyof typeof ADVICE & string, audience: Audience): string {
  return ADVICE[field]![audience];
}

/**
 * A message about one field, written for the UI ("Max tokens: …"), said for another audience ("--max-tokens: …").
 * Errors raised deep in the engine know the field's path but not who is reading.
 */
export function relabel(message: string, field: string | undefined, audience: Audience): string {
  if (!field) return message;
  const hint = ADVICE[field];
  if (hint) return message.replace(hint.ui, hint[audience]);
  const path = field.split(".");
  const ui = fieldName(path, "ui");
  const wanted = fieldName(path, audience);
  return ui && wanted && message.startsWith(`${ui}: `) ? `${wanted}: ${message.slice(ui.length + 2)}` : message;
}
