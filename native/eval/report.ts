// Experiment exports: CSV of the cells, preference pairs (a right and a wrong candidate of the same item, with
// their scores) for training critics, and one standalone HTML report (no external resources: it opens offline)
// with the aggregates, paired tests, transitions, the accuracy-vs-tokens plot with its Pareto frontier, and the
// per-item grid.
import { roleSamplingLabel } from "../protocol/sampling-policy.ts";
import { CUT_REASONS, cutBeforeFirstRevision, cutBeforeRevisionWords, STOP_REASON_LABELS, type StopReason } from "../protocol/stop-reason.ts";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { candidateIsCorrect, checkerKind } from "../grading/checkers.ts";
import { pct } from "../protocol/format.ts";
import { plannedMemory } from "./experiment/planned-memory.ts";
import { perficsSection } from "./perfics-section.ts";
import type { JudgedCell } from "../protocol/experiment-results.ts";
import { describeJudged } from "../protocol/judged-format.ts";
import { describeCoverage, type CellCoverage } from "../protocol/cell-coverage.ts";
import { cellKey } from "../protocol/cell-key.ts";
import { signWords } from "../protocol/repeat-words.ts";
import {
  costPlot,
  difficultyMultiples,
  dynamicsPlot as dynamicsPlotGeometry,
  LABEL_FONT,
  measureLabel,
  polylinePoints,
  type Axes,
  type PlotFrame,
} from "../protocol/plot-geometry.ts";
import { EXPORT_FORMATS, type ExportedFile, type ExportFormat } from "../protocol/contract.ts";
import {
  breakdownByField,
  experimentCoverage,
  judgedColumns,
  loadExperimentDataset,
  readJudgements,
  readExperimentConfig,
  readResults,
  summarize,
  shownColumns,
  summaryOptions,
  type CellResult,
  type ColumnSummary,
  type ExperimentConfig,
  type ExperimentSummary,
  type FieldBreakdown,
} from "./experiment.ts";
import { latestScore } from "../protocol/state.ts";
import { runDir } from "../runs/paths.ts";
import { replayRunLog } from "../runs/run-log.ts";

