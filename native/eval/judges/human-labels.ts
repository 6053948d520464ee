// Human-labelled judging data, read as the authors ship it. Pairwise: LLMBar (input, output_1, output_2,
// label 1|2), PandaLM's test set (instruction, input, response1, response2, three annotators: 0 tie, 1, 2 — the
// label is their majority), or a plain file (question, answer_a, answer_b, human: "A"|"B"|"tie"). Scores: FED's
// turn-level ratings in Self-Refine's fed_data.json (context, response, annotations.Overall from five raters on
// 0–4, averaged and mapped onto 1–10; its dialogue-level records, without a response, are left out), or a plain
// file (question, answer, human_score on 1–10).
import { DatasetError, parseRows, readDatasetText } from "../dataset.ts";

export type HumanPreference = "A" | "B" | "tie";

export interface PairwiseLabelled {
  id: string;
  question: string;
  answerA: string;
  answerB: string;
  human: HumanPreference;
}

export interface ScoreLabelled {
  id: string;
  question: string;
  answer: string;
  /** On the judge's 1–10 scale. */
  human: number;
}

/** A critique split into claims (MetaCritique's AIUs), each labelled true or false by people (Meta-Precision). */
export interface ClaimsLabelled {
  id: string;
  question: string;
  answer: string;
  reference: string;
  claims: string[];
  human: boolean[];
}

/** `skipped`: records of another granularity the format ships beside (FED's whole-dialogue ratings). */
export type LabelledSet =
  | { mode: "pairwise"; format: string; items: PairwiseLabelled[]; skipped: number }
  | { mode: "score"; format: string; items: ScoreLabelled[]; skipped: number }
  | { mode: "claims"; format: string; items: ClaimsLabelled[]; skipped: number };

const CRITIQUE_KEYS = ["human_critique", "llm1_critique", "llm2_critique"] as const;

/**
 * MetaCritique's annotation data: per record, the human, Llama-2-70B and Vicuna-13B critiques of one answer, each
 * with its AIUs and people's precision labels; one labelled item per critique.
 */
function readClaims(record: Record<string, unknown>, index: number): { format: string; items: ClaimsLabelled[] } | string | null {
  const critiques = CRITIQUE_KEYS.map((key) => [key, record[key]] as const).filter(([, c]) => c && typeof c === "object");
  if (!critiques.length || text(record.response) === undefined) return null;
  const items: ClaimsLabelled[] = [];
  for (const [key, raw] of critiques) {
    const critique = raw as { aius?: unknown; precision_labels?: unknown };
    const claims = critique.aius;
    const labels = critique.precision_labels;
    if (!Array.isArray(claims) || !Array.isArray(labels) || claims.length !== labels.length || !labels.every((l) => typeof l === "boolean"))
      return `${key} needs aius and as many precision_labels (true or false)`;
    if (!claims.length) continue;
    items.push({
      id: `${String(record.index ?? index)}:${key}`,
      question: text(record.question) ?? "",
      answer: text(record.response)!,
      reference: text(record.gpt4_answer) ?? "",
      claims: claims.map(String),
      human: labels as boolean[],
    });
  }
  return { format: "MetaCritique", items };
}

/** FED's dialogue-level record: ratings of a whole conversation, no single response to judge. */
const isFedDialogue = (record: Record<string, unknown>) =>
  record.response === undefined && typeof record.context === "string" && typeof record.annotations === "object";

const text = (value: unknown) => (typeof value === "string" ? value : undefined);

/** PandaLM's annotators: 0 = tie, 1 or 2 = that response; the label most of them gave, a tie when they split. */
function pandaMajority(votes: unknown[]): HumanPreference | null {
  const known = votes.filter((v): v is number => v === 0 || v === 1 || v === 2);
  if (!known.length) return null;
  for (const [value, label] of [
    [1, "A"],
    [2, "B"],
    [0, "tie"],
  ] as const)
    if (known.filter((v) => v === value).length * 2 > known.length) return label;
  return "tie";
}

