// `npm run bench:grading`: how well Refinery's checker agrees with RealCritic's own grader (`previous_score`) on
// real model outputs (the `reasoning` of every file in ../shared/data/realcritic/), graded by `refinery grade`'s
// code path. Per file: agreement, the share with no extracted answer, and the disagreements grouped by cause,
// each listed so it can be read by hand. Also the grading speed (answers per second, engine start-up included).
// Writes bench/results/grading.md and grading.json.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gradeDataset, type GradedItem } from "../native/eval/grade.ts";
import { answerIsCorrect, choiceOf, taskChoices } from "../native/eval/checkers.ts";
import { readDataset } from "../native/eval/dataset.ts";
import { pct } from "../native/eval/format.ts";
import { repoRoot } from "../test/support/models.ts";
import { REALCRITIC_LABEL_ERRORS } from "../test/support/realcritic-labels.ts";
import type { Task } from "../native/protocol/events.ts";

const folder = resolve(repoRoot, "../shared/data/realcritic");
const out = resolve(repoRoot, "bench/results");

interface Disagreement {
  line: number;
  cause: string;
  label: boolean;
  ours: boolean | null;
  answer: string | null;
  extractedBy: string;
  pred: string;
  reference: string;
  tail: string;
  /** Why RealCritic's label is wrong here, when a reading by hand found it so. */
  labelError?: string;
}

/** Why our verdict differs from the label: no answer, a different answer than RealCritic read, or the same answer judged differently. */
function causeOf(task: Task, item: GradedItem, pred: string): string {
  if (item.answer === null) return "no answer extracted";
  const choices = taskChoices(task);
  const sameAsPred = choices ? choiceOf(pred, choices) === item.answer : answerIsCorrect({ question: task.question, reference: pred }, item.answer) === true;
  const fallback = item.extractedBy === "last-number" || item.extractedBy === "option-mention" ? " (fallback)" : "";
  if (!sameAsPred) return `extracted a different answer than RealCritic's pred${fallback}`;
  return `same answer as pred, judged differently against the reference${fallback}`;
}

const files = readdirSync(folder).filter((name) => name.endsWith(".jsonl")).sort();
const rows: Array<{ file: string; items: number; agreement: number; corrected: number; noAnswer: number; fallback: number; disagreements: Disagreement[] }> = [];
let graded = 0;
let elapsedMs = 0;
for (const file of files) {
  const path = join(folder, file);
  const started = performance.now();
  const result = await gradeDataset(path, { response: "reasoning", fields: { reference: "gt" } });
  elapsedMs += performance.now() - started;
  graded += result.items.length;
  const tasks = await readDataset(path, { fields: { reference: "gt" } });
  const records = readFileSync(path, "utf8").split("\n").filter((line) => line.trim()).map((line) => JSON.parse(line) as Record<string, unknown>);
  const disagreements: Disagreement[] = [];
  let agree = 0;
  result.items.forEach((item, i) => {
    const record = records[i]!;
    const label = String(record.previous_score).toLowerCase().includes("true");
    if (item.correct === label) return void agree++;
    const pred = String(record.pred ?? "");
    const labelError = REALCRITIC_LABEL_ERRORS[file]?.[item.line];
    disagreements.push({ line: item.line, cause: labelError ? "RealCritic's label is wrong (read by hand)" : causeOf(tasks[i]!, item, pred), label, ours: item.correct, answer: item.answer, extractedBy: item.extractedBy, pred, reference: String(record.gt), tail: String(record.reasoning).slice(-160), ...(labelError ? { labelError } : {}) });
  });
  const corrected = agree + disagreements.filter((d) => d.labelError).length;
  rows.push({ file, items: result.items.length, agreement: agree / result.items.length, corrected: corrected / result.items.length, noAnswer: result.summary.noAnswer / result.items.length, fallback: result.summary.fallback / result.items.length, disagreements });
}
const perThousandMs = (elapsedMs / graded) * 1000;

const cell = (text: string | null) => (text ?? "∅").replace(/\|/g, "\\|").replace(/\s+/g, " ").slice(0, 160);
const lines = [
  `# Grading benchmark (${new Date().toISOString().slice(0, 10)}): Refinery's checker vs RealCritic's labels`,
  "",
  `${graded} real model answers from ${files.length} files graded in ${elapsedMs.toFixed(0)} ms (${perThousandMs.toFixed(0)} ms per 1,000, the math engine's start-up included).`,
  "",
  "| file | items | agreement with previous_score | with the labels read by hand as wrong corrected | no answer extracted | answer from a fallback | disagreements |",
  "|---|---|---|---|---|---|---|",
  ...rows.map((r) => `| ${r.file} | ${r.items} | ${pct(r.agreement)} | ${pct(r.corrected)} | ${pct(r.noAnswer)} | ${pct(r.fallback)} | ${r.disagreements.length} |`),
  "",
  "Fallbacks: `last-number` (a numeric task's solution stated no answer; its last number is taken, as GSM8K graders do) and `option-mention` (a multiple-choice solution stated no answer; the option it names last). The labels read by hand as wrong, and why, are in `test/support/realcritic-labels.ts` and listed below.",
  "",
];
for (const row of rows) {
  if (!row.disagreements.length) continue;
  lines.push(`## ${row.file}: disagreements by cause`, "");
  const causes = new Map<string, Disagreement[]>();
  for (const d of row.disagreements) causes.set(d.cause, [...(causes.get(d.cause) ?? []), d]);
  for (const [cause, list] of causes) {
    lines.push(`### ${cause} (${list.length})`, "", "| line | label | ours | our answer (how) | RealCritic pred | reference | end of the response | why the label is wrong |", "|---|---|---|---|---|---|---|---|");
    for (const d of list) lines.push(`| ${d.line} | ${d.label} | ${d.ours} | ${cell(d.answer)} (${d.extractedBy}) | ${cell(d.pred)} | ${cell(d.reference)} | ${cell(d.tail)} | ${cell(d.labelError ?? "")} |`);
    lines.push("");
  }
}
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "grading.md"), `${lines.join("\n")}\n`);
writeFileSync(join(out, "grading.json"), `${JSON.stringify({ graded, elapsedMs, perThousandMs, files: rows.map(({ disagreements, ...r }) => ({ ...r, disagreements: disagreements.length })) }, null, 2)}\n`);
process.stdout.write(`${rows.map((r) => `${r.file}: agreement ${pct(r.agreement)} (${pct(r.corrected)} with wrong labels corrected), no answer ${pct(r.noAnswer)}, ${r.disagreements.length} disagreements`).join("\n")}\n${perThousandMs.toFixed(0)} ms per 1,000 answers\n`);