export const csvField = (value: unknown) => {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function resultsCsv(results: readonly CellResult[]): string {
  const header = [
    "item",
    "itemId",
    "column",
    "repeat",
    "status",
    "correct",
    "initialCorrect",
    "answer",
    "pathTokens",
    "totalTokens",
    "thoughtTokens",
    "wallMs",
    "cachedGenerations",
    "runId",
    "failure",
  ] as const;
  return [header.join(","), ...results.map((r) => header.map((key) => csvField(key === "repeat" ? (r.repeat ?? 0) : r[key])).join(","))].join("\n") + "\n";
}

/** One cell a line, in item, repeat, then column order, trajectories included. */
export function resultsJsonl(results: readonly CellResult[], columns: readonly string[]): string {
  const sorted = [...results].sort((a, b) => a.item - b.item || (a.repeat ?? 0) - (b.repeat ?? 0) || columns.indexOf(a.column) - columns.indexOf(b.column));
  return sorted.map((r) => JSON.stringify(r)).join("\n") + "\n";
}

/** Each cell's run manifest (models with hashes, backend, seed, params, memory), prompts kept once. */
export function readManifests(dir: string, results: readonly CellResult[]): { prompts: unknown; runs: Record<string, unknown> } {
  let prompts: unknown = null;
  const runs: Record<string, unknown> = {};
  for (const cell of results) {
    try {
      const { prompts: runPrompts, ...manifest } = JSON.parse(readFileSync(join(runDir(join(dir, "runs"), cell.runId), "manifest.json"), "utf8")) as Record<
        string,
        unknown
      >;
      prompts ??= runPrompts;
      runs[cell.runId] = manifest;
    } catch {
      runs[cell.runId] = { missing: "manifest.json could not be read" };
    }
  }
  return { prompts, runs };
}

export interface PreferencePair {
  /** answer: a right and a wrong candidate; critique: a critique whose verdict was right and one whose was wrong. */
  kind: "answer" | "critique";
  item: number;
  column: string;
  prompt: string;
  chosen: string;
  rejected: string;
  chosenScore: number | null;
  rejectedScore: number | null;
}

/**
 * Pairs from each run's tree, checked against the item (reference answer, choices or tests): right vs wrong
 * candidates of the same item, and critiques whose verdict matched the candidate's real correctness vs ones that
 * did not — the data critic training (DPO, reward models) wants.
 */
export async function preferencePairs(dir: string, results: readonly CellResult[], perRun = 4): Promise<PreferencePair[]> {
  const pairs: PreferencePair[] = [];
  type Judged = { text: string; score: number | null };
  const critiques = new Map<string, { item: number; column: string; prompt: string; right: Judged[]; wrong: Judged[] }>();
  const pair = <T>(right: T[], wrong: T[], make: (chosen: T, rejected: T) => PreferencePair) => {
    for (let i = 0; i < Math.min(perRun, right.length * wrong.length); i++)
      pairs.push(make(right[i % right.length]!, wrong[Math.floor(i / right.length) % wrong.length]!));
  };
  for (const cell of results) {
    const { state } = await Promise.resolve()
      .then(() => replayRunLog(join(runDir(join(dir, "runs"), cell.runId), "events.jsonl")))
      .catch(() => ({ state: null }));
    const task = state?.task;
    if (!state || !task || checkerKind(task) === "none") continue;
    const candidates = state.order.map((id) => state.nodes[id]!).filter((n) => (n.role === "draft" || n.role === "refine") && n.status === "done");
    const correctness = new Map<string, boolean | null>();
    for (const n of candidates) correctness.set(n.id, await candidateIsCorrect(task, n));
    const right = candidates.filter((n) => correctness.get(n.id) === true);
    const wrong = candidates.filter((n) => correctness.get(n.id) === false);
    pair(right, wrong, (chosen, rejected) => ({
      kind: "answer",
      item: cell.item,
      column: cell.column,
      prompt: task.question,
      chosen: chosen.text,
      rejected: rejected.text,
      chosenScore: latestScore(chosen, "critic")?.value ?? null,
      rejectedScore: latestScore(rejected, "critic")?.value ?? null,
    }));
    // A critic score names the critique node that gave it; its verdict is right when it matches the check.
    for (const n of candidates) {
      for (const score of n.scores) {
        const critique = score.byNodeId ? state.nodes[score.byNodeId] : undefined;
        if (
          score.source !== "critic" ||
          !critique ||
          critique.status !== "done" ||
          (score.verdict !== "correct" && score.verdict !== "incorrect") ||
          correctness.get(n.id) == null
        )
          continue;
        const key = `${cell.item}\u0000${n.text}`;
        const group = critiques.get(key) ?? {
          item: cell.item,
          column: cell.column,
          prompt: `${task.question}\n\n--- solution ---\n${n.text}`,
          right: [],
          wrong: [],
        };
        ((score.verdict === "correct") === correctness.get(n.id) ? group.right : group.wrong).push({ text: critique.text, score: score.value });
        critiques.set(key, group);
      }
    }
  }
  // Critiques pair up only on the same solution (often a first draft several columns share through the cache).
  for (const group of critiques.values()) {
    pair(group.right, group.wrong, (chosen, rejected) => ({
      kind: "critique",
      item: group.item,
      column: group.column,
      prompt: group.prompt,
      chosen: chosen.text,
      rejected: rejected.text,
      chosenScore: chosen.score,
      rejectedScore: rejected.score,
    }));
  }
  return pairs;
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

const COST_FRAME: PlotFrame = { width: 560, height: 300, left: 50, right: 20, top: 30, bottom: 40 };
const DYNAMICS_FRAME: PlotFrame = { width: 560, height: 260, left: 50, right: 40, top: 30, bottom: 40 };

/** The two axes with their ticks and labels, as SVG text. */
function axesSvg(axes: Axes, xLabel: string, yLabel: string, frame: PlotFrame): string {
  const { origin } = axes;
  return `<line x1="${origin.x}" y1="${origin.y}" x2="${axes.xEnd}" y2="${origin.y}" stroke="#888"/><line x1="${origin.x}" y1="${axes.yEnd}" x2="${origin.x}" y2="${origin.y}" stroke="#888"/>
<text x="${frame.width / 2}" y="${frame.height - 8}" text-anchor="middle" font-size="12">${xLabel}</text>
<text x="14" y="${frame.height / 2}" transform="rotate(-90 14 ${frame.height / 2})" text-anchor="middle" font-size="12">${yLabel}</text>
${axes.xTicks.map((t) => `<text x="${t.at}" y="${origin.y + 14}" text-anchor="middle" font-size="10">${t.label}</text>`).join("")}
${axes.yTicks.map((t) => `<text x="${origin.x - 6}" y="${t.at + 4}" text-anchor="end" font-size="10">${t.label}</text>`).join("")}`;
}

function plot(summary: ExperimentSummary): string {
  const frame = COST_FRAME;
  const geometry = costPlot(
    summary.columns.map((c) => ({ id: c.column, tokens: c.meanTotalTokens, accuracy: c.accuracy, interval: c.interval })),
    summary.pareto.map((p) => p.id),
    frame,
    summary.frontier,
  );
  const curves = geometry.curves
    .map(
      (line, i) =>
        `<polyline points="${polylinePoints(line.points)}" fill="none" stroke="${line.colour}" stroke-width="${line.measure === "passAtK" ? 1.5 : 2}"${line.dash ? ` stroke-dasharray="${line.dash}"` : ""} data-measure="${line.measure}"><title>${escapeHtml(line.label)}</title></polyline>
<text x="${frame.width - frame.right}" y="${frame.height - frame.bottom - 8 - i * 14}" font-size="11" fill="${line.colour}" text-anchor="end">${escapeHtml(line.label)}</text>`,
    )
    .join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${frame.width}" height="${frame.height}" role="img" aria-label="accuracy against tokens">
${axesSvg(geometry.axes, `mean tokens per item (evaluated prompt + generated, thinking included${geometry.logScale ? "; log scale" : ""})`, "accuracy", frame)}
${curves}
<polyline points="${polylinePoints(geometry.frontier)}" fill="none" stroke="#2f6fde" stroke-width="2" stroke-dasharray="4 3"/>
${geometry.points.map((p) => `${p.whisker ? `<line x1="${p.x}" x2="${p.x}" y1="${p.whisker.top}" y2="${p.whisker.bottom}" stroke="${p.colour}" stroke-width="1.5"/>` : ""}<circle cx="${p.x}" cy="${p.y}" r="5" fill="${p.colour}"/><text x="${p.label.x}" y="${p.label.y}" font-size="${LABEL_FONT}" text-anchor="${p.label.anchor}" fill="${p.colour}">${escapeHtml(p.label.text)}</text>`).join("\n")}
</svg>`;
}

const signedPoints = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}`;

const MULTIPLE_FRAME: PlotFrame = { width: 130, height: 90, left: 4, right: 4, top: 6, bottom: 4 };

/** Accuracy per difficulty bin per column (small multiples and a table) and the cross-fitted per-bin choice. */
function difficultySection(summary: ExperimentSummary): string {
  const panel = summary.difficulty;
  if (!panel) return "";
  const columns = summary.columns.map((c) => c.column);
  const charts = difficultyMultiples(panel.bins, columns, MULTIPLE_FRAME)
    .map(
      (
        m,
      ) => `<figure style="display:inline-block;margin:0 8px 8px 0"><svg xmlns="http://www.w3.org/2000/svg" width="${MULTIPLE_FRAME.width}" height="${MULTIPLE_FRAME.height}" role="img" aria-label="accuracy at pass rate ${escapeHtml(m.label)}"><rect x="0" y="0" width="${MULTIPLE_FRAME.width}" height="${MULTIPLE_FRAME.height}" fill="none" stroke="#d9dde4"/>
${m.bars.map((b) => `<rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" fill="${b.colour}"><title>${escapeHtml(b.title)}</title></rect>`).join("")}</svg><figcaption><small>pass rate ${escapeHtml(m.label)} · ${m.items} items</small></figcaption></figure>`,
    )
    .join("");
  const choice = panel.choice
    .map(
      (c) =>
        `<li>at most ${c.budget} tokens per item: ${pct(c.accuracy)} cross-fitted (${Object.entries(c.columns)
          .map(([bin, column]) => `${escapeHtml(bin)} → ${escapeHtml(column)}`)
          .join(", ")})</li>`,
    )
    .join("");
  return `<h2>Accuracy by difficulty</h2>
<p>Items binned by ${escapeHtml(panel.basis)}; bin edges ${panel.edges.map(escapeHtml).join(", ")}. Bars in each column's colour, 0–100%.</p>
<div>${charts}</div>
<table><tr><th>pass rate</th><th>items</th>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr>
${panel.bins
  .filter((b) => b.items)
  .map((b) => `<tr><td>${escapeHtml(b.label)}</td><td>${b.items}</td>${columns.map((c) => `<td>${pct(b.accuracy[c] ?? Number.NaN)}</td>`).join("")}</tr>`)
  .join("\n")}</table>
${choice ? `<p>Choosing a column per difficulty among those at or under a budget, chosen on half the items and scored on the other half (both ways, averaged), so the choice does not flatter itself:</p><ul>${choice}</ul>` : ""}`;
}

/** The sampling frontier's reading guide and each column against it at its own budget. */
function frontierSection(summary: ExperimentSummary): string {
  if (!summary.frontier.length) return "";
  const described = summary.frontier
    .map(
      (f) =>
        `<b>${escapeHtml(f.column)}</b> (${f.hidden ? "run only for the frontier, not a compared column; " : ""}n = ${f.n} samples per item${f.weightedVoteDrawnK ? `; weighted vote at k = ${f.weightedVoteDrawnK.join(", ")} from seeded random subsets, every subset elsewhere` : ""})`,
    )
    .join(", ");
  const rows = summary.columns
    .filter((c) => c.versusFrontier)
    .map((c) => {
      const v = c.versusFrontier!;
      return `<tr><td>${escapeHtml(c.column)}</td><td>${v.budget.toFixed(0)}</td><td>${pct(c.accuracy)}</td><td>${pct(v.frontierAccuracy)} (${escapeHtml(v.frontierColumn)} maj@k)</td><td>${signedPoints(v.difference)} pts${v.perRepeat ? `<div><small>${escapeHtml(signWords(v.perRepeat))}</small></div>` : ""}</td><td>${signedPoints(v.differenceInterval[0])} to ${signedPoints(v.differenceInterval[1])}</td></tr>`;
    })
    .join("\n");
  return `<h2>Against sampling at the same budget</h2>
<p>The curves are what the sampling column ${described} would have scored with only k of the samples it drew, k = 1…n, at k/n of its tokens: expectations over every k-subset of each item's samples, no new generations. <b>maj@k</b> is a majority vote (ties split evenly); <b>pass@k</b> counts an item solved when any of the k samples is right, so it is an <em>oracle</em> (it knows which sample is right): an upper bound, not a strategy. A point above maj@k at its own tokens beats sampling more; below it, the same tokens spent on more samples would have done better.</p>
${rows ? `<table><tr><th>column</th><th>its tokens per item</th><th>accuracy</th><th>sampling at that budget</th><th>difference</th><th>paired bootstrap 95%</th></tr>\n${rows}</table>` : ""}`;
}

/** Score (solid, left axis 0–10) and accuracy (dashed, 0–100%) of the k-th candidate, a line per column. */
function dynamicsPlot(summary: ExperimentSummary): string {
  const frame = DYNAMICS_FRAME;
  const geometry = dynamicsPlotGeometry(summary.columns, frame);
  const lines = geometry.lines
    .map(
      (line, i) => `<polyline points="${polylinePoints(line.accuracy)}" fill="none" stroke="${line.colour}" stroke-dasharray="5 3" stroke-width="2"/>
<polyline points="${polylinePoints(line.score)}" fill="none" stroke="${line.colour}" stroke-width="2"/>
${line.dots.map((d) => `<circle cx="${d.x}" cy="${d.y}" r="3" fill="${line.colour}"><title>${escapeHtml(d.title)}</title></circle>`).join("")}
<text x="${frame.width - 30}" y="${24 + i * 14}" font-size="11" fill="${line.colour}" text-anchor="end">${escapeHtml(line.column)}</text>`,
    )
    .join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${frame.width}" height="${frame.height}" role="img" aria-label="score and accuracy by candidate">
${axesSvg(geometry.axes, "candidate (1 = first draft, then revisions / samples in order)", "score · accuracy", frame)}
${lines}
</svg>`;
}

export interface ReportExtras {
  manifests?: { prompts: unknown; runs: Record<string, unknown> };
  /** Accuracy by categorical dataset field (level, subject…). */
  breakdowns?: FieldBreakdown[];
  /** Cells asked for against cells done: said at the top whenever the numbers rest on fewer. */
  coverage?: CellCoverage;
  /** The judges' verdict on each cell (experiments with a grader), shown in the grid. */
  judgedCells?: readonly JudgedCell[];
  /** Bytes the joint memory plan gave each column's models: the cost a personal computer's PeRFICS ranking weighs. */
  plannedMemory?: Readonly<Record<string, number>>;
}

/** A cell's judged verdict in a few characters: criteria passed, the rating, or the outcome against the baseline. */
export function judgedMark(cell: JudgedCell): string {
  if (cell.score === null) return "judge: unreadable";
  if (cell.grader === "checklist") {
    const passed = cell.passed ?? [];
    return `checklist ${passed.filter((p) => p === true).length}/${passed.length}${cell.correct ? " (all)" : ""}`;
  }
  if (cell.grader === "rubric") return `rating ${Number.isInteger(cell.score) ? cell.score : cell.score.toFixed(1)}/10`;
  return `${cell.outcome} vs ${cell.baseline}`;
}

/** What the judges made of each column (experiments with a grader): the same line the CLI prints. */
function judgedSection(summary: ExperimentSummary): string {
  const judged = summary.columns.filter((c) => c.judged);
  if (!judged.length) return "";
  const rows = judged
    .map((c) => {
      const j = c.judged!;
      const score = j.grader === "rubric" ? `${j.score.toFixed(2)} / 10` : pct(j.score);
      const range = j.grader === "rubric" ? `${j.interval[0].toFixed(2)} – ${j.interval[1].toFixed(2)}` : `${pct(j.interval[0])} – ${pct(j.interval[1])}`;
      return `<tr data-judged-column="${escapeHtml(c.column)}"><td>${escapeHtml(c.column)}</td><td>${j.grader}</td><td>${score}</td><td>${range}</td><td>${j.win !== undefined ? `${j.win}/${j.tie}/${j.loss}` : j.correct !== undefined ? `all passed ${pct(j.correct)}` : ""}</td><td>${j.positionFlipRate !== undefined ? pct(j.positionFlipRate) : ""}</td><td><small>${escapeHtml(describeJudged(j))}</small></td></tr>`;
    })
    .join("\n");
  return `<h2>Judged</h2>
<p>Scores from judge models (each cell's run holds the judges' calls as "judge" nodes with their reasoning). Pairwise comparisons are judged in both orders; a winner only when both orders agree, so a flip is a tie. The flip rate is the share of comparisons whose verdict changed with the order.</p>
<table><tr><th>column</th><th>grader</th><th>score</th><th>95% interval</th><th>W/T/L or all passed</th><th>position flips</th><th>details</th></tr>
${rows}</table>`;
}

export function htmlReport(config: ExperimentConfig, summary: ExperimentSummary, results: readonly CellResult[], extras: ReportExtras = {}): string {
  const columns = summary.columns.map((c) => c.column);
  const byCell = new Map(results.map((r) => [cellKey(r), r]));
  // A row per item and repeat (seed), in item order.
  const rowsOfGrid = [...new Map(results.map((r) => [`${r.item}|${r.repeat ?? 0}`, { item: r.item, repeat: r.repeat ?? 0, itemId: r.itemId }])).values()].sort(
    (a, b) => a.item - b.item || a.repeat - b.repeat,
  );
  const cellsPerColumn = (c: ColumnSummary) => c.items * summary.repeats;
  // Judges grade a cell's first repeat (judged experiments run one seed per cell).
  const judgedOf = new Map((extras.judgedCells ?? []).map((j) => [`${j.item}|${j.column}`, j]));
  const rows = summary.columns
    .map((c) => {
      const v = c.versusBaseline;
      const cut = Object.entries(c.stops)
        .filter(([reason]) => CUT_REASONS.has(reason as StopReason))
        .map(([reason, n]) => `${n} of ${cellsPerColumn(c)} stopped by ${STOP_REASON_LABELS[reason as StopReason]}`)
        .join("; ");
      return `<tr><td>${escapeHtml(c.column)}${c.oracle ? " <em>(oracle: upper bound)</em>" : ""}${c.warning ? `<div class="warn">⚠ ${escapeHtml(c.warning)}</div>` : ""}${cut ? `<div><small>${escapeHtml(cut)}</small></div>` : ""}${c.cutBeforeRevision ? `<div><small data-cut-before-revision="${c.cutBeforeRevision}">${escapeHtml(cutBeforeRevisionWords(c.cutBeforeRevision, cellsPerColumn(c), c.cutBeforeRevisionBy ?? []))}</small></div>` : ""}${c.sampling ? `<div><small title="seeds: ${escapeHtml(c.sampling.seedRule)}">${escapeHtml(`${c.sampling.policy} · actor ${roleSamplingLabel(c.sampling.actor)} · critic ${roleSamplingLabel(c.sampling.critic)}`)}</small></div>` : ""}</td><td>${c.items}</td><td>${pct(c.accuracy)}</td><td>${pct(c.interval[0])} – ${pct(c.interval[1])}</td><td>${v ? `${v.difference >= 0 ? "+" : ""}${(v.difference * 100).toFixed(1)} pts${v.perRepeat ? `<div><small>${escapeHtml(signWords(v.perRepeat))}</small></div>` : ""}` : "baseline"}</td><td>${v ? `${v.wins}/${v.ties}/${v.losses}` : ""}</td><td>${v ? v.pValue.toPrecision(3) : ""}</td><td>${v ? v.oddsRatio.toFixed(2) : ""}</td><td>${c.transitions ? `${c.transitions.wrongToCorrect} fixed, ${c.transitions.correctToWrong} harmed (${pct(c.transitions.harmRate)})` : ""}</td><td>${c.meanPathTokens.toFixed(0)}</td><td>${c.meanTotalTokens.toFixed(0)}</td><td>${c.meanThoughtTokens.toFixed(0)}</td><td>${(c.meanWallMs / 1000).toFixed(2)} s</td><td>${c.tokensPerSecond.toFixed(1)}</td></tr>`;
    })
    .join("\n");
  const grid = rowsOfGrid
    .map(({ item, repeat, itemId }) => {
      return `<tr><td>${escapeHtml(itemId)}${summary.repeats > 1 ? ` <small>seed ${config.seed + repeat} (repeat ${repeat + 1})</small>` : ""}</td>${columns
        .map((column) => {
          const r = byCell.get(cellKey({ item, column, repeat }));
          if (!r) return "<td></td>";
          const mark = r.status === "failed" ? "failed" : r.correct === null ? "?" : r.correct ? "✓" : "✗";
          const judged = repeat === 0 ? judgedOf.get(`${item}|${column}`) : undefined;
          return `<td class="${r.correct ? "ok" : "bad"}" data-correct="${r.correct}" title="${escapeHtml(r.runId)}">${mark} ${escapeHtml(r.answer ?? "")}<br><small>${r.totalTokens} tok · ${(r.wallMs / 1000).toFixed(1)} s${r.stopReason && CUT_REASONS.has(r.stopReason) ? ` · cut: ${STOP_REASON_LABELS[r.stopReason]}${!r.independentSamples && cutBeforeFirstRevision(r.stopReason, r.trajectory?.length ?? 0) ? ", before its first revision" : ""}` : ""}</small>${judged ? `<br><small data-judged="${escapeHtml(judged.grader)}">${escapeHtml(judgedMark(judged))}</small>` : ""}</td>`;
        })
        .join("")}</tr>`;
    })
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Refinery experiment</title>
<style>body{font:13px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330}table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #d9dde4;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f6f7f9}td.ok{background:#eafaf0}td.bad{background:#fdecea}small{color:#6b7280}pre{background:#f6f7f9;padding:8px;overflow:auto}.warn{color:#b35c00;font-weight:600;max-width:40em}</style></head><body>
<h1>Experiment</h1>
<p>Dataset <code>${escapeHtml(config.dataset)}</code>${config.limit ? `, first ${config.limit} items` : ""}; ${summary.repeats > 1 ? `${summary.repeats} repeats, seeds ${config.seed}…${config.seed + summary.repeats - 1}` : `seed ${config.seed}`}; baseline <b>${escapeHtml(summary.baseline)}</b>. ${repeatsWords(summary.repeats)}; W/T/L = wins/ties/losses.</p>
${coverageNote(extras.coverage)}
${flakySection(summary)}
<table><tr><th>column</th><th>items</th><th>accuracy</th><th>95% interval</th><th>vs baseline</th><th>W/T/L</th><th>p</th><th>odds ratio</th><th>draft → final</th><th>tokens (path)</th><th>tokens (all)</th><th>of which thinking</th><th>time</th><th>tokens/s</th></tr>
${rows}</table>
${judgedSection(summary)}
${perficsSection(summary, extras.plannedMemory)}
<h2>Accuracy against tokens</h2>${plot(summary)}
<p>Dashed: the Pareto frontier (${summary.pareto.map((p) => escapeHtml(p.id)).join(" → ")}). Whiskers: ${summary.repeats > 1 ? "clustered bootstrap" : "Wilson"} 95% intervals.</p>
${frontierSection(summary)}
${difficultySection(summary)}
<h2>Refinement dynamics</h2>${dynamicsPlot(summary)}
<p>Solid: mean critic score of the k-th candidate (0–10); dashed: its accuracy. Later candidates exist only for items whose run produced them.</p>
<h2>Budget-matched comparison</h2>
<p>Anytime accuracy at equal tokens per item: the answer each run held when it had spent B tokens (its final answer if it finished within B; none before its first candidate).</p>
<table><tr><th>B (tokens per item)</th>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}${summary.frontier.length ? "<th>best sampling at this budget</th>" : ""}</tr>
${summary.budgetMatched.map((row) => `<tr><td>${row.budget}</td>${columns.map((c) => `<td>${pct(row.accuracy[c] ?? Number.NaN)}</td>`).join("")}${summary.frontier.length ? `<td>${row.bestSampling ? `${pct(row.bestSampling.accuracy)} (${escapeHtml(row.bestSampling.column)} ${measureLabel(row.bestSampling.measure)})` : ""}</td>` : ""}</tr>`).join("\n")}</table>
${(extras.breakdowns ?? [])
  .map(
    (
      b,
    ) => `<h2>Accuracy by ${escapeHtml(b.field)}</h2><table><tr><th>${escapeHtml(b.field)}</th><th>items</th>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr>
${b.rows.map((row) => `<tr><td>${escapeHtml(row.value)}</td><td>${row.items}</td>${columns.map((c) => `<td>${pct(row.accuracy[c] ?? Number.NaN)}</td>`).join("")}</tr>`).join("\n")}</table>`,
  )
  .join("\n")}
<h2>Items</h2>
<p><label><input type="checkbox" id="only-differ"> only where columns differ</label> <label><input type="checkbox" id="only-failures"> only failures</label></p>
<table id="grid"><tr><th>item</th>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr>
${grid}</table>
<script>
(() => {
  const differ = document.getElementById("only-differ"), failures = document.getElementById("only-failures");
  const apply = () => document.querySelectorAll("#grid tr").forEach((row, i) => {
    if (i === 0) return;
    const marks = [...row.querySelectorAll("td[data-correct]")].map((td) => td.dataset.correct);
    const hide = (differ.checked && new Set(marks).size < 2) || (failures.checked && !marks.some((m) => m !== "true"));
    row.style.display = hide ? "none" : "";
  });
  differ.onchange = failures.onchange = apply;
})();
</script>
<h2>Settings</h2><pre>${escapeHtml(JSON.stringify(config, null, 2))}</pre>
${extras.manifests ? `<h2>Run manifests</h2><details><summary>${Object.keys(extras.manifests.runs).length} runs: models with sha256, backend, seeds, parameters, memory</summary><pre>${escapeHtml(JSON.stringify(extras.manifests.runs, null, 1))}</pre></details><details><summary>Prompt templates</summary><pre>${escapeHtml(JSON.stringify(extras.manifests.prompts, null, 1))}</pre></details>` : ""}
</body></html>
`;
}

/** How the report's accuracy, intervals and paired tests are computed, with or without repeats. */
function repeatsWords(repeats: number): string {
  if (repeats === 1) return "Accuracy intervals are Wilson 95%; paired tests are exact McNemar (sign) tests against the baseline on the same items";
  return `Each item counts once, by its accuracy over its ${repeats} repeats; 95% intervals are a clustered bootstrap (items resampled with all their repeats, computed exactly); paired comparisons pair by item (sign tests on the items whose accuracy over the repeats differs), and say whether the difference has the same sign in every seed`;
}

/** Items whose correctness changes with the seed, per column: how many and which. */
function flakySection(summary: ExperimentSummary): string {
  const flaky = summary.columns.filter((c) => c.flaky?.length);
  if (summary.repeats === 1) return "";
  if (!flaky.length) return `<p>No flaky items: every column got every item the same in all ${summary.repeats} seeds.</p>`;
  return `<h2>Flaky items</h2>
<p>Items a column got right in some seeds and wrong in others (of ${summary.columns[0]?.items ?? 0} items).</p>
<ul>${flaky.map((c) => `<li data-flaky="${c.flaky!.length}"><b>${escapeHtml(c.column)}</b>: ${c.flaky!.length} — ${c.flaky!.map(escapeHtml).join(", ")}</li>`).join("")}</ul>`;
}

function coverageNote(coverage: CellCoverage | undefined): string {
  const said = coverage ? describeCoverage(coverage) : null;
  return said ? `<p class="coverage"><b>Incomplete:</b> ${escapeHtml(said)}. The numbers below count only the cells with a result.</p>` : "";
}

/** The file each export format is written to, inside <experiment>/exports/. */
export const EXPORT_FILES: Record<ExportFormat, string> = { html: "report.html", csv: "results.csv", jsonl: "results.jsonl", pairs: "preference-pairs.jsonl" };

/**
 * The compare tab's "Export report": the chosen files written into <experiment>/exports/ (next to the experiment,
 * on the machine it ran on — the same in the desktop app and the web UI), overwritten on each export.
 */
export async function exportExperiment(dir: string, formats: readonly ExportFormat[], baseline?: string): Promise<ExportedFile[]> {
  const config = readExperimentConfig(dir);
  if (!config) throw new Error(`${dir} is not an experiment folder (no experiment.json)`);
  const columns = shownColumns(config);
  if (baseline !== undefined && !columns.includes(baseline)) throw new Error(`no column '${baseline}' in this experiment`);
  const results = readResults(dir);
  if (!results.length) throw new Error("nothing to export yet: no cell of this experiment has finished");
  const out = join(dir, "exports");
  mkdirSync(out, { recursive: true });
  const files: ExportedFile[] = [];
  const write = (format: ExportFormat, text: string, rows: number) => {
    const path = join(out, EXPORT_FILES[format]);
    writeFileSync(path, text);
    files.push({ format, path, bytes: Buffer.byteLength(text), rows });
  };
  for (const format of EXPORT_FORMATS.filter((f) => formats.includes(f))) {
    if (format === "html") {
      // The dataset's categorical fields (level, subject…) break accuracy down; a dataset moved away only loses that.
      const dataset = await loadExperimentDataset(config, { skipMalformed: true }).catch(() => null);
      const breakdowns = dataset ? breakdownByField(results, columns, dataset.fields) : [];
      const coverage = experimentCoverage(dir, config, results);
      write(
        "html",
        htmlReport(config, summarize(results, columns, baseline, { ...summaryOptions(config), judged: judgedColumns(dir) }), results, {
          manifests: readManifests(dir, results),
          breakdowns,
          coverage,
          judgedCells: readJudgements(dir),
          plannedMemory: plannedMemory(dir, results),
        }),
        1,
      );
    } else if (format === "csv") write("csv", resultsCsv(results), results.length + 1);
    else if (format === "jsonl") write("jsonl", resultsJsonl(results, columns), results.length);
    else {
      const pairs = await preferencePairs(dir, results);
      write("pairs", pairs.map((p) => `${JSON.stringify(p)}\n`).join(""), pairs.length);
    }
  }
  return files;
}
