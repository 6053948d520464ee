// Whether two final answers denote the same mathematical object, the way Python graders lean on sympy: both are
// parsed as LaTeX by @cortex-js/compute-engine, collections are compared element by element (sets, bare lists of
// solutions and unordered; tuples, vectors, matrices and intervals in order), equations side by side, and scalars
// by value — exactly when the engine can, else by evaluating both at probe points, up to an additive constant
// when the task asks for an antiderivative ("+ C") and up to a renaming of a general solution's arbitrary
// constants. Numbers are held to the reference's precision (numeric-tolerance.ts). Every comparison starts from the
// same engine state, so a verdict never depends on the comparisons before it. Each comparison runs under a deadline
// so a pathological expression gives a "no" instead of stalling an experiment.
import { ComputeEngine, compile, isFunction, isSymbol, type Expression as Expr } from "@cortex-js/compute-engine";
import { closeTo, RELATIVE_TOLERANCE, type Tolerance, toleranceFor } from "./numeric-tolerance.ts";

/** Operands of a function expression ("Add", "Tuple", …); none for numbers and symbols. */
const opsOf = (expr: Expr): readonly Expr[] => (isFunction(expr) ? expr.ops : []);

export interface EquivalenceOptions {
  /** Compare up to an additive constant (indefinite integrals): "+ C" in the task. */
  upToConstant?: boolean;
  /** Milliseconds one comparison may take before it counts as "not equal". */
  timeLimitMs?: number;
  /** Decimals the question asks for: the reference rounded to them is right as well. */
  decimalsAsked?: number;
}

/** What every step of one comparison judges by. */
interface Settings {
  upToConstant: boolean;
  /** How close a number must be to the reference's (numeric-tolerance.ts). */
  tolerance: Tolerance;
}

/** Generous against a loaded machine (a verdict must not depend on the load), tight against a runaway expression. */
export const DEFAULT_TIME_LIMIT_MS = 2000;
/** Longer answers are compared as text only: parsing them could take longer than any deadline allows. */
const MAX_PARSED_LENGTH = 400;
/** Where expressions are probed when the engine cannot tell them equal: one row per point, a value per variable. */
const SAMPLE_POINTS = samplePoints();

/**
 * Six fixed points near 1, then 18 seeded random ones: integers (answers in n are often integer sequences), values
 * in [-10, 10], and small positive ones, so that functions agreeing near 1 (⌊n/2⌋ and ⌊√(n−1)⌋ on [1, 3]) are told
 * apart. A constant table: every comparison probes the same points.
 */
function samplePoints(variables = 6): number[][] {
  const fixed = [0.37, 1.23, 2.71, -0.58, 0.91, 1.79].map((point) => Array.from({ length: variables }, (_, i) => point + 0.17 * i));
  let seed = 0x5eed;
  // mulberry32
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const kinds = [() => 2 + Math.floor(random() * 39), () => -10 + 20 * random(), () => 3 * random()];
  const seeded = Array.from({ length: 18 }, (_, k) => Array.from({ length: variables }, () => kinds[k % kinds.length]!()));
  return [...fixed, ...seeded];
}

/**
 * Names that denote arbitrary constants in answers ("C(1+x)", "c_1(x+1)" are products, not functions applied).
 * Declared up front, because the engine otherwise decides from whatever it saw first in the process.
 */
const CONSTANT_NAMES = ["C", "K", ...["C", "c", "k", "A", "B"].flatMap((letter) => Array.from({ length: 10 }, (_, i) => `${letter}_${i}`))];

/** The engine and a checkpoint of its state before any comparison: every comparison starts from that state. */
interface CleanEngine {
  engine: ComputeEngine;
  clean: ReturnType<ComputeEngine["checkpoint"]>;
}

let started: CleanEngine | null = null;

/** The engine, started once a process; its libraries load on first use, so that use happens here, untimed. */
function ce(): ComputeEngine {
  if (started) return started.engine;
  const engine = new ComputeEngine();
  for (const name of CONSTANT_NAMES) engine.declare(name, "real");
  const warm = engine.parse("\\frac{\\sqrt{x}}{2} + \\sin(x) = (1, 2)");
  for (const op of opsOf(warm)) op.subs({ x: engine.number(0.5) }).N();
  started = { engine, clean: engine.checkpoint("before any comparison") };
  return engine;
}

