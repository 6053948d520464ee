// Critiques scored as text (MetaCritique, Sun et al. 2024): the critic writes a free-text critique of each item's
// answer; the judge splits it into atomic information units (AIUs, after prompts/extract_aius.txt), checks each for
// truth against the question, the answer and the reference answer (Meta-Precision, after prompts/precision.txt),
// and checks each AIU of the reference critique for entailment by the critic's critique (Meta-Recall, after
// prompts/recall.txt). Meta-F1 is their harmonic mean per item; the figures are means over items, as the paper
// reports them. An unreadable verdict counts as false.
import type { JsonSchema, ModelBackend } from "../../llm/backend.ts";
import { parseJsonLoose } from "../../llm/json-output.ts";
import type { ChatMessage } from "../../protocol/events.ts";
import { strictObject } from "../../strategies/verdicts.ts";
import { DatasetError, parseRows, readDatasetText } from "../dataset.ts";
import { claimsSchema } from "../../strategies/judge-prompts.ts";
import { DEFAULT_JUDGE_SETTINGS, judgeClaims, MAX_CLAIMS_PER_CALL, type Judge } from "./graders.ts";

export interface MetaCritiqueItem {
  id: string;
  question: string;
  answer: string;
  reference: string;
  /** The reference critique's AIUs: what a complete critique says. */
  referenceClaims: string[];
}

export async function readMetaCritique(path: string, limit?: number): Promise<MetaCritiqueItem[]> {
  const rows = parseRows(path, await readDatasetText(path)).slice(0, limit);
  return rows.map((row) => {
    const record = row.value as Record<string, unknown> | null;
    const critique = record?.gpt4_critique as { aius?: unknown } | undefined;
    if (!record || typeof record.question !== "string" || typeof record.response !== "string" || !Array.isArray(critique?.aius))
      throw new DatasetError(`${path}:${row.line}: not a MetaCritique benchmark item (needs question, response, gpt4_answer, gpt4_critique.aius)`);
    return {
      id: String(record.index ?? row.line),
      question: record.question,
      answer: record.response,
      reference: typeof record.gpt4_answer === "string" ? record.gpt4_answer : "",
      referenceClaims: critique.aius.map(String),
    };
  });
}

const MAX_AIUS = 12;
const aiuSchema: JsonSchema = strictObject({
  claims: { type: "array", minItems: 1, maxItems: MAX_AIUS, items: { type: "string", maxLength: 300 } },
});

function critiqueMessages(item: MetaCritiqueItem): ChatMessage[] {
  return [
    { role: "system", content: "You are a careful reviewer. You critique answers: point out what is wrong or missing, and how to fix it." },
    { role: "user", content: `[Question]\n${item.question}\n\n[Model-generated answer]\n${item.answer}\n\nWrite a critique of the model-generated answer.` },
  ];
}

function extractionMessages(critique: string): ChatMessage[] {
  return [
    {
      role: "system",
      content:
        "You receive a critique, the critical comment on an input question and a model-generated answer. List all check-worthy claims of the critique: each claim is an atomic statement holding one fine-grained unit of information, concise (a sentence) and self-contained. 'The answer' in the critique means the model-generated answer or the correct answer.",
    },
    { role: "user", content: `[Critique]\n${critique}\n\nList its claims in 'claims'.` },
  ];
}

function entailmentMessages(critique: string, claims: readonly string[]): ChatMessage[] {
  return [
    {
      role: "system",
      content:
        "You receive a reference text and claims. 'The answer' in the reference text means the model-generated answer or the correct answer. A claim is true if it is explicitly mentioned in the reference text or logically deducible from it; otherwise it is false.",
    },
    {
      role: "user",
      content: `<reference text>\n${critique}\n\n<claims>\n${claims.map((c, i) => `${i + 1}. ${c}`).join("\n")}\n\nFor each claim, in the order given, write your reasoning in 'reasoning' first, then "true" or "false" in 'verdict'.`,
    },
  ];
}

export interface MetaCritiqueRow {
  id: string;
  critique: string;
  /** The critic's critique split into AIUs by the judge, each with its truth verdict (null: unreadable). */
  aius: Array<{ claim: string; true: boolean | null }>;
  /** The reference critique's AIUs, each with whether the critic's critique entails it. */
  recall: Array<{ claim: string; entailed: boolean | null }>;
  precision: number;
  recallScore: number;
  f1: number;
}

