// Reads task datasets: JSONL (one object a line) or a JSON array, with a field mapping. The defaults are the
// built-in adapters: GSM8K (question/answer), MATH-500 (problem/answer), HumanEval (prompt/test/entry_point),
// RealCritic (question/gt, ARC's choices {text,label}), ProcessBench (problem), MT-Bench (turns, with the reference
// answers beside the questions file) and RefineBench (a JSON object of domains, items with a checklist). Malformed
// records are reported by line number; they are skipped only when the caller asks for it. Only a regular file is
// read, and no error quotes the file: a dataset path may name any file.
import { constants, type Stats } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import type { Task } from "../protocol/events.ts";
import { advice } from "../protocol/field-labels.ts";
import { questionWithChoices } from "../grading/checkers.ts";
import { describeJsonSyntaxError } from "./json-syntax.ts";
import { groupedRecords, mtBenchItem, mtBenchReferences, readChecklist, secondTurnOf, selfRefineRecord } from "./open-ended-datasets.ts";

export interface FieldMapping {
  question?: string;
  reference?: string;
  id?: string;
  choices?: string;
  tests?: string;
  entryPoint?: string;
}

export const MAPPABLE_FIELDS = ["question", "reference", "id", "choices", "tests", "entryPoint"] as const;

export interface DatasetOptions {
  limit?: number;
  offset?: number;
  fields?: FieldMapping;
  /** Skip malformed records (they are still reported) instead of refusing the dataset. */
  skipMalformed?: boolean;
}

export interface MalformedRecord {
  line: number;
  reason: string;
}

export interface LoadedDataset {
  tasks: Task[];
  /** Each task's short scalar fields (subject, level, source…), for filtering results by them. */
  fields: Array<Record<string, string>>;
  /** Each task's record as read, with its line (1-based; the index in a JSON array): for fields beyond the task's. */
  records: Array<{ line: number; value: Record<string, unknown> }>;
  skipped: MalformedRecord[];
}

/** Short scalar fields of a record other than those that became the task: categories to filter by. */
function categoryFields(item: Record<string, unknown>, task: Task): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(item)) {
    if (!["string", "number", "boolean"].includes(typeof value)) continue;
    const text = String(value);
    if (text.length > 40 || text === task.question || text === task.reference || text === task.id || key === "test" || key === "entry_point") continue;
    fields[key] = text;
  }
  return fields;
}

export class DatasetError extends Error {
  /** Set when the fix is a setting: skipping malformed records (the CLI says its flag, the UI its checkbox). */
  readonly field?: string;

  constructor(message: string, field?: string) {
    super(message);
    this.name = "DatasetError";
    if (field) this.field = field;
  }
}

const DEFAULTS: Record<keyof FieldMapping, string[]> = {
  question: ["question", "problem", "prompt", "input"],
  reference: ["answer", "gt", "reference", "reference_answer", "target", "label_text", "solution"],
  id: ["id", "task_id", "unique_id", "idx", "question_id", "index"],
  choices: ["choices", "options"],
  tests: ["test", "tests"],
  entryPoint: ["entry_point", "entryPoint"],
};

/** A record's field by a dotted path ("meta.gold"); undefined when any step is missing. */
export function fieldAt(item: Record<string, unknown>, path: string): unknown {
  return path.split(".").reduce<unknown>((value, key) => (value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined), item);
}

function pick(item: Record<string, unknown>, fields: FieldMapping | undefined, name: keyof FieldMapping): unknown {
  const explicit = fields?.[name];
  if (explicit) return fieldAt(item, explicit);
  for (const candidate of DEFAULTS[name]) if (item[candidate] !== undefined && item[candidate] !== null) return item[candidate];
  return undefined;
}

/** Options as a list of texts in label order: ["a", "b"], {text: [...], label: [...]} (ARC) or {A: "a", B: "b"}. */
function readChoices(value: unknown): string[] | string {
  if (Array.isArray(value)) return value.every((v) => typeof v === "string" || typeof v === "number") ? value.map(String) : "choices must be strings";
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.text)) {
      const texts = record.text.map(String);
      const labels = Array.isArray(record.label) ? record.label.map(String) : null;
      if (labels?.some((label, i) => label !== String.fromCharCode(65 + i))) {
        // Labelled 1-4 or out of order: put them in A, B, C order by their label's rank.
        const order = labels.map((label, i) => ({ label, i })).sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }));
        return order.map(({ i }) => texts[i]!);
      }
      return texts;
    }
    const keys = Object.keys(record).sort();
    if (keys.length && keys.every((key, i) => key === String.fromCharCode(65 + i))) return keys.map((key) => String(record[key]));
  }
  return "choices must be a list, {text, label} or {A: …, B: …}";
}

