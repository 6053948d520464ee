// Where the two experiment plots put things — accuracy against tokens (with the Pareto frontier) and score /
// accuracy by candidate — computed once for the compare view (React SVG) and the HTML report (SVG text), so
// both draw the same picture with the same axis ticks. Pure: the renderer bundles it.
import { PALETTE, pct } from "./format.ts";

/** Plot size and the margins around its data area, in pixels. */
export interface PlotFrame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface Tick {
  /** Pixel position along its axis. */
  at: number;
  label: string;
}

export interface Axes {
  /** The x axis from (x1, y) to (x2, y) and the y axis from (x1, y1) to (x1, y): both meet at the origin. */
  origin: { x: number; y: number };
  xEnd: number;
  yEnd: number;
  xTicks: Tick[];
  yTicks: Tick[];
}

interface Point {
  x: number;
  y: number;
}

/** Round tick steps (1, 2 or 5 × 10^k) giving about `count` ticks from 0 to max. */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  return Array.from({ length: Math.floor(max / step + 1e-9) + 1 }, (_, i) => i * step);
}

function axes(frame: PlotFrame, xTicks: Tick[], yTicks: Tick[]): Axes {
  return { origin: { x: frame.left, y: frame.height - frame.bottom }, xEnd: frame.width - frame.right + 10, yEnd: frame.top - 10, xTicks, yTicks };
}

/** A point's label: where its text starts (or ends, by anchor) and the box it takes, for collision checks. */
export interface PlotLabel {
  text: string;
  x: number;
  y: number;
  anchor: "start" | "end";
  box: { left: number; top: number; right: number; bottom: number };
}

/** Label font size in pixels, and the width a character takes at that size (a generous average for sans-serif). */
export const LABEL_FONT = 11;
const CHAR_WIDTH = LABEL_FONT * 0.62;
const LINE_HEIGHT = LABEL_FONT + 3;

const overlaps = (a: PlotLabel["box"], b: PlotLabel["box"]) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

function labelAt(text: string, x: number, baseline: number, anchor: "start" | "end"): PlotLabel {
  const width = text.length * CHAR_WIDTH;
  const left = anchor === "start" ? x : x - width;
  return { text, x, y: baseline, anchor, box: { left, top: baseline - LABEL_FONT, right: left + width, bottom: baseline + 3 } };
}

/**
 * Labels beside their points that do not cover one another: each goes above its point, or, when that spot is
 * taken by a label already placed, the nearest free line below or above (two columns at 0.0% and similar
 * tokens get two lines, not one smudge). Points are placed top to bottom, left to right.
 */
export function placeLabels(points: ReadonlyArray<Point & { text: string; anchor: "start" | "end" }>, frame: PlotFrame): PlotLabel[] {
  const placed: PlotLabel[] = [];
  const order = points.map((p, i) => ({ p, i })).sort((a, b) => a.p.y - b.p.y || a.p.x - b.p.x);
  const result: PlotLabel[] = new Array(points.length);
  for (const { p, i } of order) {
    const x = p.x + (p.anchor === "end" ? -8 : 8);
    const preferred = p.y - 6;
    let label = labelAt(p.text, x, preferred, p.anchor);
    for (let step = 1; step < 4 * points.length + 4 && placed.some((other) => overlaps(other.box, label.box)); step++) {
      // 1 line down, 1 up, 2 down, 2 up, …, kept inside the plot.
      const offset = Math.ceil(step / 2) * LINE_HEIGHT * (step % 2 === 1 ? 1 : -1);
      const baseline = preferred + offset;
      if (baseline - LABEL_FONT < 0 || baseline + 3 > frame.height) continue;
      label = labelAt(p.text, x, baseline, p.anchor);
    }
    placed.push(label);
    result[i] = label;
  }
  return result;
}

export interface CostPlot {
  axes: Axes;
  /** Each column's point in its palette colour (the colour its line has in the dynamics plot), with its label. */
  points: Array<Point & { id: string; accuracy: number; colour: string; label: PlotLabel; whisker?: { top: number; bottom: number } }>;
  /** The Pareto frontier, left to right. */
  frontier: Point[];
  /** Sampling curves over k (present only when a column yields a frontier); the x axis is then logarithmic. */
  curves: FrontierLine[];
  logScale: boolean;
}

/** What a frontier curve plots: pass@k is an oracle (it knows which sample is right), the others are strategies. */
export type FrontierMeasure = "passAtK" | "majAtK" | "weightedVoteAtK" | "bestOfKAtK";