export interface MetaCritiqueResult {
  rows: MetaCritiqueRow[];
  metaPrecision: number;
  metaRecall: number;
  metaF1: number;
  /** Verdicts the judge's output did not give (counted as false). */
  unreadable: number;
}

const share = (values: ReadonlyArray<boolean | null>) => (values.length ? values.filter((v) => v === true).length / values.length : 0);
const harmonic = (p: number, r: number) => (p + r > 0 ? (2 * p * r) / (p + r) : 0);
const mean = (values: readonly number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN);

export async function evaluateMetaCritique(
  items: readonly MetaCritiqueItem[],
  critic: ModelBackend,
  judge: Judge,
  options: { maxTokens?: number; seed?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<MetaCritiqueResult> {
  const rows: MetaCritiqueRow[] = [];
  let unreadable = 0;
  for (const [index, item] of items.entries()) {
    options.signal?.throwIfAborted();
    const seed = (options.seed ?? 0) + index;
    const settings = { ...DEFAULT_JUDGE_SETTINGS, ...(options.maxTokens ? { maxTokens: options.maxTokens } : {}), seed, signal: options.signal };
    const written = await critic.generate({
      messages: critiqueMessages(item),
      maxTokens: settings.maxTokens,
      temperature: 0,
      seed,
      lane: "critic",
      signal: options.signal,
    });
    const critique = written.text.trim();
    const extracted = await judge.backend.generate({
      messages: extractionMessages(critique),
      jsonSchema: aiuSchema,
      maxTokens: settings.maxTokens,
      temperature: 0,
      seed,
      lane: "judge",
      signal: options.signal,
    });
    const parsed = parseJsonLoose<{ claims?: unknown }>(extracted.text);
    const claims = parsed.ok && Array.isArray(parsed.value?.claims) ? parsed.value.claims.map(String).filter((c) => c.trim()) : [];
    const truth = claims.length ? (await judgeClaims(judge, item.question, item.answer, item.reference, claims, settings)).verdicts : [];
    const entailed: Array<boolean | null> = [];
    for (let from = 0; from < item.referenceClaims.length; from += MAX_CLAIMS_PER_CALL) {
      const part = item.referenceClaims.slice(from, from + MAX_CLAIMS_PER_CALL);
      const result = await judge.backend.generate({
        messages: entailmentMessages(critique, part),
        jsonSchema: claimsSchema(part.length),
        maxTokens: settings.maxTokens,
        temperature: 0,
        seed: seed + from,
        lane: "judge",
        signal: options.signal,
      });
      const value = parseJsonLoose<{ claims?: Array<{ verdict?: unknown }> }>(result.text);
      part.forEach((_, i) => {
        const verdict = value.ok && Array.isArray(value.value?.claims) ? value.value.claims[i]?.verdict : undefined;
        entailed.push(verdict === "true" ? true : verdict === "false" ? false : null);
      });
    }
    unreadable += [...truth, ...entailed].filter((v) => v === null).length + (claims.length ? 0 : 1);
    const precision = share(truth);
    const recallScore = share(entailed);
    rows.push({
      id: item.id,
      critique,
      aius: claims.map((claim, i) => ({ claim, true: truth[i] ?? null })),
      recall: item.referenceClaims.map((claim, i) => ({ claim, entailed: entailed[i] ?? null })),
      precision,
      recallScore,
      f1: harmonic(precision, recallScore),
    });
    options.onProgress?.(rows.length, items.length);
  }
  return {
    rows,
    metaPrecision: mean(rows.map((r) => r.precision)),
    metaRecall: mean(rows.map((r) => r.recallScore)),
    metaF1: mean(rows.map((r) => r.f1)),
    unreadable,
  };
}

export function describeMetaCritique(critic: string, judge: string, r: MetaCritiqueResult): string {
  const pct = (x: number) => (Number.isFinite(x) ? (x * 100).toFixed(1) : "–");
  return `MetaCritique on ${r.rows.length} items, critic ${critic}, judge ${judge}: Meta-Precision ${pct(r.metaPrecision)} · Meta-Recall ${pct(r.metaRecall)} · Meta-F1 ${pct(r.metaF1)} (${r.unreadable} unreadable verdicts, counted as false)`;
}
