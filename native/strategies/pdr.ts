// Parallel-Distill-Refine and Sequential Refinement (Madaan et al. 2025): rounds of drafts conditioned on a
// bounded workspace that is rebuilt every round (never accumulated) by distilling the round's drafts: a summary
// (agreements, contradictions, derived facts, open subgoals), the top-k drafts by critic score, or a random k
// per draft. κ bounds the workspace that is written, not what the distiller reads: the summariser reads every
// draft (each shortened by an equal share only when together they overflow the model's context, with a note in
// the prompt). The last round has a single draft, which is the answer. SR refines the current answer,
// s_{t+1} = M(x, s_t, C_t): each round sees the previous answer and, in summary mode, a summary of it.
// The oracle workspace (top-k by correctness against the reference) is an upper bound, marked in the manifest.
import { answersMatch, referenceAnswer } from "../grading/answers.ts";
import type { RunNode } from "../protocol/state.ts";
import { latestScore } from "../protocol/state.ts";
import type { RunContext } from "./context.ts";
import { prompts } from "./prompts.ts";
import { defineStrategy, MAX_LANES, type ContextBudgets, type ParamSpec, type ParamsOf, type StrategyDefinition } from "./types.ts";
import { mulberry32 } from "../util/random.ts";
import { fitFairly } from "./workspace-fit.ts";
import { output, WRAPPER_TOKENS } from "./context-need.ts";

/** Tokens kept free beyond the prompt's fixed parts and the summary's κ: chat-template tokens and rounding. */
const CONTEXT_MARGIN = 64;

interface Workspace {
  /** The distill node (or the drafts themselves for random-k) the next drafts descend from. */
  parents: string[];
  /** The workspace text for each next draft (random-k gives each draft its own). */
  textFor: (draftIndex: number) => string;
}

const countActor = (ctx: RunContext) => (text: string) => ctx.options.actor.countTokens(text);
const candidates = (texts: string[]) => texts.map((text, i) => `Candidate ${i + 1}:\n${text}`).join("\n\n");

/** A top-k or random-k workspace: the chosen drafts, each with an equal share of κ tokens if they do not all fit. */
async function boundedWorkspace(ctx: RunContext, nodes: RunNode[], kappa: number): Promise<string> {
  const fitted = await fitFairly(
    nodes.map((d) => d.text),
    kappa,
    countActor(ctx),
  );
  return candidates(fitted.texts);
}

const SUMMARY_SYSTEM = "You distill several candidate solutions into a short workspace for the next attempt.";
const summaryInstruction =
  "Write a concise summary: where the candidates agree, where they contradict each other, facts they derived, and open subgoals. Do not write a full solution.";

/**
 * What the summariser reads: every draft whole, or — only when the actor's context cannot hold them all next to
 * the question and a κ-token summary — every draft shortened to an equal share, with a note saying so.
 */
export async function summaryPrompt(ctx: RunContext, drafts: RunNode[], kappa: number): Promise<string> {
  const frame = (body: string, note: string) => `Problem:\n${ctx.task.question}\n\n${note}${body}\n\n${summaryInstruction}`;
  const whole = frame(candidates(drafts.map((d) => d.text)), "");
  const contextSize = ctx.options.actor.contextSize?.() ?? undefined;
  if (contextSize === undefined) return whole;
  const count = countActor(ctx);
  const room = contextSize - kappa - CONTEXT_MARGIN - (await count(SUMMARY_SYSTEM));
  if ((await count(whole)) <= room) return whole;
  // Cut marks and the note take tokens too: shrink the drafts' budget by any overshoot and fit again.
  let budget = room - (await count(frame(candidates(drafts.map(() => "")), "")));
  let prompt = whole;
  for (let attempt = 0; attempt < 4; attempt++) {
    const fitted = await fitFairly(
      drafts.map((d) => d.text),
      budget,
      count,
    );
    const note = `Note: the ${drafts.length} candidates together do not fit in the context, so ${fitted.shortened} of them were shortened to about ${fitted.share} tokens each (the cuts are marked).\n\n`;
    prompt = frame(candidates(fitted.texts), note);
    const overshoot = (await count(prompt)) - room;
    if (overshoot <= 0) break;
    budget -= overshoot;
  }
  return prompt;
}

