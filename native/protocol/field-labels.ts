// Every setting a person types, once: its label in the forms, its flag and usage on the command line, its help
// line and unit. What a refused request says comes from here too, in the words of the place the user typed the
// value (the form's label in the UI, the flag in the CLI): both validate with the contract's schemas, so this
// table is the one place a contract path is given a name a person knows.

export type Audience = "ui" | "cli";

/**
 * A setting a person types: its label in the app's forms, its flag on the command line with what the flag takes,
 * and one line of help. Keyed by the contract path the engine's messages name it by ("actor.sampling.maxTokens"),
 * or, for a setting only the CLI has, by its flag's name.
 */
export interface FieldDefinition {
  /** The form's label, also what a refusal calls it in the app; absent for a setting only the CLI has. */
  readonly label?: string;
  /** The flag that sets it; absent when the CLI has none (a message then uses the label). */
  readonly flag?: `--${string}`;
  /** What the flag takes ("n", "<model>"), as the usage writes it; absent for a switch. */
  readonly value?: string;
  /** The flag may be given several times. */
  readonly multiple?: true;
  /** What it does, in one line: the form's tooltip, the docs' table. */
  readonly help: string;
  /** The unit of a number. */
  readonly unit?: "tokens" | "bytes" | "seconds";
}

export const FIELDS = {
  strategy: { label: "Strategy", flag: "--strategy", value: "<name>", help: "the strategy that runs (see `refinery strategies`)" },
  preset: { flag: "--preset", value: "<file.json>", help: "a saved strategy with its parameters, or a pipeline" },
  servedPresets: { flag: "--preset", value: "<file.json>", multiple: true, help: "a preset served as a model of its own" },
  savePreset: { flag: "--save-preset", value: "<file.json>", help: "save the strategy and its parameters as a preset" },
  params: { label: "Parameters", flag: "--param", value: "name=value", multiple: true, help: "a strategy parameter" },
  "actor.path": { label: "Actor model", flag: "--actor", value: "<model>", help: "a GGUF file or an endpoint, openai:<base URL>#<served model>" },
  "critic.path": { label: "Critic model", flag: "--critic", value: "<model>", help: "a GGUF file or an endpoint; empty: the actor's" },
  "actor.sampling.maxTokens": { label: "Max tokens", flag: "--max-tokens", value: "n", help: "the actor's answer budget", unit: "tokens" },
  "critic.sampling.maxTokens": {
    label: "Critic max tokens",
    flag: "--critic-max-tokens",
    value: "n",
    help: "the critic's answer budget: its verdicts and feedback",
    unit: "tokens",
  },
  "actor.sampling.thinkingBudget": {
    label: "Thinking",
    flag: "--thinking-budget",
    value: "n",
    help: "thought tokens at most for a model that thinks; 0 asks it not to think; empty: the model's default",
    unit: "tokens",
  },
  "critic.sampling.thinkingBudget": {
    label: "Critic thinking",
    flag: "--critic-thinking-budget",
    value: "n",
    help: "the critic's thinking budget: it thinks, then gives its constrained verdict",
    unit: "tokens",
  },
  "critic.sampling.reasonFirst": { label: "Critic reasons first", flag: "--critic-reason-first", help: "the critic writes its reasoning before its verdict" },
  "critic.sampling.metaCritique": { label: "Meta-critique", flag: "--critic-meta-critique", help: "the critic reviews its own critique once (SPARK)" },
  "actor.sampling.temperature": { label: "Temperature", flag: "--temperature", value: "t", help: "the actor's sampling temperature" },
  "critic.sampling.temperature": { label: "Critic temperature", help: "the critic's sampling temperature" },
  "actor.load.chatWrapper": { flag: "--chat-wrapper", value: "name", help: "the actor's chat template, in place of the model's own" },
  "critic.load.chatWrapper": { flag: "--critic-chat-wrapper", value: "name", help: "the critic's chat template, in place of the model's own" },
  "actor.load.contextSize": {
    label: "Actor context",
    flag: "--context-size",
    value: "n",
    help: "tokens of context each sequence is loaded with",
    unit: "tokens",
  },
  "critic.load.contextSize": {
    label: "Critic context",
    flag: "--context-size",
    value: "n",
    help: "tokens of context each sequence is loaded with",
    unit: "tokens",
  },
  "actor.load.gpuLayers": { label: "Actor GPU layers", flag: "--gpu-layers", value: "auto|max|n", help: "layers offloaded to the GPU" },
  "critic.load.gpuLayers": { label: "Critic GPU layers", flag: "--gpu-layers", value: "auto|max|n", help: "layers offloaded to the GPU" },
  "actor.load.flashAttention": {
    label: "Actor flash attention",
    flag: "--flash-attention",
    help: "ticked: always on; unticked: llama.cpp decides (on where the backend supports it)",
  },
  "critic.load.flashAttention": {
    label: "Critic flash attention",
    flag: "--flash-attention",
    help: "ticked: always on; unticked: llama.cpp decides (on where the backend supports it)",
  },
  "task.question": { label: "Task", flag: "--task", value: '"<text>"', help: "the question the run answers" },
  "task.reference": { label: "Reference", flag: "--reference", value: "<answer>", help: "the reference answer the result is graded against" },
  seed: { label: "Seed", flag: "--seed", value: "n", help: "the run's seed: the same seed and settings give the same run" },
  maxTotalTokens: { label: "Tokens per run", flag: "--max-total-tokens", value: "n", help: "tokens the whole run may generate", unit: "tokens" },
  parallel: { flag: "--sequential", help: "one generation at a time: strictly reproducible logs" },
  force: { flag: "--force", help: "load even when the memory plan says the models will not fit" },
  vram: { flag: "--vram", value: "size", help: "plan for this much GPU memory instead of what is free", unit: "bytes" },
  ram: { flag: "--ram", value: "size", help: "plan for this much memory instead of what is free", unit: "bytes" },
  out: { label: "Output folder", flag: "--out", value: "<dir>", help: "the folder that receives the runs" },
  threads: { flag: "--threads", value: "n", help: "threads llama.cpp decodes with (default: the idle cores)" },
  gpu: { flag: "--gpu", value: "auto|cpu|cuda|vulkan|metal", help: "the compute backend" },
  json: { flag: "--json", help: "print the result as JSON" },
  help: { flag: "--help", help: "this command's usage" },
  quiet: { flag: "--quiet", help: "no progress on stderr" },
  apiKeyEnv: { flag: "--api-key-env", value: "NAME", help: "the environment variable holding the endpoint's key (default OPENAI_API_KEY)" },
  criticApiKeyEnv: { flag: "--critic-api-key-env", value: "NAME", help: "the environment variable holding the critic's endpoint key" },
  endpointConcurrency: { flag: "--endpoint-concurrency", value: "n", help: "requests an endpoint takes at once" },
  requestTimeout: { flag: "--request-timeout", value: "s", help: "how long to wait for an endpoint's answer", unit: "seconds" },
  // Experiments and critic evaluations
  dataset: { label: "Dataset", flag: "--dataset", value: "<file>", help: "a JSONL, JSON or CSV file of tasks" },
  limit: { label: "Limit", flag: "--limit", value: "n", help: "the first n items" },
  offset: { label: "Offset", flag: "--offset", value: "n", help: "skip the first n items" },
  fields: { flag: "--field", value: "name=f", multiple: true, help: "which field of a record holds the question, the reference…" },
  skipMalformed: { flag: "--skip-malformed", help: "skip records that cannot be read instead of refusing the file" },
  concurrency: { label: "Concurrency", flag: "--concurrency", value: "n|auto", help: "items run at once" },
  repeats: { label: "Repeats", flag: "--repeats", value: "r", help: "each item run r times, with seeds seed … seed+r-1" },
  frontier: { label: "Frontier samples", flag: "--frontier", value: "n", help: "samples per item for the sampling frontier" },
  maxTokens: { label: "Max tokens", flag: "--max-tokens", value: "n", help: "the answer budget", unit: "tokens" },
  critic: { label: "Critic model", flag: "--critic", value: "<model>", help: "the critic model" },
  columns: { label: "Strategies", flag: "--strategy", value: "<name>", multiple: true, help: "the strategies compared, one column each" },
  actors: { flag: "--actor", value: "<model>", multiple: true, help: "the actor model; several endpoints: replicas of one model" },
  pair: { flag: "--pair", value: "actor[,critic]", multiple: true, help: "a model pair the strategies also run with" },
  formats: { label: "Formats", help: "the report files written" },
  pool: { flag: "--pool", value: "<file.json>", help: "the model pairs the strategies run with, from a file" },
  sampling: { label: "Sampling", flag: "--sampling", value: "paper|matched[:T]", help: "each strategy's own sampling, or one temperature for all" },
  noCache: { flag: "--no-cache", help: "run every cell again instead of reusing finished ones" },
  grader: { flag: "--grader", value: "checklist|rubric|pairwise", help: "how judge models grade each answer" },
  judge: { label: "Judge model", flag: "--judge", value: "<model>", help: "the judge model" },
  jury: { flag: "--judge", value: "<model>", multiple: true, help: "a judge model (several: a jury)" },
  baseline: { flag: "--baseline", value: "<column>", help: "the column the others are compared with" },
  checklistCalls: {
    flag: "--checklist-calls",
    value: "structured|per-criterion",
    help: "the checklist grader asks its judges in one structured call, or one call per criterion",
  },
  // An experiment's grading as the engine's refusals name it (the compare tab's Grading section)
  "judging.judges": { label: "Judges", flag: "--judge", value: "<model>", multiple: true, help: "the judge models (several: a jury)" },
  "judging.baseline": { label: "Pairwise baseline", flag: "--baseline", value: "<column>", help: "the column the others are compared with" },
  "judging.maxTokens": { label: "Judge max tokens", flag: "--judge-max-tokens", value: "n", help: "the judge's answer budget", unit: "tokens" },
  judgeMaxTokens: { flag: "--judge-max-tokens", value: "n", help: "the judge's answer budget", unit: "tokens" },
  html: { flag: "--html", value: "<file>", help: "write the report as a web page" },
  csv: { flag: "--csv", value: "<file>", help: "write the results as CSV" },
  jsonl: { flag: "--jsonl", value: "<file>", help: "write the results as JSON lines" },
  pairs: { flag: "--pairs", value: "<file.jsonl>", help: "write preference pairs for training" },
  mode: { label: "Mode", flag: "--mode", value: "<mode>", help: "which benchmark or kind of judging" },
  metaCritique: { flag: "--meta-critique", help: "the critic reviews its own critique once (SPARK)" },
  // Models, downloads and serving
  sequences: { flag: "--sequences", value: "n", help: "sequences the context is sized for" },
  refresh: { flag: "--refresh", help: "prove the backends again instead of reading the last result" },
  add: { flag: "--add", value: "<gguf>", help: "add a GGUF to the models list" },
  dir: { flag: "--dir", value: "<folder>", help: "the folder the download goes to" },
  modelDirs: { flag: "--dir", value: "<folder>", multiple: true, help: "a folder of models to list" },
  criticSequences: { flag: "--critic-sequences", value: "n", help: "sequences the critic's context is sized for" },
  sha256: { flag: "--sha256", value: "<hex>", help: "the download's expected checksum" },
  name: { flag: "--name", value: "<file>", help: "the downloaded file's name" },
  timeout: { flag: "--timeout", value: "<s>", help: "how long to wait for the server to answer", unit: "seconds" },
  port: { flag: "--port", value: "n", help: "the port the server listens on" },
  host: { flag: "--host", value: "addr", help: "the address the server listens on (default: loopback only)" },
  runs: { flag: "--runs", value: "<dir>", help: "the folder of runs the server reads and writes" },
  openai: { flag: "--openai", help: "serve strategies as models behind an OpenAI-compatible API" },
  servedParallel: { flag: "--parallel", value: "n", help: "requests the server answers at once" },
  apiKey: { flag: "--api-key", value: "k", help: "the key a client must send" },
  uiUrl: { flag: "--ui-url", value: "<url>", help: "where the app's UI is, for links to a served run" },
} as const satisfies Record<string, FieldDefinition>;

