// Grading answers that already exist — written by Refinery or any other tool (lm-evaluation-harness, optillm, a
// script): a dataset file whose records hold a question, a reference, optional choices and a response, read with
// the dataset reader's field mapping and judged by the one checker (`gradeResponse`), item by item in input order.
// Code items (a `test`/`tests` field and an entry point) are judged as runs judge them: their tests run on the
// response in the sandbox.
import type { FieldMapping } from "./dataset.ts";
import { DatasetError, fieldAt, loadDataset } from "./dataset.ts";
import { gradeResponse, runCodeTests } from "../grading/checkers.ts";
import type { Task } from "../protocol/events.ts";
import type { SandboxResult } from "../grading/sandbox.ts";
import { FALLBACK_EXTRACTIONS, type ExtractedBy } from "../grading/answers.ts";
import { csvField } from "./report.ts";

export interface GradeOptions {
  fields?: FieldMapping;
  /** The record's field holding the response to grade (dotted paths reach nested fields). */
  response: string;
  skipMalformed?: boolean;
  limit?: number;
  offset?: number;
}

export interface GradedItem {
  /** Line of the record in the file (its 1-based index in a JSON array). */
  line: number;
  answer: string | null;
  /** "code": the item's tests ran on the response. */
  extractedBy: ExtractedBy | "code";
  correct: boolean | null;
  /** Code items: how the tests ended. */
  tests?: SandboxResult["outcome"];
}

export interface GradeSummary {
  items: number;
  correct: number;
  incorrect: number;
  /** Items without a reference: nothing to judge against. */
  ungraded: number;
  accuracy: number;
  /** Items whose response stated no answer that could be read (code items state none: their tests are run). */
  noAnswer: number;
  /** Items whose answer came from a fallback (the last number, the last option named). */
  fallback: number;
  extractedBy: Partial<Record<GradedItem["extractedBy"], number>>;
}

export interface GradeResult {
  items: GradedItem[];
  summary: GradeSummary;
}

/** The response of each record, or the lines that have none (refused together, like malformed records). */
function responsesOf(path: string, records: ReadonlyArray<{ line: number; value: Record<string, unknown> }>, field: string): string[] {
  const missing: number[] = [];
  const responses = records.map(({ line, value }) => {
    const response = fieldAt(value, field);
    if (typeof response === "string") return response;
    if (typeof response === "number") return String(response);
    missing.push(line);
    return "";
  });
  if (missing.length) {
    const lines = missing.slice(0, 5).join(", ") + (missing.length > 5 ? ", …" : "");
    throw new DatasetError(
      `${path}: no '${field}' field with the response to grade on line${missing.length > 1 ? "s" : ""} ${lines} (name the response's field with --field response=<field>)`,
    );
  }
  return responses;
}

export function summarizeGrades(items: readonly GradedItem[]): GradeSummary {
  const judged = items.filter((item) => item.correct !== null);
  const correct = judged.filter((item) => item.correct).length;
  const extractedBy: GradeSummary["extractedBy"] = {};
  for (const item of items) extractedBy[item.extractedBy] = (extractedBy[item.extractedBy] ?? 0) + 1;
  return {
    items: items.length,
    correct,
    incorrect: judged.length - correct,
    ungraded: items.length - judged.length,
    accuracy: judged.length ? correct / judged.length : Number.NaN,
    noAnswer: items.filter((item) => item.answer === null && item.extractedBy !== "code").length,
    fallback: items.filter((item) => item.extractedBy !== "code" && FALLBACK_EXTRACTIONS.includes(item.extractedBy)).length,
    extractedBy,
  };
}

/** Code items run at most this many sandboxes at once. */
const CODE_CONCURRENCY = 2;

async function gradeItem(task: Task, line: number, response: string): Promise<GradedItem> {
  if (!task.tests) return { line, ...gradeResponse(task, { text: response }) };
  const result = await runCodeTests({ ...task, tests: task.tests }, response);
  return { line, answer: null, extractedBy: "code", correct: result.passed, tests: result.outcome };
}

export async function gradeDataset(path: string, options: GradeOptions): Promise<GradeResult> {
  const dataset = await loadDataset(path, { fields: options.fields, skipMalformed: options.skipMalformed, limit: options.limit, offset: options.offset });
  const responses = responsesOf(path, dataset.records, options.response);
  const items: GradedItem[] = new Array(dataset.tasks.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < dataset.tasks.length; i = next++) items[i] = await gradeItem(dataset.tasks[i]!, dataset.records[i]!.line, responses[i]!);
  };
  await Promise.all(Array.from({ length: CODE_CONCURRENCY }, worker));
  return { items, summary: summarizeGrades(items) };
}

export function gradesCsv(items: readonly GradedItem[]): string {
  const header = ["line", "answer", "extractedBy", "correct"] as const;
  return [header.join(","), ...items.map((item) => header.map((key) => csvField(item[key])).join(","))].join("\n") + "\n";
}

export function gradesJsonl(items: readonly GradedItem[]): string {
  return items.map((item) => JSON.stringify(item)).join("\n") + "\n";
}
