// DeepConf (Fu et al. 2025, facebookresearch/deepconf): self-consistency that trusts confident traces more.
// Every trace records its per-token confidence (protocol/token-confidence.ts). Offline: all n traces are
// generated, the top η% by trace confidence vote, each weighted by its confidence (analysis_offline.py). Online:
// warm-up traces set the threshold at their lowest-group confidences' (100 − η)th percentile; later traces stop
// as soon as a window of their confidence falls below it and do not vote; sampling ends early once the weighted
// vote's leading answer holds τ of the weight (deepconf-online.py; the paper's Algorithm 2).
import { answerKey } from "../grading/checkers.ts";
import type { RunNode } from "../protocol/state.ts";
import { decodeConfidence, TRACE_CONFIDENCE_MEASURES, type TraceConfidenceMeasure, traceConfidence } from "../protocol/token-confidence.ts";
import type { RunContext } from "./context.ts";
import { oneCall } from "./context-need.ts";
import { prompts } from "./prompts.ts";
import { breakTie } from "./tie-break.ts";
import { MAX_LANES, StrategyParamError, defineStrategy } from "./types.ts";

export const DEEPCONF_MODES = ["online", "offline"] as const;

/** numpy.percentile's default (linear interpolation between the closest ranks). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export interface Ballot {
  id: string;
  key: string;
  weight: number;
}

/** Sum of weights per answer, heaviest first; ties between answers drawn with the run's seed. */
export function weightedTally(ballots: readonly Ballot[], seed: number): { winner: string | null; weights: Map<string, number> } {
  const weights = new Map<string, number>();
  for (const ballot of ballots) weights.set(ballot.key, (weights.get(ballot.key) ?? 0) + ballot.weight);
  if (weights.size === 0) return { winner: null, weights };
  const top = Math.max(...weights.values());
  const tied = [...weights.keys()].filter((key) => weights.get(key) === top);
  return { winner: breakTie(tied, seed, `deepconf:${tied.join(",")}`), weights };
}

interface Trace {
  node: RunNode;
  key: string | null;
  confidence: number;
}

const traceOf = (ctx: RunContext, node: RunNode, measure: TraceConfidenceMeasure, window: number): Trace => ({
  node,
  key: answerKey(ctx.task, node.answer),
  confidence: traceConfidence(decodeConfidence(node.confidence ?? ""), measure, window),
});

function sample(ctx: RunContext, index: number, step: string, temperature: number, stopBelow?: { window: number; threshold: number }): Promise<RunNode> {
  return ctx.generate({
    role: "draft",
    step,
    iteration: 0,
    parents: [],
    model: "actor",
    messages: [
      { role: "system", content: prompts.solverSystem },
      { role: "user", content: ctx.task.question },
    ],
    lane: `trace-${index % MAX_LANES}`,
    temperature,
    confidence: stopBelow ? { stopBelow } : {},
  });
}

const fmt = (value: number) => value.toFixed(3);

/**
 * Traces that came back without confidence (a server that ignores `logprobs`) would all weigh 0 and turn the vote
 * into a seeded draw: the run stops and says why instead.
 */
export function requireConfidence(nodes: readonly RunNode[]): void {
  if (nodes.some((node) => node.confidence) || !nodes.some((node) => node.tokensOut > 1)) return;
  throw new Error(
    "DeepConf needs per-token confidence, and the actor's traces came back without it: a remote actor must be a server that returns logprobs (llama-server, vLLM, Ollama 0.12.11 or later)",
  );
}

