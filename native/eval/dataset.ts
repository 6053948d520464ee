// Reads task datasets: JSONL (one object a line) or a JSON array, with a field mapping. Defaults cover
// GSM8K (question/answer), MATH-500 (problem/answer), RealCritic (question/gt) and HumanEval (prompt).
import { readFile } from "node:fs/promises";
import type { Task } from "../protocol/events.ts";

export interface FieldMapping {
  question?: string;
  reference?: string;
  id?: string;
}

export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatasetError";
  }
}

const QUESTION_FIELDS = ["question", "problem", "prompt", "input"];
const REFERENCE_FIELDS = ["answer", "gt", "reference", "target", "solution"];
const ID_FIELDS = ["id", "task_id", "unique_id"];

function pick(item: Record<string, unknown>, explicit: string | undefined, candidates: string[]): unknown {
  if (explicit) return item[explicit];
  for (const name of candidates) if (item[name] !== undefined) return item[name];
  return undefined;
}

export async function readDataset(path: string, options: { limit?: number; offset?: number; fields?: FieldMapping } = {}): Promise<Task[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DatasetError(code === "ENOENT" ? `dataset not found: ${path}` : `cannot read dataset ${path}: ${(error as Error).message}`);
  }
  const rows: Array<{ line: number; value: unknown }> = [];
  if (text.trimStart().startsWith("[")) {
    let array: unknown;
    try {
      array = JSON.parse(text);
    } catch (error) {
      throw new DatasetError(`${path}: not valid JSON (${(error as Error).message})`);
    }
    (array as unknown[]).forEach((value, index) => rows.push({ line: index + 1, value }));
  } else {
    text.split("\n").forEach((line, index) => {
      if (line.trim() === "") return;
      try {
        rows.push({ line: index + 1, value: JSON.parse(line) });
      } catch (error) {
        throw new DatasetError(`${path}:${index + 1}: not a JSON object (${(error as Error).message})`);
      }
    });
  }
  const offset = options.offset ?? 0;
  const selected = rows.slice(offset, options.limit !== undefined ? offset + options.limit : undefined);
  return selected.map(({ line, value }) => {
    if (typeof value !== "object" || value === null) throw new DatasetError(`${path}:${line}: not a JSON object`);
    const item = value as Record<string, unknown>;
    const question = pick(item, options.fields?.question, QUESTION_FIELDS);
    if (typeof question !== "string" || question.trim() === "") {
      throw new DatasetError(`${path}:${line}: no question (looked for ${options.fields?.question ?? QUESTION_FIELDS.join(", ")})`);
    }
    const id = pick(item, options.fields?.id, ID_FIELDS);
    // HumanEval: the prompt is the task, `test` defines check(), `entry_point` names the function.
    if (typeof item.test === "string" && typeof item.entry_point === "string") {
      return {
        id: id !== undefined ? String(id) : `${path.split("/").pop()}:${line}`,
        question,
        tests: { language: "python" as const, code: item.test, entryPoint: item.entry_point },
      };
    }
    const reference = pick(item, options.fields?.reference, REFERENCE_FIELDS);
    return {
      id: id !== undefined ? String(id) : `${path.split("/").pop()}:${line}`,
      question,
      ...(reference !== undefined && reference !== null ? { reference: String(reference) } : {}),
    };
  });
}