function readPairwise(record: Record<string, unknown>, index: number): { format: string; item: PairwiseLabelled } | string | null {
  const id = String(record.id ?? record.idx ?? index);
  if (text(record.output_1) !== undefined && (record.label === 1 || record.label === 2)) {
    return {
      format: "LLMBar",
      item: {
        id,
        question: text(record.input) ?? "",
        answerA: text(record.output_1)!,
        answerB: text(record.output_2) ?? "",
        human: record.label === 1 ? "A" : "B",
      },
    };
  }
  // PandaLM's responses are sometimes a bare JSON true or number: the text the model wrote.
  if ("response1" in record && "annotator1" in record) {
    const human = pandaMajority([record.annotator1, record.annotator2, record.annotator3]);
    if (!human) return "no annotator gave 0, 1 or 2";
    const input = text(record.input);
    const question = `${text(record.instruction) ?? ""}${input ? `\n\n${input}` : ""}`;
    return { format: "PandaLM", item: { id, question, answerA: String(record.response1 ?? ""), answerB: String(record.response2 ?? ""), human } };
  }
  if (text(record.answer_a) !== undefined && text(record.answer_b) !== undefined) {
    const human = record.human;
    if (human !== "A" && human !== "B" && human !== "tie") return `human must be "A", "B" or "tie"`;
    return { format: "pairwise", item: { id, question: text(record.question) ?? "", answerA: text(record.answer_a)!, answerB: text(record.answer_b)!, human } };
  }
  return null;
}

function readScore(record: Record<string, unknown>, index: number): { format: string; item: ScoreLabelled } | string | null {
  const id = String(record.id ?? index);
  const overall = (record.annotations as Record<string, unknown> | undefined)?.Overall;
  if (text(record.response) !== undefined && Array.isArray(overall)) {
    const ratings = overall.filter((r): r is number => typeof r === "number");
    if (!ratings.length) return "no Overall ratings";
    const mean = ratings.reduce((a, b) => a + b, 0) / ratings.length;
    return {
      format: "FED (Self-Refine dialogue)",
      item: { id, question: text(record.context) ?? "", answer: text(record.response)!, human: 1 + (mean * 9) / 4 },
    };
  }
  if (text(record.answer) !== undefined && typeof record.human_score === "number") {
    if (record.human_score < 1 || record.human_score > 10) return "human_score must be on 1–10";
    return { format: "score", item: { id, question: text(record.question) ?? "", answer: text(record.answer)!, human: record.human_score } };
  }
  return null;
}

export async function readLabelled(path: string, options: { limit?: number; mode?: "pairwise" | "score" | "claims" } = {}): Promise<LabelledSet> {
  const rows = parseRows(path, await readDatasetText(path)).slice(0, options.limit);
  const pairwise: PairwiseLabelled[] = [];
  const scores: ScoreLabelled[] = [];
  let format = "";
  let skipped = 0;
  const claims: ClaimsLabelled[] = [];
  for (const [index, row] of rows.entries()) {
    if (row.error || typeof row.value !== "object" || row.value === null) throw new DatasetError(`${path}:${row.line}: ${row.error ?? "not a JSON object"}`);
    const record = row.value as Record<string, unknown>;
    if (isFedDialogue(record)) {
      skipped++;
      continue;
    }
    const claimed = options.mode === "pairwise" || options.mode === "score" ? null : readClaims(record, index);
    if (typeof claimed === "string") throw new DatasetError(`${path}:${row.line}: ${claimed}`);
    if (claimed) {
      format ||= claimed.format;
      claims.push(...claimed.items);
      continue;
    }
    if (options.mode === "claims")
      throw new DatasetError(`${path}:${row.line}: not a MetaCritique annotation record (question, response, critiques with aius and precision_labels)`);
    const read = options.mode === "score" ? null : readPairwise(record, index);
    const scored = read === null && options.mode !== "pairwise" ? readScore(record, index) : null;
    const found = read ?? scored;
    if (found === null)
      throw new DatasetError(
        `${path}:${row.line}: not a human-labelled record (pairwise: LLMBar's output_1/output_2/label, PandaLM's response1/response2/annotators, or question/answer_a/answer_b/human; scores: FED's response/annotations.Overall, or question/answer/human_score)`,
      );
    if (typeof found === "string") throw new DatasetError(`${path}:${row.line}: ${found}`);
    format ||= found.format;
    if ("answerA" in found.item) pairwise.push(found.item);
    else scores.push(found.item);
  }
  if ([pairwise.length, scores.length, claims.length].filter(Boolean).length > 1)
    throw new DatasetError(`${path} mixes kinds of labels (pairwise preferences, scores, claims): give one kind (--mode pairwise, score or claims)`);
  if (claims.length) return { mode: "claims", format, items: claims, skipped };
  if (!pairwise.length && !scores.length) throw new DatasetError(`${path}: no items`);
  return pairwise.length ? { mode: "pairwise", format, items: pairwise, skipped } : { mode: "score", format, items: scores, skipped };
}