async function distill(ctx: RunContext, drafts: RunNode[], round: number, params: PdrParams, random: () => number): Promise<Workspace> {
  const mode = params.workspace;
  const k = params.k;
  const kappa = params.kappa;
  if (mode === "summary") {
    const node = await ctx.ask({
      role: "distill",
      step: "summary",
      iteration: round,
      parents: drafts.map((d) => d.id),
      model: "actor",
      system: SUMMARY_SYSTEM,
      user: await summaryPrompt(ctx, drafts, kappa),
      lane: "distill",
      // κ bounds what the summariser writes.
      maxTokens: kappa,
      extract: false,
    });
    return { parents: [node.id], textFor: () => node.text };
  }
  if (mode === "random-k") {
    // Each next draft sees its own random k of this round's drafts; no model call, so no distill node.
    const count = Math.max(1, params.drafts ?? 1);
    const texts = await Promise.all(
      [...Array(round < params.rounds - 1 ? count : 1).keys()].map(() => boundedWorkspace(ctx, [...drafts].sort(() => random() - 0.5).slice(0, k), kappa)),
    );
    return { parents: drafts.map((d) => d.id), textFor: (index) => texts[index] ?? texts[0]! };
  }
  // top-k: by critic score, or by correctness against the reference (oracle upper bound).
  let ranked: RunNode[];
  if (params.oracle) {
    const reference = referenceAnswer(ctx.task.reference ?? "");
    ranked = [...drafts].sort((a, b) => Number(answersMatch(b.answer, reference)) - Number(answersMatch(a.answer, reference)));
  } else {
    await ctx.map(drafts, (d, i) => ctx.critique(d.id, { mode: "holistic", iteration: round, lane: `critic-${i % MAX_LANES}` }));
    ranked = [...drafts].sort((a, b) => (latestScore(ctx.node(b.id), "critic")?.value ?? -1) - (latestScore(ctx.node(a.id), "critic")?.value ?? -1));
  }
  const top = ranked.slice(0, k);
  const node = ctx.addComputedNode({
    role: "distill",
    step: params.oracle ? "oracle-top-k" : "top-k",
    iteration: round,
    parents: top.map((d) => d.id),
    text: await boundedWorkspace(ctx, top, kappa),
    answer: null,
  });
  return { parents: [node.id], textFor: () => node.text };
}

/**
 * SR's next input: the current answer s_t and its workspace C_t. With one draft, a top-k or random-k workspace
 * is that draft itself, so it is shown once and no critic is asked to rank a single candidate.
 */
async function sequentialWorkspace(ctx: RunContext, draft: RunNode, round: number, params: PdrParams): Promise<{ parents: string[]; user: string }> {
  const previous = `${ctx.task.question}\n\nYour previous answer:\n${draft.text}\n\n`;
  const improve = "Improve your previous answer: keep what is right, fix what is wrong, and write the full solution again.";
  if (params.workspace !== "summary") return { parents: [draft.id], user: previous + improve };
  const summary = await distill(ctx, [draft], round, params, () => 0);
  return { parents: [draft.id, ...summary.parents], user: `${previous}Workspace distilled from it:\n${summary.textFor(0)}\n\n${improve}` };
}

const roundsParam = {
  name: "rounds",
  type: "integer",
  default: 3,
  min: 1,
  max: 10,
  description: "rounds R (the last has one draft)",
} as const satisfies ParamSpec;
const draftsParam = {
  name: "drafts",
  type: "integer",
  default: 4,
  min: 1,
  max: 32,
  description: "drafts per round M before the last",
} as const satisfies ParamSpec;
const workspaceParams = [
  { name: "workspace", type: "string", default: "summary", choices: ["summary", "top-k", "random-k"], description: "how drafts are distilled" },
  { name: "k", type: "integer", default: 2, min: 1, max: 16, description: "drafts kept by top-k and random-k" },
  { name: "kappa", type: "integer", default: 512, min: 32, max: 8192, description: "workspace bound κ in tokens" },
  { name: "temperature", type: "number", default: 0.8, min: 0, max: 2, description: "draft temperature" },
  { name: "oracle", type: "boolean", default: false, description: "top-k by correctness against the reference (upper bound)" },
] as const satisfies readonly ParamSpec[];
const parallelParams = [roundsParam, draftsParam, ...workspaceParams] as const;
const sequentialParams = [roundsParam, ...workspaceParams] as const;
/** Sequential Refinement declares no drafts per round: one draft each. */
type PdrParams = ParamsOf<typeof sequentialParams> & { readonly drafts?: number };