/**
 * Undoes what a comparison taught the engine: it declares and types every symbol it meets ("e^{C}" makes C a
 * number, so a later "C(1+x)" is a product where it was a function applied), which made verdicts depend on the
 * order answers were graded in. Restoring costs about 3 ms; a fresh engine per comparison about 300 ms.
 */
function forgetComparison() {
  if (!started) return;
  try {
    started.engine.restore(started.clean);
  } catch {
    started = null;
  }
}

class DeadlineExceeded extends Error {}

class Deadline {
  private readonly end: number;
  constructor(limitMs: number) {
    this.end = performance.now() + limitMs;
  }
  check() {
    if (performance.now() > this.end) throw new DeadlineExceeded();
  }
}

/** Plain-text maths as chat models write it ("−2", "√3", "π/2", "x ≤ 5", "sqrt(2)") in LaTeX. */
function plainToLatex(text: string): string {
  return text
    .replace(/[₀-₉]+/g, (digits) => `_{${[...digits].map((digit) => digit.charCodeAt(0) - 0x2080).join("")}}`)
    .replace(/[−–]/g, "-")
    .replace(/×|·/g, "\\cdot ")
    .replace(/÷/g, "\\div ")
    .replace(/π|(?<![a-zA-Z\\])pi(?![a-zA-Z])/g, "\\pi ")
    .replace(/∞/g, "\\infty ")
    .replace(/≤|<=/g, "\\le ")
    .replace(/≥|>=/g, "\\ge ")
    .replace(/√\s*\(([^()]+)\)|(?<![a-zA-Z\\])sqrt\s*\(([^()]+)\)/g, (_, a, b) => `\\sqrt{${a ?? b}}`)
    .replace(/√\s*([\d.]+|[a-zA-Z])/g, "\\sqrt{$1}")
    .replace(/∪/g, "\\cup ")
    .replace(/∅/g, "\\emptyset ");
}

/** "a \pm b" is the two answers a + b and a - b; "2 or 3", "x = 2 and x = 3" list answers. */
function expandAlternatives(latex: string): string {
  const listed = latex.replace(/\s*(?:\\text\{\s*(?:or|and)\s*\}|\\(?:quad|qquad)?\s*(?:or|and)(?![a-zA-Z])|(?<![a-zA-Z])(?:or|and)(?![a-zA-Z]))\s*/g, ", ");
  const pm = listed.match(/^([^,]*?)\\pm([^,]*)$/);
  if (!pm) return listed;
  const [, before, after] = pm;
  return `${before}+${after}, ${before}-${after}`.replace(/^\s*\+/, "");
}

/** Commands that take what follows them without braces ("\ln x"), longest first so "\cosh" is not read as "\cos h". */
const OPERATOR_COMMANDS = [
  ..."arcsin arccos arctan arcsec arccsc arccot sinh cosh tanh coth sech csch sin cos tan cot sec csc ln log exp sqrt".split(" "),
  ..."pi theta alpha beta gamma lambda omega phi".split(" "),
].sort((a, b) => b.length - a.length);
/** Whole commands that merely start like one of those. */
const KNOWN_COMMAND = new Set([...OPERATOR_COMMANDS, ..."lnot lneq lnsim lnapprox pitchfork section expandafter".split(" ")]);

/** "\arctanx", "\lnx", "\cosx", "\pit": a command run into its argument is the command applied to it. */
function separateRunTogetherCommands(latex: string): string {
  return latex.replace(/(?<!\\)\\([a-zA-Z]+)/g, (whole, name: string) => {
    if (KNOWN_COMMAND.has(name)) return whole;
    const command = OPERATOR_COMMANDS.find((known) => name.startsWith(known));
    return command ? `\\${command} ${name.slice(command.length)}` : whole;
  });
}