/** The vote node over the voting traces; every trace is a parent, the ones left out are pruned with the reason. */
function finalVote(ctx: RunContext, traces: readonly Trace[], voters: readonly Trace[], lines: string[]): string {
  const ballots = voters.filter((t) => t.key !== null).map((t) => ({ id: t.node.id, key: t.key!, weight: t.confidence }));
  const { winner, weights } = weightedTally(ballots, ctx.options.seed);
  const shown = (key: string) => ctx.node(ballots.find((b) => b.key === key)!.id).answer;
  const total = [...weights.values()].reduce((sum, w) => sum + w, 0);
  const tally = [...weights.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([key, weight]) => `${shown(key)}: weight ${fmt(weight)} · ${ballots.filter((b) => b.key === key).length} votes`);
  const winnerId = winner === null ? (voters[0] ?? traces[0]!).node.id : ballots.filter((b) => b.key === winner).sort((a, b) => b.weight - a.weight)[0]!.id;
  const vote = ctx.addComputedNode({
    role: "vote",
    step: "confidence-vote",
    iteration: 1,
    parents: traces.map((t) => t.node.id),
    text: [...tally, ...lines].join("\n"),
    answer: winner === null ? null : ctx.node(winnerId).answer,
  });
  for (const trace of traces) {
    const votes = voters.includes(trace) && trace.key !== null;
    ctx.setScore(trace.node.id, {
      value: votes && total > 0 ? weights.get(trace.key!)! / total : 0,
      verdict: "unknown",
      source: "vote",
      byNodeId: vote.id,
      ...(trace.key !== null ? { group: trace.key } : {}),
    });
  }
  return winnerId;
}

async function offline(ctx: RunContext, n: number, temperature: number, keepPercent: number, measure: TraceConfidenceMeasure, window: number) {
  const nodes = await ctx.map([...Array(n).keys()], (i) => sample(ctx, i, "trace", temperature));
  requireConfidence(nodes);
  const traces = nodes.map((node) => traceOf(ctx, node, measure, window));
  // As filter_top_confidence: only traces with an answer are ranked; the cut is the (100 − η)th percentile.
  const answered = traces.filter((t) => t.key !== null);
  const cut = percentile(
    answered.map((t) => t.confidence),
    100 - keepPercent,
  );
  const kept = answered.filter((t) => t.confidence >= cut);
  for (const trace of traces) {
    if (trace.key === null) ctx.prune(trace.node.id, "no answer to vote for");
    else if (!kept.includes(trace)) ctx.prune(trace.node.id, `confidence ${fmt(trace.confidence)} below the top ${keepPercent}% cut ${fmt(cut)}`);
  }
  return finalVote(ctx, traces, kept, [`kept ${kept.length}/${answered.length} answered traces: ${measure} confidence ≥ ${fmt(cut)} (top ${keepPercent}%)`]);
}

async function online(ctx: RunContext, n: number, warmup: number, temperature: number, keepPercent: number, window: number, consensus: number) {
  const warmNodes = await ctx.map([...Array(warmup).keys()], (i) => sample(ctx, i, "warmup", temperature));
  requireConfidence(warmNodes);
  const warm = warmNodes.map((node) => traceOf(ctx, node, "lowest-group", window));
  const threshold = percentile(
    warm.map((t) => t.confidence),
    100 - keepPercent,
  );
  // Warm-up traces vote when they reach the threshold themselves (deepconf-online.py); the rest never would have.
  const voters = warm.filter((t) => t.confidence >= threshold);
  for (const trace of warm)
    if (!voters.includes(trace)) ctx.prune(trace.node.id, `lowest-group confidence ${fmt(trace.confidence)} below the threshold ${fmt(threshold)}`);
  const traces = [...warm];
  let stopped = 0;
  let reachedConsensus = false;
  while (traces.length < n && !reachedConsensus && ctx.withinBudget()) {
    const batch = Math.min(MAX_LANES, n - traces.length);
    const start = traces.length;
    const nodes = await ctx.map([...Array(batch).keys()], (i) => sample(ctx, start + i, "trace", temperature, { window, threshold }));
    for (const node of nodes) {
      const trace = traceOf(ctx, node, "lowest-group", window);
      traces.push(trace);
      // A trace shorter than the window never fills one to stop on; its whole-trace mean decides (min_conf < conf_bar).
      if (node.confidenceStop || trace.confidence < threshold) {
        stopped++;
        ctx.prune(
          node.id,
          node.confidenceStop
            ? `stopped early: a window's confidence fell below ${fmt(threshold)}`
            : `confidence ${fmt(trace.confidence)} below ${fmt(threshold)}`,
        );
      } else voters.push(trace);
    }
    const ballots = voters.filter((t) => t.key !== null).map((t) => ({ id: t.node.id, key: t.key!, weight: t.confidence }));
    const { winner, weights } = weightedTally(ballots, ctx.options.seed);
    const total = [...weights.values()].reduce((sum, w) => sum + w, 0);
    reachedConsensus = winner !== null && total > 0 && weights.get(winner)! / total >= consensus;
  }
  const warmTokens = warm.reduce((sum, t) => sum + t.node.tokensOut, 0);
  const meanLength = warm.length ? warmTokens / warm.length : 0;
  const spent = traces.reduce((sum, t) => sum + t.node.tokensOut, 0);
  // What the same n traces would have cost run to their end, estimated from the warm-up traces' mean length.
  const full = Math.max(spent, Math.round(meanLength * n));
  const lines = [
    `threshold ${fmt(threshold)}: the ${100 - keepPercent}th percentile of ${warm.length} warm-up traces' lowest-group confidence (window ${window})`,
    `${traces.length}/${n} traces generated${reachedConsensus ? `, stopped at consensus ≥ ${consensus}` : ""}; ${stopped} stopped early or below the threshold`,
    `tokens: ${spent} generated, ≈${full - spent} saved (${full > 0 ? Math.round((100 * (full - spent)) / full) : 0}%) against ${n} full traces of the warm-up's mean length ${Math.round(meanLength)}`,
  ];
  return finalVote(ctx, traces, voters, lines);
}

