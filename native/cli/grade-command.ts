// refinery grade: judge answers that already exist (any tool's outputs) with the checker experiments use.
import { flagOptions } from "../protocol/field-labels.ts";
import { COMMAND_FLAGS } from "./command-flags.ts";
import { writeFileSync } from "node:fs";
import { parseFieldMapping } from "../eval/dataset.ts";
import { gradeDataset, gradesCsv, gradesJsonl, type GradeResult } from "../eval/grade.ts";
import { sandboxLimitations } from "../grading/sandbox.ts";
import { pct } from "../protocol/format.ts";
import { intOption, parse, UsageError } from "./args.ts";

/** --field response=<f> names the response; the other --field entries are the dataset reader's mapping. */
function splitFields(specs: readonly string[]): { response: string | undefined; mapping: string[] } {
  let response: string | undefined;
  const mapping: string[] = [];
  for (const spec of specs) {
    if (spec.startsWith("response=")) response = spec.slice("response=".length) || undefined;
    else mapping.push(spec);
  }
  return { response, mapping };
}

function summaryText(result: GradeResult): string {
  const s = result.summary;
  const by = Object.entries(s.extractedBy)
    .map(([how, n]) => `${how} ${n}`)
    .join(", ");
  return [
    `${s.items} items · ${s.correct} correct · ${s.incorrect} wrong${s.ungraded ? ` · ${s.ungraded} without a reference` : ""} · accuracy ${pct(s.accuracy)}`,
    `no answer: ${s.noAnswer} · from a fallback: ${s.fallback} · extracted by: ${by}`,
  ].join("\n");
}

export async function commandGrade(args: string[]): Promise<number> {
  const { values } = parse(args, flagOptions(COMMAND_FLAGS.grade));
  if (!values.dataset) throw new UsageError("grade needs --dataset <file> and --field response=<field holding the answers>");
  const { response, mapping } = splitFields(values.field ?? []);
  if (!response) throw new UsageError("grade needs --field response=<field holding the answers> (e.g. --field response=reasoning)");
  const result = await gradeDataset(values.dataset, {
    response,
    fields: parseFieldMapping(mapping),
    skipMalformed: values["skip-malformed"],
    limit: intOption(values.limit, "limit"),
    offset: intOption(values.offset, "offset"),
  });
  const limitations = result.summary.extractedBy.code ? sandboxLimitations() : [];
  if (limitations.length) process.stderr.write(`refinery: code items ran in a sandbox with weaker bounds on this machine: ${limitations.join("; ")}\n`);
  if (values.csv) writeFileSync(values.csv, gradesCsv(result.items));
  if (values.jsonl) writeFileSync(values.jsonl, gradesJsonl(result.items));
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  process.stdout.write("line\tverdict\textracted by\tanswer\n");
  for (const item of result.items) {
    const verdict = item.correct === null ? "—" : item.correct ? "✓" : "✗";
    const said = item.extractedBy === "code" ? `tests ${item.tests}` : (item.answer ?? "(no answer)");
    process.stdout.write(`line ${item.line}\t${verdict}\t${item.extractedBy}\t${said}\n`);
  }
  process.stdout.write(`${summaryText(result)}\n`);
  return 0;
}