/** "\left[\begin{array}{cc}…\end{array}\right]" is the matrix "\begin{bmatrix}…\end{bmatrix}" (and with parentheses, pmatrix). */
const arrayAsMatrix = (latex: string) =>
  latex.replace(/([[(])\s*\\begin\{array\}\s*(?:\{[^{}]*\})?([\s\S]*?)\\end\{array\}\s*([\])])/g, (whole, open: string, body: string, close: string) =>
    open === "[" && close === "]" ? `\\begin{bmatrix}${body}\\end{bmatrix}` : open === "(" && close === ")" ? `\\begin{pmatrix}${body}\\end{pmatrix}` : whole,
  );

/** LaTeX the engine reads without tripping on presentation: sizing commands, spacing, \dfrac, currency, units. */
export function cleanLatex(latex: string): string {
  return arrayAsMatrix(separateRunTogetherCommands(plainToLatex(latex)).replace(/\\(?:left|right|big|Big|bigg|Bigg)(?![a-zA-Z])\s*/g, ""))
    .replace(/(?<!\\)\\[,!;: ]|\\q?quad(?![a-zA-Z])|~/g, " ")
    .replace(/\\[dt]frac(?![a-zA-Z])/g, "\\frac")
    .replace(/\\displaystyle(?![a-zA-Z])/g, "")
    .replace(/\{,\}/g, "")
    .replace(/\\\$|(?<!\\)\$|(?<!\\)\\(?=\d)/g, "")
    .replace(/\^\s*\{?\s*\\circ\s*\}?|°|\\degree(?![a-zA-Z])/g, "")
    .replace(/\\%|%/g, "")
    .replace(/\\(?:text|textbf|mathrm|mbox)\{\s*\}/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** "18 \text{ dollars}", "5 cm", "3 hours" → the number; a \text{...} that is the whole answer keeps its words. */
function dropUnits(latex: string): string {
  const unit = latex.match(/^([-+]?[\d.,]*\d(?:\s*\\frac\{\d+\}\{\d+\})?)\s*(?:\\(?:text|mathrm|mbox)\{[^{}]*\}|[a-zA-Z][a-zA-Z. ]*)(?:\s*\^?\s*\{?[23]\}?)?$/);
  if (unit) return unit[1]!;
  // "\frac{270}{7}\text{ degrees}", "4096\pi \text{ square units}", "12\sqrt{2} cm": a value, then a unit in words.
  const trailing = latex.match(/^(.*\S)\s*(?:\\(?:text|mathrm|mbox)\{\s*[a-zA-Z][a-zA-Z. ]*\}|\s[a-zA-Z]{2,}(?:\s+[a-zA-Z]{2,})*)(?:\s*\^\s*\{?[23]\}?)?$/);
  return trailing && /\d/.test(trailing[1]!) && !/\\text\{[^}]*$/.test(trailing[1]!) ? trailing[1]!.trim() : latex;
}

/** 1,234,567 is a number, not a tuple, when every group after the first has three digits. */
function dropThousandsSeparators(latex: string): string {
  return /^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(latex) ? latex.replace(/,/g, "") : latex;
}

const isBracketed = (latex: string) => /^[([{]|^\\\{|^\\langle/.test(latex) && /[)\]}]$|\\\}$|\\rangle$/.test(latex);

function toParseable(answer: string): string {
  const plain = dropThousandsSeparators(dropUnits(expandAlternatives(cleanLatex(answer))));
  return plain.replace(/^\\text\{([^{}]*)\}$/, "$1").trim();
}

function parse(latex: string): Expr | null {
  if (latex.length > MAX_PARSED_LENGTH) return null;
  const expr = ce().parse(latex);
  return expr.isValid ? expr : null;
}

/**
 * Power towers (9^{9^{9}}), huge exponents and factorials make the engine compute exact integers of millions of
 * digits inside one uninterruptible operation; such answers are compared as text only.
 */
const tooCostly = (latex: string) => /\^\s*\{\s*[-+]?\d+\s*\^|\^\s*\{?\s*\d{4,}|\d{4,}\s*!|\^\s*\{?\s*\d+\s*\^/.test(latex);

function numericValue(expr: Expr): { re: number; im: number } | null {
  const value = expr.N();
  const re = value.re;
  const im = value.im;
  if (typeof re !== "number" || Number.isNaN(re)) return null;
  return { re, im: typeof im === "number" && !Number.isNaN(im) ? im : 0 };
}

const UNORDERED = new Set(["Set", "Union"]);
/** What a comma-separated answer parses as; without brackets it lists solutions, in any order. */
const BARE_LIST = new Set(["Tuple", "Sequence", "Delimiter"]);
const COLLECTIONS = new Set(["Set", "Union", "List", "Tuple", "Matrix", "Interval", "Sequence", "Delimiter", "Pair", "Triple"]);
const RELATIONS = new Set(["Equal", "Less", "LessEqual", "Greater", "GreaterEqual", "NotEqual", "Element"]);

function elementsEqual(a: readonly Expr[], b: readonly Expr[], ordered: boolean, options: Settings, deadline: Deadline): boolean {
  if (a.length !== b.length) return false;
  if (ordered) return a.every((x, i) => exprEqual(x, b[i]!, options, deadline));
  const unused = [...b];
  for (const x of a) {
    const at = unused.findIndex((y) => exprEqual(x, y, options, deadline));
    if (at < 0) return false;
    unused.splice(at, 1);
  }
  return true;
}

/** Open/closed ends of an interval must agree, then the end points by value. */
function intervalEnds(expr: Expr): Array<{ open: boolean; value: Expr }> {
  return opsOf(expr).map((end) => (end.operator === "Open" ? { open: true, value: opsOf(end)[0]! } : { open: false, value: end }));
}

/** "[2, 5]" parses as a list and "(2, 5)" as a tuple: against an interval they are its closed and open forms. */
function asIntervalLike(expr: Expr): Expr {
  const ops = opsOf(expr);
  if (ops.length !== 2 || !["List", "Tuple", "Pair"].includes(expr.operator)) return expr;
  const ends = expr.operator === "List" ? ops.map((op) => op.json) : ops.map((op) => ["Open", op.json]);
  return ce().box(["Interval", ...ends] as never);
}

function collectionsEqual(x: Expr, y: Expr, ordered: boolean, options: Settings, deadline: Deadline): boolean {
  const intervals = x.operator === "Interval" || y.operator === "Interval";
  const [a, b] = intervals ? [asIntervalLike(x), asIntervalLike(y)] : [x, y];
  if (intervals) {
    if (a.operator !== b.operator) return false;
    const [ea, eb] = [intervalEnds(a), intervalEnds(b)];
    return ea.length === eb.length && ea.every((end, i) => end.open === eb[i]!.open && exprEqual(end.value, eb[i]!.value, options, deadline));
  }
  const bareLists = BARE_LIST.has(a.operator) && BARE_LIST.has(b.operator);
  const unordered = (!ordered && bareLists) || UNORDERED.has(a.operator) || UNORDERED.has(b.operator);
  const sameKind =
    a.operator === b.operator ||
    unordered ||
    (["Tuple", "Pair", "Triple", "Sequence", "Delimiter"].includes(a.operator) && ["Tuple", "Pair", "Triple", "Sequence", "Delimiter"].includes(b.operator));
  // A column vector written as a matrix and as a list of numbers are the same vector.
  const flat = (e: Expr) => (e.operator === "Matrix" ? flattenMatrix(e) : opsOf(e));
  if (!sameKind && !(a.operator === "Matrix" || b.operator === "Matrix")) return false;
  return elementsEqual(flat(a), flat(b), !unordered, options, deadline);
}

/** "\frac{1}{2}\begin{pmatrix}…\end{pmatrix}", "-M": a number times a matrix is the matrix of the products. */
function scaledMatrix(expr: Expr): Expr {
  const ops = opsOf(expr);
  const matrices = ops.filter((op) => op.operator === "Matrix");
  if (matrices.length !== 1 || !["Multiply", "Negate"].includes(expr.operator) || ops.some((op) => op !== matrices[0] && COLLECTIONS.has(op.operator)))
    return expr;
  const [matrix] = matrices as [Expr];
  const factor = expr.operator === "Negate" ? -1 : ["Multiply", ...ops.filter((op) => op !== matrix).map((op) => op.json)];
  const [rows, ...shape] = opsOf(matrix);
  const scaledRows = opsOf(rows!).map((row) => ["List", ...opsOf(row).map((element) => ["Multiply", factor, element.json])]);
  return ce().box(["Matrix", ["List", ...scaledRows], ...shape.map((op) => op.json)] as never);
}

function flattenMatrix(matrix: Expr): Expr[] {
  const rows = opsOf(opsOf(matrix)[0] ?? matrix);
  return rows.flatMap((row) => (row.operator === "List" ? opsOf(row) : [row]));
}

function relationsEqual(a: Expr, b: Expr, options: Settings, deadline: Deadline): boolean {
  const [la, ra] = opsOf(a);
  const [lb, rb] = opsOf(b);
  if (!la || !ra || !lb || !rb) return false;
  if (a.operator === b.operator && exprEqual(la, lb, options, deadline) && exprEqual(ra, rb, options, deadline)) return true;
  if (a.operator !== "Equal" || b.operator !== "Equal") return false;
  // The same equation rearranged: the differences of the sides agree up to a non-zero factor.
  return proportional(la.sub(ra), lb.sub(rb), deadline);
}

type Evaluator = (point: readonly number[]) => number | null;

const valueAt = (point: readonly number[], i: number) => point[i % point.length]! + Math.floor(i / point.length);

/**
 * The real value of an expression at a point, or null where it is not real. Compiled to JavaScript where the engine
 * can (a few microseconds a point, where substituting and evaluating takes milliseconds), else substituted.
 */
function evaluator(expr: Expr, variables: readonly string[]): Evaluator {
  const substituted: Evaluator = (point) => {
    const value = numericValue(expr.subs(Object.fromEntries(variables.map((name, i) => [name, ce().number(valueAt(point, i))]))));
    return value && value.im === 0 && Number.isFinite(value.re) ? value.re : null;
  };
  let compiled: ReturnType<typeof compile>;
  try {
    compiled = compile(expr, { fallback: false });
  } catch {
    return substituted;
  }
  const run = compiled.run;
  if (!compiled.success || compiled.calling !== "expression" || !run) return substituted;
  return (point) => {
    try {
      const value = run(Object.fromEntries(variables.map((name, i) => [name, valueAt(point, i)])) as never);
      return typeof value === "number" && Number.isFinite(value) ? value : null;
    } catch {
      return substituted(point);
    }
  };
}

/** Values of both expressions at the sample points where both are real, computed lazily: a disagreement ends the probe. */
function* sampled(a: Expr, b: Expr, deadline: Deadline): Generator<[number, number]> {
  const variables = [...new Set([...a.unknowns, ...b.unknowns])];
  const [left, right] = [evaluator(a, variables), evaluator(b, variables)];
  for (const point of SAMPLE_POINTS) {
    deadline.check();
    const x = left(point);
    const y = x === null ? null : right(point);
    if (x !== null && y !== null) yield [x, y];
  }
}

/** At least three sample points were compared, and `agree` held at every one. */
function agreeWherever(pairs: Iterable<[number, number]>, agree: (x: number, y: number) => boolean): boolean {
  let compared = 0;
  for (const [x, y] of pairs) {
    if (!agree(x, y)) return false;
    compared++;
  }
  return compared >= 3;
}

function proportional(a: Expr, b: Expr, deadline: Deadline): boolean {
  let ratio: number | undefined;
  return agreeWherever(
    filter(sampled(a, b, deadline), ([, y]) => Math.abs(y) > 1e-9),
    (x, y) => {
      ratio ??= x / y;
      return ratio !== 0 && closeTo(x / y, ratio);
    },
  );
}

function* filter<T>(items: Iterable<T>, keep: (item: T) => boolean): Generator<T> {
  for (const item of items) if (keep(item)) yield item;
}

function scalarsEqual(a: Expr, b: Expr, options: Settings, deadline: Deadline): boolean {
  if (a.isSame(b)) return true;
  if (a.operator === "String" || b.operator === "String") return false;
  if (!a.unknowns.length && !b.unknowns.length) {
    const [x, y] = [numericValue(a), numericValue(b)];
    if (!x || !y) return false;
    return closeTo(x.re, y.re, options.tolerance) && Math.abs(x.im - y.im) <= RELATIVE_TOLERANCE * Math.max(1, Math.abs(x.im), Math.abs(y.im));
  }
  let offset: number | undefined;
  return agreeWherever(sampled(a, b, deadline), (x, y) => {
    offset ??= options.upToConstant ? x - y : 0;
    return closeTo(x - offset, y) || Math.abs(x - offset - y) <= 1e-9;
  });
}

const INFINITY: Record<"lower" | "upper", string> = { lower: "NegativeInfinity", upper: "PositiveInfinity" };

/**
 * A condition on one variable as the interval it describes: "x < 3" is (-∞, 3), "2 \le x \le 5" is [2, 5],
 * "x \in [2, 5]" is [2, 5]; anything else is left as it is.
 */
function asInterval(expr: Expr): Expr {
  const ops = opsOf(expr);
  if (expr.operator === "Element" && isSymbol(ops[0]) && ops[1]) return ops[1];
  const strict = expr.operator === "Less" || expr.operator === "Greater";
  if (!["Less", "LessEqual", "Greater", "GreaterEqual"].includes(expr.operator)) return expr;
  const ascending = expr.operator.startsWith("Less") ? ops : [...ops].reverse();
  const at = ascending.findIndex((op) => isSymbol(op) && op.unknowns.length === 1 && op.unknowns[0] === op.symbol);
  if (at < 0 || ascending.length > 3 || ascending.some((op, i) => i !== at && op.unknowns.length)) return expr;
  const end = (value: Expr | undefined, side: "lower" | "upper") =>
    value ? (strict ? ce().box(["Open", value.json]) : value) : ce().box(["Open", INFINITY[side]]);
  return ce().box(["Interval", end(ascending[at - 1], "lower").json, end(ascending[at + 1], "upper").json]);
}

/** What an answer solves for: a variable ("y") or a function of variables ("y(t)", "f(x, y)"). */
function namesUnknown(expr: Expr): boolean {
  if (isSymbol(expr)) return true;
  return /^[a-zA-Z](?:_\w+)?$/.test(expr.operator) && opsOf(expr).length > 0 && opsOf(expr).every((op) => isSymbol(op));
}

function exprEqual(x: Expr, y: Expr, options: Settings, deadline: Deadline, ordered = true): boolean {
  deadline.check();
  const [a, b] = [asInterval(scaledMatrix(x)), asInterval(scaledMatrix(y))];
  if (COLLECTIONS.has(a.operator) || COLLECTIONS.has(b.operator)) {
    if (!COLLECTIONS.has(a.operator) || !COLLECTIONS.has(b.operator)) return false;
    return collectionsEqual(a, b, ordered, options, deadline);
  }
  if (RELATIONS.has(a.operator) || RELATIONS.has(b.operator)) {
    // "y = 2x + 1" against "2x + 1", "x = 18" against "18", "y(t) = 3e^{2t}" against "3e^{2t}": the solved side counts.
    const solved = (e: Expr) => (e.operator === "Equal" && namesUnknown(opsOf(e)[0]!) ? opsOf(e)[1] : undefined);
    const [sa, sb] = [solved(a), solved(b)];
    if (sa && !RELATIONS.has(b.operator)) return exprEqual(sa, b, options, deadline);
    if (sb && !RELATIONS.has(a.operator)) return exprEqual(a, sb, options, deadline);
    return relationsEqual(a, b, options, deadline);
  }
  return scalarsEqual(a, b, options, deadline);
}

/** Names a general solution gives its arbitrary constants: C, K, C_1, c_2, k_1, A, B (a bare k is usually a given rate). */
const ARBITRARY_CONSTANT = /^(?:[CK](?:_\w+)?|[ck]_\w+|[AB])$/;
/** Beyond four constants the renamings (24) cost more than they could be worth. */
const MAX_RENAMED_CONSTANTS = 4;

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/**
 * A general solution with its arbitrary constants named or numbered otherwise ("A e^{x} + B e^{-x}" for
 * "C_1 e^{x} + C_2 e^{-x}", or c_1 and c_2 swapped): equal when some one-to-one renaming of the answer's constants
 * to the reference's makes them equal.
 */
function equalWithConstantsRenamed(a: Expr, b: Expr, settings: Settings, deadline: Deadline, ordered: boolean): boolean {
  // Only a function of a variable is a general solution: the letters "A" and "B" as answers are not renamings.
  const solution = (expr: Expr) => (expr.operator === "Equal" && namesUnknown(opsOf(expr)[0]!) ? opsOf(expr)[1]! : expr);
  if (![a, b].every((expr) => solution(expr).unknowns.some((name) => !ARBITRARY_CONSTANT.test(name)))) return false;
  const constants = (expr: Expr) => expr.unknowns.filter((name) => ARBITRARY_CONSTANT.test(name)).sort();
  const [mine, theirs] = [constants(a), constants(b)];
  if (!mine.length || mine.length !== theirs.length || mine.length > MAX_RENAMED_CONSTANTS) return false;
  return permutations(theirs).some((names) => {
    if (names.every((name, i) => name === mine[i])) return false;
    const renamed = a.subs(Object.fromEntries(mine.map((name, i) => [name, ce().symbol(names[i]!)])));
    return exprEqual(renamed, b, settings, deadline, ordered);
  });
}

/** The constant of integration, wherever it is written: "… + C", "C + …", "C - …". */
const withoutConstant = (latex: string) =>
  latex
    .replace(/\s*\+\s*C\s*$/, "")
    .replace(/^C\s*\+\s*/, "")
    .replace(/^C\s*(?=-)/, "");

/** Whether `answer` and `reference` denote the same value; false when either cannot be read or time runs out. */
export function mathEquivalent(answer: string, reference: string, options: EquivalenceOptions = {}): boolean {
  const settings: Settings = {
    upToConstant: options.upToConstant ?? false,
    tolerance: toleranceFor(reference, options.decimalsAsked),
  };
  const timeLimitMs = options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  let [left, right] = [toParseable(answer), toParseable(reference)];
  if (settings.upToConstant) [left, right] = [withoutConstant(left), withoutConstant(right)];
  if (!left || !right) return false;
  if (left.replace(/\s+/g, "").toLowerCase() === right.replace(/\s+/g, "").toLowerCase()) return true;
  if (tooCostly(left) || tooCostly(right)) return false;
  const current = ce(); // the engine's start-up (once a process) is not the comparison's time
  const deadline = new Deadline(timeLimitMs);
  // The engine reports its own failures on odd input with console.error (once per sub-expression: hundreds of lines
  // for one nested sum) and its compiler's fallbacks with console.warn; a failure here already means "not equal"
  // or "probe by substitution", so the noise stays out of the CLI's stderr.
  const [report, warn] = [console.error, console.warn];
  console.error = () => {};
  console.warn = () => {};
  try {
    // The engine checks the same deadline inside its own loops (canonical forms, sums, evaluation), ours between steps.
    return current.withTimeLimit(timeLimitMs, () => {
      const [a, b] = [parse(left), parse(right)];
      if (!a || !b) return false;
      const ordered = isBracketed(left) || isBracketed(right);
      return exprEqual(a, b, settings, deadline, ordered) || equalWithConstantsRenamed(a, b, settings, deadline, ordered);
    });
  } catch (error) {
    // An engine cut short mid-computation may keep half-built state: the next comparison gets a fresh one.
    if (error instanceof DeadlineExceeded || (error as Error).name === "CancellationError") started = null;
    // Out of time, or the engine refusing an input: a "cannot tell", which grades as not equal.
    return false;
  } finally {
    forgetComparison();
    console.error = report;
    console.warn = warn;
  }
}