export const FRONTIER_MEASURES: ReadonlyArray<{ measure: FrontierMeasure; label: string; dash: string }> = [
  { measure: "passAtK", label: "pass@k (oracle)", dash: "1 3" },
  { measure: "majAtK", label: "maj@k", dash: "" },
  { measure: "weightedVoteAtK", label: "weighted vote@k", dash: "6 3" },
  { measure: "bestOfKAtK", label: "best-of-k", dash: "8 3 2 3" },
];

/** A frontier measure as the plot's legend, the tables and the CLI name it. */
export const measureLabel = (measure: FrontierMeasure): string => FRONTIER_MEASURES.find((m) => m.measure === measure)!.label;

export interface FrontierLine {
  column: string;
  measure: FrontierMeasure;
  /** e.g. "self-consistency maj@k", "self-consistency pass@k (oracle)". */
  label: string;
  colour: string;
  /** SVG stroke-dasharray ("" for solid). */
  dash: string;
  points: Array<Point & { k: number; tokens: number; value: number }>;
}

/** Ticks 1, 2, 5 × 10^j inside [min, max] (1 and 10 × 10^j alone when that gives more than 8). */
export function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); 10 ** e <= max; e++)
    for (const m of [1, 2, 5]) if (m * 10 ** e >= min && m * 10 ** e <= max) ticks.push(m * 10 ** e);
  return ticks.length > 8 ? ticks.filter((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9) : ticks;
}

interface FrontierInput {
  column: string;
  points: ReadonlyArray<{ k: number; meanTokens: number } & Partial<Record<FrontierMeasure, number>>>;
}

/**
 * Accuracy (0–100%) against mean tokens per item; each column a point with its interval as a whisker. The x axis
 * runs 10% past the widest column; with sampling curves it is logarithmic (k doubles at equal steps), spanning
 * every curve and point.
 */
