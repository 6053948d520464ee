// The compare view polls an experiment several times a second while it runs; results.jsonl only grows, so its
// size and mtime name a version: an unchanged version is answered from the summary already worked out, and a new
// one reads only the lines appended since (results-index.ts) before the statistics are worked out again.
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { CellResult } from "./checkpoint.ts";
import { readResultsGrowing } from "./results-index.ts";
import { summarize, type ExperimentSummary, type SummaryOptions } from "./summary.ts";
import { judgedColumns, JUDGEMENTS_FILE } from "./judging.ts";

export interface SummarizedResults {
  /** Identifies the results file's content: changes whenever a cell is appended. */
  version: string;
  results: CellResult[];
  summary: ExperimentSummary;
}

const MAX_ENTRIES = 16;
const entries = new Map<string, SummarizedResults>();

function fileVersion(path: string): string {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return "none";
  }
}

/** The results and the judges' verdicts (a judged experiment's scores change as its judging pass goes on). */
function resultsVersion(dir: string): string {
  return `${fileVersion(join(dir, "results.jsonl"))}|${fileVersion(join(dir, JUDGEMENTS_FILE))}`;
}

/** readResults + summarize for an experiment folder, reused while results.jsonl is unchanged. */
export function summarizedResults(dir: string, columns: readonly string[], baseline = columns[0]!, options: SummaryOptions = {}): SummarizedResults {
  const key = JSON.stringify([resolve(dir), columns, baseline, options.repeats ?? 1, options.frontierOnly ?? []]);
  const cached = entries.get(key);
  if (cached && cached.version === resultsVersion(dir)) return cached;
  const { version: resultsFileVersion, records: results } = readResultsGrowing(dir);
  const version = `${resultsFileVersion}|${fileVersion(join(dir, JUDGEMENTS_FILE))}`;
  const entry = { version, results, summary: summarize(results, columns, baseline, { ...options, judged: judgedColumns(dir) }) };
  entries.delete(key);
  entries.set(key, entry);
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  return entry;
}
