// `npm run bench:grading`: how well Refinery's checker agrees with RealCritic's own grader (`previous_score`) on
// real model outputs (the `reasoning` of every file in ../shared/data/realcritic/), graded by `refinery grade`'s
// code path. Per file: agreement, the share with no extracted answer, and the disagreements grouped by cause,
// each listed so it can be read by hand. Also the grading speed (answers per second, engine start-up included), and
// how many verdicts change when each file is graded again backwards (none: a verdict depends on its item only).
// A second check on other models' outputs: ProcessBench's solutions (Llama-3, Qwen2…) whose problem is also in
// the shipped GSM8K / MATH-500 test files, labelled by ProcessBench's `final_answer_correct`, graded against those
// files' references. Writes bench/results/grading.md and grading.json.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gradeDataset, type GradedItem } from "../native/eval/grade.ts";
import { answerIsCorrect, choiceOf, gradeResponse, taskChoices } from "../native/grading/checkers.ts";
import { readDataset } from "../native/eval/dataset.ts";
import { pct } from "../native/protocol/format.ts";
import { repoRoot } from "../test/support/models.ts";
import { REALCRITIC_LABEL_ERRORS } from "../test/support/realcritic-labels.ts";
import { loadavg } from "node:os";
import { mathEquivalent } from "../native/grading/math-equivalence.ts";
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

const files = readdirSync(folder)
  .filter((name) => name.endsWith(".jsonl"))
  .sort();
const rows: Array<{ file: string; items: number; agreement: number; corrected: number; noAnswer: number; fallback: number; disagreements: Disagreement[] }> =
  [];
let graded = 0;
// The math engine starts once a process (the first comparison); timed apart from the grading itself.
const startupStarted = performance.now();
mathEquivalent("x", "y");
const startupMs = performance.now() - startupStarted;
let elapsedMs = startupMs;
for (const file of files) {
  const path = join(folder, file);
  const started = performance.now();
  const result = await gradeDataset(path, { response: "reasoning", fields: { reference: "gt" } });
  elapsedMs += performance.now() - started;
  graded += result.items.length;
  const tasks = await readDataset(path, { fields: { reference: "gt" } });
  const records = readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const disagreements: Disagreement[] = [];
  let agree = 0;
  result.items.forEach((item, i) => {
    const record = records[i]!;
    const label = String(record.previous_score).toLowerCase().includes("true");
    if (item.correct === label) return void agree++;
    const pred = String(record.pred ?? "");
    const labelError = REALCRITIC_LABEL_ERRORS[file]?.[item.line];
    disagreements.push({
      line: item.line,
      cause: labelError ? "RealCritic's label is wrong (read by hand)" : causeOf(tasks[i]!, item, pred),
      label,
      ours: item.correct,
      answer: item.answer,
      extractedBy: item.extractedBy,
      pred,
      reference: String(record.gt),
      tail: String(record.reasoning).slice(-160),
      ...(labelError ? { labelError } : {}),
    });
  });
  const corrected = agree + disagreements.filter((d) => d.labelError).length;
  rows.push({
    file,
    items: result.items.length,
    agreement: agree / result.items.length,
    corrected: corrected / result.items.length,
    noAnswer: result.summary.noAnswer / result.items.length,
    fallback: result.summary.fallback / result.items.length,
    disagreements,
  });
}
const perThousandMs = (elapsedMs / graded) * 1000;

/** Items whose verdict changes when their file is graded backwards, after every file was graded forwards: none when grading is a pure function of the item. */
async function orderDependentVerdicts(): Promise<Array<{ file: string; line: number }>> {
  const scratch = mkdtempSync(join(tmpdir(), "refinery-grading-order-"));
  const changed: Array<{ file: string; line: number }> = [];
  for (const file of files) {
    const path = join(folder, file);
    const lines = readFileSync(path, "utf8")
      .split("\n")
      .filter((line) => line.trim());
    const reversed = join(scratch, file);
    writeFileSync(reversed, lines.toReversed().join("\n"));
    const forwards = (await gradeDataset(path, { response: "reasoning", fields: { reference: "gt" } })).items;
    const backwards = (await gradeDataset(reversed, { response: "reasoning", fields: { reference: "gt" } })).items.toReversed();
    forwards.forEach((item, i) => {
      if (item.correct !== backwards[i]!.correct) changed.push({ file, line: item.line });
    });
  }
  return changed;
}
const orderDependent = await orderDependentVerdicts();
const load = loadavg()[0]!.toFixed(1);