function toTask(item: Record<string, unknown>, line: number, fileName: string, fields: FieldMapping | undefined): Task | string {
  // MT-Bench: the first of the conversation's turns is the task; the second is run after it (Task.secondTurn).
  const turns = item.turns;
  // Self-Refine's task data: the task in words, and what its prompts need (unless a field mapping says otherwise).
  const own = pick(item, fields, "question");
  const selfRefine = fields?.question ? null : selfRefineRecord(item, own !== undefined && own !== null);
  const question = selfRefine?.question ?? own ?? (Array.isArray(turns) && typeof turns[0] === "string" ? turns[0] : undefined);
  if (typeof question !== "string" || question.trim() === "") return `no question (looked for ${fields?.question ?? DEFAULTS.question.join(", ")})`;
  const rawId = pick(item, fields, "id");
  const id = rawId !== undefined ? String(rawId) : `${fileName}:${line}`;
  const tests = pick(item, fields, "tests");
  const entryPoint = pick(item, fields, "entryPoint");
  // HumanEval: the prompt is the task, `test` defines check(), `entry_point` names the function.
  if (typeof tests === "string" && (typeof entryPoint === "string" || fields?.tests)) {
    return { id, question, tests: { language: "python", code: tests, ...(typeof entryPoint === "string" ? { entryPoint } : {}) } };
  }
  const reference = pick(item, fields, "reference");
  if (fields?.reference && (reference === undefined || reference === null)) return `no '${fields.reference}' field for the reference answer`;
  const rawChoices = pick(item, fields, "choices");
  let choices: string[] | undefined;
  if (rawChoices !== undefined) {
    const read = readChoices(rawChoices);
    if (typeof read === "string") return read;
    if (read.length < 2 || read.length > 26) return `a multiple-choice item needs 2 to 26 choices, found ${read.length}`;
    choices = read;
  }
  const checklist = readChecklist(item.checklist);
  if (typeof checklist === "string") return checklist;
  // MT-Bench: the second turn is asked after the first is answered (only when the first turn is the question).
  const secondTurn = question === (Array.isArray(turns) ? turns[0] : undefined) ? secondTurnOf(item) : undefined;
  return {
    id,
    question: choices ? questionWithChoices(question, choices) : question,
    ...(reference !== undefined && reference !== null ? { reference: String(reference) } : {}),
    ...(choices ? { choices } : {}),
    ...(checklist ? { checklist } : {}),
    ...(selfRefine ? { selfRefine: selfRefine.selfRefine } : {}),
    ...(secondTurn ? { secondTurn } : {}),
  };
}

export type DatasetRow = { line: number; value: unknown; error?: string };

/**
 * The records of a JSON array or JSONL file. Error messages quote the file only once it has shown itself to be
 * a dataset (a line that is a JSON object): given /etc/shadow by mistake, or on purpose, nothing of it is echoed.
 * A UTF-8 byte order mark at the start (as Windows editors write) is not part of the first record.
 */
export function parseRows(path: string, textGiven: string): DatasetRow[] {
  const text = textGiven.startsWith("\uFEFF") ? textGiven.slice(1) : textGiven;
  const rows: DatasetRow[] = [];
  const grouped = groupedRecords(text);
  if (grouped) return grouped.map((value, index) => ({ line: index + 1, value }));
  if (text.trimStart().startsWith("[")) {
    let array: unknown;
    try {
      array = JSON.parse(text);
    } catch {
      const { line, column, kind } = describeJsonSyntaxError(text);
      throw new DatasetError(`${path}: not valid JSON at line ${line}, column ${column}: ${kind} (a JSON dataset is one array of objects)`);
    }
    (array as unknown[]).forEach((value, index) => rows.push({ line: index + 1, value }));
    return rows;
  }
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    try {
      rows.push({ line: index + 1, value: JSON.parse(line) });
    } catch {
      const { column, kind } = describeJsonSyntaxError(line);
      rows.push({ line: index + 1, value: null, error: `not JSON at column ${column}: ${kind}` });
    }
  });
  const isDataset = rows.some((row) => !row.error && typeof row.value === "object" && row.value !== null && !Array.isArray(row.value));
  if (rows.length && !isDataset) {
    throw new DatasetError(`${path} is not a dataset: none of its lines is a JSON object (expected JSONL, one object a line, or a JSON array of objects)`);
  }
  return rows;
}