export function costPlot(
  columns: ReadonlyArray<{ id: string; tokens: number; accuracy: number; interval?: readonly [number, number] }>,
  frontierIds: readonly string[],
  frame: PlotFrame,
  curves: readonly FrontierInput[] = [],
): CostPlot {
  const logScale = curves.some((c) => c.points.length > 0);
  const allTokens = [...columns.map((p) => p.tokens), ...curves.flatMap((c) => c.points.map((p) => p.meanTokens))].filter((t) => t > 0);
  const width = frame.width - frame.left - frame.right;
  let px: (x: number) => number;
  let xTicks: Tick[];
  if (logScale) {
    const lo = Math.min(...allTokens) / 1.2;
    const hi = Math.max(...allTokens) * 1.2;
    px = (x: number) => frame.left + ((Math.log(Math.max(x, lo)) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * width;
    xTicks = logTicks(lo, hi).map((t) => ({ at: px(t), label: t >= 1000 ? `${t / 1000}k` : String(t) }));
  } else {
    const maxX = Math.max(1, ...columns.map((p) => p.tokens)) * 1.1;
    px = (x: number) => frame.left + (x / maxX) * width;
    xTicks = niceTicks(maxX).map((t) => ({ at: px(t), label: String(t) }));
  }
  const py = (y: number) => frame.height - frame.bottom - y * (frame.height - frame.top - frame.bottom);
  const placed = columns.map((p) => {
    const x = px(p.tokens);
    return { x, y: py(p.accuracy), text: `${p.id} ${pct(p.accuracy)}`, anchor: x > frame.width * 0.6 ? ("end" as const) : ("start" as const) };
  });
  const labels = placeLabels(placed, frame);
  const colourOf = (id: string) =>
    PALETTE[
      Math.max(
        0,
        columns.findIndex((c) => c.id === id),
      ) % PALETTE.length
    ]!;
  const points = columns.map((p, i) => ({
    id: p.id,
    x: placed[i]!.x,
    y: placed[i]!.y,
    accuracy: p.accuracy,
    colour: PALETTE[i % PALETTE.length]!,
    label: labels[i]!,
    ...(p.interval && Number.isFinite(p.interval[0]) ? { whisker: { top: py(p.interval[1]), bottom: py(p.interval[0]) } } : {}),
  }));
  const frontier = columns
    .filter((p) => frontierIds.includes(p.id))
    .sort((a, b) => a.tokens - b.tokens)
    .map((p) => ({ x: px(p.tokens), y: py(p.accuracy) }));
  const lines = curves.flatMap((curve) =>
    FRONTIER_MEASURES.filter(({ measure }) => curve.points.some((p) => p[measure] !== undefined)).map(
      ({ measure, label, dash }): FrontierLine => ({
        column: curve.column,
        measure,
        label: `${curve.column} ${label}`,
        colour: colourOf(curve.column),
        dash,
        points: curve.points
          .filter((p) => p[measure] !== undefined)
          .map((p) => ({ x: px(p.meanTokens), y: py(p[measure]!), k: p.k, tokens: p.meanTokens, value: p[measure]! })),
      }),
    ),
  );
  const yTicks = [0, 0.5, 1].map((y) => ({ at: py(y), label: `${y * 100}%` }));
  return { axes: axes(frame, xTicks, yTicks), points, frontier, curves: lines, logScale };
}

export interface DynamicsLine {
  column: string;
  colour: string;
  /** Accuracy of the k-th candidate (drawn dashed). */
  accuracy: Point[];
  /** Mean critic score of the k-th candidate, 0–10 on the same axis as 0–100% (drawn solid). */
  score: Point[];
  dots: Array<Point & { title: string }>;
}

/** Mean critic score (0–10) and accuracy (0–100%) of the k-th candidate of each column's runs, a line per column. */
export function dynamicsPlot(
  columns: ReadonlyArray<{ column: string; dynamics: ReadonlyArray<{ candidate: number; items: number; accuracy: number; meanScore: number | null }> }>,
  frame: PlotFrame,
): { axes: Axes; lines: DynamicsLine[] } {
  const longest = Math.max(1, ...columns.map((c) => c.dynamics.length));
  const px = (k: number) => frame.left + (longest === 1 ? 0 : (k / (longest - 1)) * (frame.width - frame.left - frame.right));
  const py = (fraction: number) => frame.height - frame.bottom - fraction * (frame.height - frame.top - frame.bottom);
  const lines = columns.map((c, i) => ({
    column: c.column,
    colour: PALETTE[i % PALETTE.length]!,
    accuracy: c.dynamics.map((d) => ({ x: px(d.candidate), y: py(d.accuracy) })),
    score: c.dynamics.filter((d) => d.meanScore !== null).map((d) => ({ x: px(d.candidate), y: py(d.meanScore! / 10) })),
    dots: c.dynamics.map((d) => ({
      x: px(d.candidate),
      y: py(d.accuracy),
      title: `${c.column}, candidate ${d.candidate + 1}: ${pct(d.accuracy)} of ${d.items}${d.meanScore !== null ? `, mean score ${d.meanScore.toFixed(1)}` : ""}`,
    })),
  }));
  const xTicks = Array.from({ length: longest }, (_, k) => ({ at: px(k), label: String(k + 1) }));
  const yTicks = [0, 0.5, 1].map((y) => ({ at: py(y), label: `${y * 10} · ${y * 100}%` }));
  return { axes: axes(frame, xTicks, yTicks), lines };
}

/** "x1,y1 x2,y2 …" for an SVG polyline. */
export const polylinePoints = (points: readonly Point[]): string => points.map((p) => `${p.x},${p.y}`).join(" ");

export interface DifficultyMultiple {
  label: string;
  items: number;
  bars: Array<{ column: string; x: number; y: number; width: number; height: number; colour: string; title: string }>;
}

/**
 * One small bar chart per difficulty bin that has items: each column's accuracy in it as a bar in the column's
 * palette colour (the colour of its point in the cost plot), on the same 0–100% scale in every chart.
 */
export function difficultyMultiples(
  bins: ReadonlyArray<{ label: string; items: number; accuracy: Record<string, number> }>,
  columns: readonly string[],
  frame: PlotFrame,
): DifficultyMultiple[] {
  const width = frame.width - frame.left - frame.right;
  const height = frame.height - frame.top - frame.bottom;
  const slot = width / Math.max(1, columns.length);
  return bins
    .filter((b) => b.items > 0)
    .map((b) => ({
      label: b.label,
      items: b.items,
      bars: columns.map((column, i) => {
        const accuracy = b.accuracy[column] ?? 0;
        const h = (Number.isFinite(accuracy) ? accuracy : 0) * height;
        return {
          column,
          x: frame.left + i * slot + slot * 0.1,
          y: frame.top + height - h,
          width: slot * 0.8,
          height: h,
          colour: PALETTE[i % PALETTE.length]!,
          title: `${column}: ${pct(accuracy)} of ${b.items} item${b.items === 1 ? "" : "s"} with pass rate ${b.label}`,
        };
      }),
    }));
}