function makeRefinement(name: string, title: string, sequential: boolean): StrategyDefinition {
  const common = {
    name,
    title,
    paper: "Madaan et al. 2025, Rethinking Thinking Tokens: LLMs as Improvement Operators (arXiv:2510.01123)",
    summary: sequential
      ? "One draft per round, each conditioned on a bounded workspace distilled from the previous draft."
      : "Rounds of parallel drafts, distilled into a bounded workspace that conditions the next round; the last round writes one answer.",
    // A draft reads the workspace (κ) and, sequentially, the current answer; the summariser's reading is fitted to
    // the context, and it writes at most κ.
    contextNeeded: (params: PdrParams, budgets: ContextBudgets) =>
      budgets.prompt + (sequential ? budgets.actor.answer : 0) + params.kappa + WRAPPER_TOKENS + output(budgets.actor),
    contextKnobs: ["kappa"] as const,
    async run(ctx: RunContext, params: PdrParams) {
      if (params.oracle && ctx.task.reference === undefined) throw new Error(`${name} oracle workspace needs a task with a reference answer`);
      return { nodeId: (sequential ? await runSequential(ctx, params) : await runParallel(ctx, params)).id };
    },
  };
  return sequential
    ? defineStrategy({ ...common, params: sequentialParams, actorLanes: () => 1 })
    : defineStrategy({ ...common, params: parallelParams, actorLanes: (params) => Math.min(params.drafts, MAX_LANES) });
}

async function runParallel(ctx: RunContext, params: PdrParams): Promise<RunNode> {
  const rounds = params.rounds;
  const random = mulberry32(ctx.options.seed + 17);
  let workspace: Workspace | null = null;
  let last: RunNode | null = null;
  for (let round = 1; round <= rounds; round++) {
    const count = round === rounds ? 1 : params.drafts;
    const ws: Workspace | null = workspace;
    const drafts = await ctx.map([...Array(count).keys()], (i) =>
      ws
        ? ctx.ask({
            role: "draft",
            step: `round-${round}`,
            iteration: round,
            parents: ws.parents,
            model: "actor",
            system: prompts.solverSystem,
            user: `${ctx.task.question}\n\nWorkspace from earlier attempts (use what is right, fix what is wrong):\n${ws.textFor(i)}`,
            lane: `draft-${i % MAX_LANES}`,
            temperature: params.temperature,
          })
        : ctx.draft({ step: `round-${round}`, iteration: round, lane: `draft-${i % MAX_LANES}`, temperature: params.temperature }),
    );
    last = drafts[0]!;
    if (round < rounds) {
      if (!ctx.withinBudget()) break;
      workspace = await distill(ctx, drafts, round, params, random);
    }
  }
  return last!;
}

/** SR: s_{t+1} = M(x, s_t, C_t), one draft per round, each seeing the previous answer. */
async function runSequential(ctx: RunContext, params: PdrParams): Promise<RunNode> {
  let current = await ctx.draft({ step: "round-1", iteration: 1, lane: "draft-0", temperature: params.temperature });
  for (let round = 2; round <= params.rounds && ctx.withinBudget(); round++) {
    const next = await sequentialWorkspace(ctx, current, round - 1, params);
    current = await ctx.ask({
      role: "refine",
      step: `round-${round}`,
      iteration: round,
      parents: next.parents,
      model: "actor",
      system: prompts.solverSystem,
      user: next.user,
      lane: "draft-0",
      temperature: params.temperature,
    });
  }
  return current;
}

export const parallelDistillRefine = makeRefinement("pdr", "Parallel-Distill-Refine", false);
export const sequentialRefinement = makeRefinement("sequential-refinement", "Sequential Refinement", true);