export type FieldKey = keyof typeof FIELDS;

/** The label a form shows for a field (the name its refusals use in the app). */
export function fieldLabel(key: FieldKey): string {
  const field: FieldDefinition = FIELDS[key];
  return field.label ?? field.flag ?? key;
}

/** A field's one line of help: the form's tooltip, the docs' table. */
export function fieldHelp(key: FieldKey): string {
  return FIELDS[key].help;
}

/** A flag as a command's usage writes it: "[--max-tokens n]", "[--force]"; `required` drops the brackets. */
export function flagUsage(key: FieldKey, required = false): string {
  const field: FieldDefinition = FIELDS[key];
  if (!field.flag) throw new Error(`${key} has no command-line flag`);
  const text = `${field.flag}${field.value ? ` ${field.value}` : ""}${field.multiple ? " …" : ""}`;
  return required ? text : `[${text}]`;
}

type FlagOf<K extends FieldKey> = (typeof FIELDS)[K] extends { flag: `--${infer F}` } ? F : never;
type OptionOf<K extends FieldKey> = (typeof FIELDS)[K] extends { value: string }
  ? (typeof FIELDS)[K] extends { multiple: true }
    ? { type: "string"; multiple: true }
    : { type: "string" }
  : { type: "boolean" };

/** The parse options (node:util parseArgs) of these fields' flags: a command reads its flags from this table. */
export function flagOptions<const K extends FieldKey>(keys: readonly K[]): { [P in K as FlagOf<P>]: OptionOf<P> } {
  const options: Record<string, { type: "string" | "boolean"; multiple?: true }> = {};
  for (const key of keys) {
    const field: FieldDefinition = FIELDS[key];
    if (!field.flag) throw new Error(`${key} has no command-line flag`);
    const option = { type: field.value ? "string" : "boolean", ...(field.multiple ? { multiple: true as const } : {}) } as const;
    const earlier = options[field.flag.slice(2)];
    // Two settings may share a flag only in different commands (run's --actor, experiment's repeatable --actor).
    if (earlier && (earlier.type !== option.type || earlier.multiple !== option.multiple)) throw new Error(`${field.flag} is read two ways by one command`);
    options[field.flag.slice(2)] = option;
  }
  return options as { [P in K as FlagOf<P>]: OptionOf<P> };
}

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
  const field: FieldDefinition | undefined = (FIELDS as Record<string, FieldDefinition>)[key];
  if (!field) return null;
  return (audience === "cli" ? (field.flag ?? field.label) : field.label) ?? null;
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