/** ProcessBench items whose problem the shipped test sets answer, graded on their joined steps. */
function processBenchAgreement(): Array<{
  file: string;
  items: number;
  agreement: number;
  noAnswer: number;
  disagreements: Array<{ id: string; label: boolean; answer: string | null; extractedBy: string; reference: string }>;
}> {
  const data = resolve(repoRoot, "../shared/data");
  const math = JSON.parse(readFileSync(join(data, "tasks/math500_test.json"), "utf8")) as Array<{ problem: string; answer: string }>;
  const gsm = readFileSync(join(data, "tasks/gsm8k_test.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { question: string; answer: string });
  const references = {
    "gsm8k.json": new Map(gsm.map((r) => [r.question.trim(), r.answer])),
    "math.json": new Map(math.map((r) => [r.problem.trim(), r.answer])),
  };
  return Object.entries(references).map(([file, refs]) => {
    const items = (
      JSON.parse(readFileSync(join(data, "processbench", file), "utf8")) as Array<{
        id: string;
        problem: string;
        steps: string[];
        final_answer_correct: unknown;
      }>
    ).filter((item) => refs.has(item.problem.trim()));
    let agree = 0;
    let noAnswer = 0;
    const disagreements = [];
    for (const item of items) {
      const reference = refs.get(item.problem.trim())!;
      const graded = gradeResponse({ question: item.problem, reference }, { text: item.steps.join("\n\n") });
      const label = String(item.final_answer_correct).toLowerCase() === "true";
      if (graded.answer === null) noAnswer++;
      if (graded.correct === label) agree++;
      else disagreements.push({ id: item.id, label, answer: graded.answer, extractedBy: graded.extractedBy, reference: referenceTail(reference) });
    }
    return { file, items: items.length, agreement: agree / items.length, noAnswer: noAnswer / items.length, disagreements };
  });
}

const referenceTail = (reference: string) => reference.split("####").at(-1)!.trim();
const processBench = processBenchAgreement();

const cell = (text: string | null) => (text ?? "∅").replace(/\|/g, "\\|").replace(/\s+/g, " ").slice(0, 160);
const lines = [
  `# Grading benchmark (${new Date().toISOString().slice(0, 10)}): Refinery's checker vs RealCritic's labels`,
  "",
  `${graded} real model answers from ${files.length} files graded in ${elapsedMs.toFixed(0)} ms (${perThousandMs.toFixed(0)} ms per 1,000), of which ${startupMs.toFixed(0)} ms start the math engine (once a process); load average ${load} at the end on this machine's CPUs.`,
  "",
  "| file | items | agreement with previous_score | with the labels read by hand as wrong corrected | no answer extracted | answer from a fallback | disagreements |",
  "|---|---|---|---|---|---|---|",
  ...rows.map(
    (r) => `| ${r.file} | ${r.items} | ${pct(r.agreement)} | ${pct(r.corrected)} | ${pct(r.noAnswer)} | ${pct(r.fallback)} | ${r.disagreements.length} |`,
  ),
  "",
  `Grading each file again backwards changes ${orderDependent.length} of ${graded} verdicts${orderDependent.length ? ` (${orderDependent.map((d) => `${d.file}:${d.line}`).join(", ")})` : ""}: a verdict depends on its item only.`,
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
    lines.push(
      `### ${cause} (${list.length})`,
      "",
      "| line | label | ours | our answer (how) | RealCritic pred | reference | end of the response | why the label is wrong |",
      "|---|---|---|---|---|---|---|---|",
    );
    for (const d of list)
      lines.push(
        `| ${d.line} | ${d.label} | ${d.ours} | ${cell(d.answer)} (${d.extractedBy}) | ${cell(d.pred)} | ${cell(d.reference)} | ${cell(d.tail)} | ${cell(d.labelError ?? "")} |`,
      );
    lines.push("");
  }
}
lines.push(
  "## ProcessBench solutions with references from the shipped test sets",
  "",
  "Other models' solutions (ProcessBench's generators: Llama-3/3.1, Qwen2/2.5 …), labelled by ProcessBench's `final_answer_correct`; only items whose problem is in `tasks/gsm8k_test.jsonl` or `tasks/math500_test.json`, graded against that reference.",
  "",
  "| file | items | agreement with final_answer_correct | no answer extracted | disagreements (id: label, our answer (how), reference) |",
  "|---|---|---|---|---|",
  ...processBench.map(
    (r) =>
      `| ${r.file} | ${r.items} | ${pct(r.agreement)} | ${pct(r.noAnswer)} | ${r.disagreements.map((d) => `${d.id}: ${d.label}, ${cell(d.answer)} (${d.extractedBy}), ${cell(d.reference)}`).join("; ")} |`,
  ),
  "",
);
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "grading.md"), `${lines.join("\n")}\n`);
writeFileSync(
  join(out, "grading.json"),
  `${JSON.stringify({ graded, elapsedMs, startupMs, perThousandMs, load: Number(load), orderDependent: orderDependent.length, files: rows.map(({ disagreements, ...r }) => ({ ...r, disagreements: disagreements.length })), processBench: processBench.map(({ disagreements, ...r }) => ({ ...r, disagreements: disagreements.length })) }, null, 2)}\n`,
);
process.stdout.write(
  `${rows.map((r) => `${r.file}: agreement ${pct(r.agreement)} (${pct(r.corrected)} with wrong labels corrected), no answer ${pct(r.noAnswer)}, ${r.disagreements.length} disagreements`).join("\n")}\n${processBench.map((r) => `processbench/${r.file}: agreement ${pct(r.agreement)} over ${r.items}`).join("\n")}\nverdicts changed by grading backwards: ${orderDependent.length} of ${graded}\n${perThousandMs.toFixed(0)} ms per 1,000 answers (engine start-up ${startupMs.toFixed(0)} ms included; load average ${load})\n`,
);
