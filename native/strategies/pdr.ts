// Parallel-Distill-Refine and Sequential Refinement (Madaan et al. 2025): rounds of drafts conditioned on a
// bounded workspace that is rebuilt every round (never accumulated) by distilling the round's drafts: a summary
// (agreements, contradictions, derived facts, open subgoals), the top-k drafts by critic score, or a random k
// per draft. The last round has a single draft, which is the answer. SR is the same with one draft per round.
// The oracle workspace (top-k by correctness against the reference) is an upper bound, marked in the manifest.
import { answersMatch, referenceAnswer } from "../eval/answers.ts";
import type { RunNode } from "../protocol/state.ts";
import { latestScore } from "../protocol/state.ts";
import type { RunContext } from "./context.ts";
import { prompts } from "./prompts.ts";
import { bool, int, str, type StrategyDefinition, type StrategyParams, MAX_LANES } from "./types.ts";
import { mulberry32 } from "../util/random.ts";


/** Trims a workspace to at most kappa tokens (approximated as 4 characters each: the bound must hold before tokenising). */
function bounded(text: string, kappa: number): string {
  const limit = kappa * 4;
  return text.length <= limit ? text : `${text.slice(0, limit)}…`;
}

interface Workspace {
  /** The distill node (or the drafts themselves for random-k) the next drafts descend from. */
  parents: string[];
  /** The workspace text for each next draft (random-k gives each draft its own). */
  textFor: (draftIndex: number) => string;
}

async function distill(ctx: RunContext, drafts: RunNode[], round: number, params: StrategyParams, random: () => number): Promise<Workspace> {
  const mode = str(params, "workspace");
  const k = int(params, "k");
  const kappa = int(params, "kappa");
  const render = (nodes: RunNode[]) => bounded(nodes.map((d, i) => `Candidate ${i + 1}:\n${d.text}`).join("\n\n"), kappa);
  if (mode === "summary") {
    const node = await ctx.ask({
      role: "distill",
      step: "summary",
      iteration: round,
      parents: drafts.map((d) => d.id),
      model: "actor",
      system: "You distill several candidate solutions into a short workspace for the next attempt.",
      user: `Problem:\n${ctx.task.question}\n\n${render(drafts)}\n\nWrite a concise summary: where the candidates agree, where they contradict each other, facts they derived, and open subgoals. Do not write a full solution.`,
      lane: "distill",
      maxTokens: kappa,
      extract: false,
    });
    return { parents: [node.id], textFor: () => node.text };
  }
  if (mode === "random-k") {
    // Each next draft sees its own random k of this round's drafts; no model call, so no distill node.
    const picks = () => [...drafts].sort(() => random() - 0.5).slice(0, k);
    const chosen = new Map<number, RunNode[]>();
    return {
      parents: drafts.map((d) => d.id),
      textFor: (index) => {
        if (!chosen.has(index)) chosen.set(index, picks());
        return render(chosen.get(index)!);
      },
    };
  }
  // top-k: by critic score, or by correctness against the reference (oracle upper bound).
  let ranked: RunNode[];
  if (bool(params, "oracle")) {
    const reference = referenceAnswer(ctx.task.reference ?? "");
    ranked = [...drafts].sort((a, b) => Number(answersMatch(b.answer, reference)) - Number(answersMatch(a.answer, reference)));
  } else {
    await ctx.map(drafts, (d, i) => ctx.critique(d.id, { mode: "holistic", iteration: round, lane: `critic-${i % MAX_LANES}` }));
    ranked = [...drafts].sort((a, b) => (latestScore(ctx.node(b.id), "critic")?.value ?? -1) - (latestScore(ctx.node(a.id), "critic")?.value ?? -1));
  }
  const top = ranked.slice(0, k);
  const node = ctx.addComputedNode({
    role: "distill",
    step: bool(params, "oracle") ? "oracle-top-k" : "top-k",
    iteration: round,
    parents: top.map((d) => d.id),
    text: render(top),
    answer: null,
  });
  return { parents: [node.id], textFor: () => node.text };
}

function makeRefinement(name: string, title: string, sequential: boolean): StrategyDefinition {
  return {
    name,
    title,
    paper: "Madaan et al. 2025, Rethinking Thinking Tokens: LLMs as Improvement Operators (arXiv:2510.01123)",
    summary: sequential
      ? "One draft per round, each conditioned on a bounded workspace distilled from the previous draft."
      : "Rounds of parallel drafts, distilled into a bounded workspace that conditions the next round; the last round writes one answer.",
    params: [
      { name: "rounds", type: "integer", default: 3, min: 1, max: 10, description: "rounds R (the last has one draft)" },
      ...(sequential ? [] : [{ name: "drafts", type: "integer" as const, default: 4, min: 1, max: 32, description: "drafts per round M before the last" }]),
      { name: "workspace", type: "string", default: "summary", choices: ["summary", "top-k", "random-k"], description: "how drafts are distilled" },
      { name: "k", type: "integer", default: 2, min: 1, max: 16, description: "drafts kept by top-k and random-k" },
      { name: "kappa", type: "integer", default: 512, min: 32, max: 8192, description: "workspace bound κ in tokens" },
      { name: "temperature", type: "number", default: 0.8, min: 0, max: 2, description: "draft temperature" },
      { name: "oracle", type: "boolean", default: false, description: "top-k by correctness against the reference (upper bound)" },
    ],
    actorLanes: (params) => (sequential ? 1 : Math.min(int(params, "drafts"), MAX_LANES)),
    async run(ctx, params) {
      if (bool(params, "oracle") && ctx.task.reference === undefined) throw new Error(`${name} oracle workspace needs a task with a reference answer`);
      const rounds = int(params, "rounds");
      const random = mulberry32(ctx.options.seed + 17);
      let workspace: Workspace | null = null;
      let last: RunNode | null = null;
      for (let round = 1; round <= rounds; round++) {
        const count = round === rounds || sequential ? 1 : int(params, "drafts");
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
                temperature: params.temperature as number,
              })
            : ctx.draft({ step: `round-${round}`, iteration: round, lane: `draft-${i % MAX_LANES}`, temperature: params.temperature as number }),
        );
        last = drafts[0]!;
        if (round < rounds) {
          if (!ctx.withinBudget()) break;
          workspace = await distill(ctx, drafts, round, params, random);
        }
      }
      return { nodeId: last!.id };
    },
  };
}

export const parallelDistillRefine = makeRefinement("pdr", "Parallel-Distill-Refine", false);
export const sequentialRefinement = makeRefinement("sequential-refinement", "Sequential Refinement", true);
