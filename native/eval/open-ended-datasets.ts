// Open-ended datasets as their authors ship them: RefineBench's samples are one JSON object of domains, each a list
// of items with a checklist; MT-Bench keeps its reference answers in reference_answer/gpt-4.jsonl beside
// question.jsonl (FastChat's layout), keyed by question_id, one answer per turn.
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { SelfRefineItem } from "../protocol/events.ts";

/**
 * The items of a JSON object whose every value is a list of objects (RefineBench: {"Biology/Medicine": [...], …}),
 * in the file's order; null for anything else, which the usual readers take.
 */
export function groupedRecords(text: string): unknown[] | null {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith("{")) return null;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const groups = Object.values(value);
  const isGroup = (group: unknown) =>
    Array.isArray(group) && group.length > 0 && group.every((item) => typeof item === "object" && item !== null && !Array.isArray(item));
  return groups.length > 0 && groups.every(isGroup) ? (groups as unknown[][]).flat() : null;
}

/** A record's checklist (a list of criteria, as RefineBench's), undefined when it has none, or what is wrong with it. */
export function readChecklist(value: unknown): string[] | undefined | string {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((c) => typeof c === "string" && c.trim() !== "")) return "checklist must be a list of criteria (non-empty texts)";
  return value.length ? value : undefined;
}

/** FastChat's categories judged with a reference answer (NEED_REF_CATS); the others are judged without. */
const MT_BENCH_REFERENCE_CATEGORIES = new Set(["math", "reasoning", "coding"]);

/** Where an MT-Bench record keeps its per-turn references once read (a list, so no category filter takes it). */
export const MT_BENCH_TURN_REFERENCES = "mt_bench_turn_references";

/**
 * An MT-Bench question as FastChat judges it: with its reference answers (the gpt-4 file beside the questions, else
 * the question's own `reference` list), one per turn, in the categories that need one, without elsewhere. The first
 * turn's is the item's reference; every turn's are kept for the second turn.
 */
export function mtBenchItem(item: Record<string, unknown>, references: Map<string, string[]>): Record<string, unknown> {
  const { reference: own, ...rest } = item;
  if (!MT_BENCH_REFERENCE_CATEGORIES.has(String(item.category))) return rest;
  const turns = references.get(String(item.question_id)) ?? (Array.isArray(own) && own.every((r) => typeof r === "string") ? (own as string[]) : undefined);
  if (!turns?.length) return rest;
  return { ...rest, reference: turns[0], [MT_BENCH_TURN_REFERENCES]: turns };
}

/**
 * A multi-turn record's second turn (MT-Bench's `turns`), with its reference when the record kept one; undefined
 * for a record of one turn.
 */
export function secondTurnOf(item: Record<string, unknown>): { question: string; reference?: string } | undefined {
  const turns = item.turns;
  if (!Array.isArray(turns) || typeof turns[1] !== "string" || turns[1].trim() === "") return undefined;
  const references = item[MT_BENCH_TURN_REFERENCES];
  const reference = Array.isArray(references) && typeof references[1] === "string" ? references[1] : undefined;
  return { question: turns[1], ...(reference !== undefined ? { reference } : {}) };
}

/**
 * MT-Bench's reference answers (one per turn) by question_id, read from reference_answer/gpt-4.jsonl beside the
 * questions (empty when that file is not there); null when the records are not MT-Bench questions.
 */
export async function mtBenchReferences(datasetPath: string, rows: ReadonlyArray<{ value: unknown }>): Promise<Map<string, string[]> | null> {
  const isMtBench = rows.some((row) => {
    const item = row.value as Record<string, unknown> | null;
    return item !== null && typeof item === "object" && item.question_id !== undefined && Array.isArray(item.turns);
  });
  if (!isMtBench) return null;
  let text: string;
  try {
    text = await readFile(join(dirname(datasetPath), "reference_answer", "gpt-4.jsonl"), "utf8");
  } catch {
    return new Map();
  }
  const references = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const record = JSON.parse(line) as { question_id?: unknown; choices?: Array<{ turns?: unknown[] }> };
      const turns = record.choices?.[0]?.turns;
      if (record.question_id !== undefined && Array.isArray(turns) && typeof turns[0] === "string")
        references.set(
          String(record.question_id),
          turns.filter((t): t is string => typeof t === "string"),
        );
    } catch {
      // A damaged reference line leaves that question without a reference; the questions still load.
    }
  }
  return references;
}

const text = (value: unknown): value is string => typeof value === "string" && value.trim() !== "";

/** FED's context as responsegen/run.py feeds it: its last 8 lines, without the "System: " / "User: " labels. */
function fedHistory(context: string): string {
  return context.split("\n").slice(-8).join("\n").replaceAll("System: ", "").replaceAll("User: ", "");
}

/**
 * A record of Self-Refine's own task data as shipped (madaan/self-refine): Yelp's review with its sentiment and
 * target (sentiment reversal), CommonGen-Hard's concept list, a FED dialogue's context, an acronym's title. The
 * question says the task in words a solver reads; `selfRefine` carries what that task's prompts show. Null for
 * any other record. Only Yelp's three fields are distinctive enough to read in a record that has a question of its
 * own (Yelp's `input` repeats the review); the others apply to records without one.
 */
export function selfRefineRecord(item: Record<string, unknown>, hasQuestion: boolean): { question: string; selfRefine: SelfRefineItem } | null {
  if (text(item.review) && text(item.sentiment) && text(item.target_sentiment)) {
    return {
      question: `${item.sentiment}: ${item.review}\n\nRewrite this review to have a ${item.target_sentiment} sentiment.`,
      selfRefine: { task: "sentiment", input: item.review, sourceSentiment: item.sentiment, targetSentiment: item.target_sentiment },
    };
  }
  if (hasQuestion) return null;
  if (Array.isArray(item.concepts) && item.concepts.length > 0 && item.concepts.every(text)) {
    const concepts = item.concepts as string[];
    return {
      question: `Write one sentence that uses all of these concepts: ${concepts.join(", ")}.`,
      selfRefine: { task: "commongen", concepts },
    };
  }
  if (text(item.context) && (text(item.response) || typeof item.annotations === "object")) {
    const history = fedHistory(item.context);
    return { question: `Continue this conversation with one response:\n\n${history}`, selfRefine: { task: "dialogue", input: history } };
  }
  if (text(item.title) && text(item.acronym)) {
    return { question: `Write an acronym for: ${item.title}`, selfRefine: { task: "acronym", input: item.title } };
  }
  return null;
}