export const deepconf = defineStrategy({
  name: "deepconf",
  title: "DeepConf (confidence-filtered self-consistency)",
  paper: "Fu, Wang, Tian & Zhao 2025, Deep Think with Confidence (arXiv:2508.15260; facebookresearch/deepconf)",
  summary: "Sample traces with token confidence; the most confident vote, weighted by confidence; online, weak traces stop early.",
  params: [
    {
      name: "mode",
      type: "string",
      default: "online",
      choices: DEEPCONF_MODES,
      description: "online: warm-up threshold and early stops; offline: filter after all traces",
    },
    { name: "n", type: "integer", default: 32, min: 1, max: 512, description: "traces at most (the budget K)" },
    { name: "warmup", type: "integer", default: 16, min: 1, max: 512, description: "online: warm-up traces that set the threshold (N_init)" },
    {
      name: "keepPercent",
      type: "number",
      default: 10,
      min: 1,
      max: 100,
      description: "η: keep the top η% most confident (10 DeepConf-low, 90 DeepConf-high)",
    },
    { name: "window", type: "integer", default: 2048, min: 1, max: 65536, description: "tokens per confidence group (and the tail's length)" },
    {
      name: "measure",
      type: "string",
      default: "bottom-10",
      choices: TRACE_CONFIDENCE_MEASURES,
      description: "offline: trace confidence (lowest-group, bottom-10, tail, mean)",
    },
    {
      name: "consensus",
      type: "number",
      default: 0.95,
      min: 0,
      max: 1,
      description: "online: stop sampling when the leading answer holds this share of the weight (τ)",
    },
    { name: "temperature", type: "number", default: 0.6, min: 0, max: 2, description: "sampling temperature (the repo's 0.6)" },
  ],
  usesCritic: false,
  contextNeeded: (_params, budgets) => oneCall(budgets),
  actorLanes: (params) => Math.min(params.n, MAX_LANES),
  validate(params) {
    if (params.mode === "online" && params.warmup >= params.n)
      throw new StrategyParamError(
        `Warmup: must be fewer than N (${params.n}), got ${params.warmup}: online DeepConf sets its threshold on the warm-up traces and stops the ones after them`,
        "warmup",
      );
  },
  async run(ctx, params) {
    const temperature = params.temperature;
    const keepPercent = params.keepPercent;
    const window = params.window;
    const nodeId =
      params.mode === "offline"
        ? await offline(ctx, params.n, temperature, keepPercent, params.measure as TraceConfidenceMeasure, window)
        : await online(ctx, params.n, params.warmup, temperature, keepPercent, window, params.consensus);
    return { nodeId };
  },
});