/** What a path that is not a regular file is, in the user's words. */
function kindOfFile(info: Stats): string {
  if (info.isDirectory()) return "a folder";
  if (info.isFIFO()) return "a named pipe (FIFO)";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  return "not a regular file";
}

/**
 * The dataset's text, read only from a regular file. The open does not wait: a FIFO without a writer would hold
 * one of libuv's four file threads until a writer came, and every file request of the engine behind it.
 */
export async function readDatasetText(path: string): Promise<string> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new DatasetError(`dataset not found: ${path}`);
    if (code === "EACCES" || code === "EPERM") throw new DatasetError(`cannot read dataset ${path}: permission denied`);
    throw new DatasetError(`cannot read dataset ${path}: ${code ?? (error as Error).message}`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new DatasetError(`${path} is ${kindOfFile(info)}, not a dataset file: give a .jsonl or .json file`);
    return await handle.readFile("utf8");
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    throw new DatasetError(`cannot read dataset ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  } finally {
    await handle.close();
  }
}

export async function loadDataset(path: string, options: DatasetOptions = {}): Promise<LoadedDataset> {
  const text = await readDatasetText(path);
  const rows = parseRows(path, text);
  const offset = options.offset ?? 0;
  const selected = rows.slice(offset, options.limit !== undefined ? offset + options.limit : undefined);
  const fileName = path.split(/[\\/]/).pop()!;
  const references = options.fields?.reference ? null : await mtBenchReferences(path, selected);
  const tasks: Task[] = [];
  const fields: Array<Record<string, string>> = [];
  const records: LoadedDataset["records"] = [];
  const skipped: MalformedRecord[] = [];
  for (const row of selected) {
    const task =
      row.error ??
      (typeof row.value !== "object" || row.value === null || Array.isArray(row.value)
        ? "not a JSON object"
        : toTask(withReference(row.value as Record<string, unknown>, references), row.line, fileName, options.fields));
    if (typeof task === "string") {
      skipped.push({ line: row.line, reason: task });
    } else {
      tasks.push(task);
      fields.push(categoryFields(row.value as Record<string, unknown>, task));
      records.push({ line: row.line, value: row.value as Record<string, unknown> });
    }
  }
  if (skipped.length && !options.skipMalformed) {
    const listed = skipped
      .slice(0, 5)
      .map((s) => `line ${s.line}: ${s.reason}`)
      .join("; ");
    throw new DatasetError(
      `${path}: ${skipped.length} malformed record${skipped.length > 1 ? "s" : ""} (${listed}${skipped.length > 5 ? "; …" : ""}); fix ${skipped.length > 1 ? "them" : "it"} or ${advice("skipMalformed", "ui")}`,
      "skipMalformed",
    );
  }
  if (!tasks.length) throw new DatasetError(`${path}: no items${skipped.length ? ` (${skipped.length} malformed records skipped)` : ""}`);
  return { tasks, fields, records, skipped };
}

/** MT-Bench questions (when `references` were read for them) carry the reference FastChat judges them with. */
function withReference(item: Record<string, unknown>, references: Map<string, string[]> | null): Record<string, unknown> {
  return references && item.question_id !== undefined && Array.isArray(item.turns) ? mtBenchItem(item, references) : item;
}

export async function readDataset(path: string, options: DatasetOptions = {}): Promise<Task[]> {
  return (await loadDataset(path, options)).tasks;
}

/** "question=problem" → a mapping entry; the CLI's --field. */
export function parseFieldMapping(specs: readonly string[]): FieldMapping {
  const mapping: FieldMapping = {};
  for (const spec of specs) {
    const [name, source] = spec.split("=", 2) as [string, string | undefined];
    if (!source || !(MAPPABLE_FIELDS as readonly string[]).includes(name)) {
      throw new DatasetError(`--field takes <${MAPPABLE_FIELDS.join("|")}>=<field in the dataset>, got '${spec}'`);
    }
    mapping[name as keyof FieldMapping] = source;
  }
  return mapping;
}
