// MCTS over refinements (MCT Self-Refine, Zhang et al. 2024): tree nodes are whole answers; expanding a node
// critiques it and refines it into a child; the critic's score is the reward; Q(a) = (min + mean of rewards)/2;
// children's best Q is backed up, Q'(parent) = (Q(parent) + max child Q)/2; selection by UCT among nodes that are
// not fully expanded. A snapshot of every node's visits and value is recorded after each iteration so the
// search can be replayed.
import type { RunContext } from "./context.ts";
import { fill, prompts, solverMessages } from "./prompts.ts";
import { int, type StrategyDefinition } from "./types.ts";

interface SearchNode {
  id: string;
  parent: SearchNode | null;
  children: SearchNode[];
  rewards: number[];
  q: number;
  visits: number;
}

async function reward(ctx: RunContext, id: string, iteration: number): Promise<number> {
  const critique = await ctx.critique(id, { mode: "holistic", iteration, lane: "critic", step: "reward" });
  return critique.verdict.score ?? 0;
}

function qOf(rewards: number[]): number {
  if (rewards.length === 0) return 0;
  const min = Math.min(...rewards);
  const mean = rewards.reduce((a, b) => a + b, 0) / rewards.length;
  return (min + mean) / 2;
}

export const mctsr: StrategyDefinition = {
  name: "mctsr",
  title: "MCTS over refinements (MCTSr)",
  paper: "Zhang et al. 2024, Accessing GPT-4 level Mathematical Olympiad Solutions via Monte Carlo Tree Self-refine with LLaMa-3 8B (arXiv:2406.07394)",
  summary: "Monte Carlo tree search where nodes are answers, children are critique-guided refinements, and critic scores are rewards.",
  params: [
    { name: "iterations", type: "integer", default: 4, min: 1, max: 64, description: "rollouts (select → expand → evaluate → backpropagate)" },
    { name: "exploration", type: "number", default: 1.41, min: 0, max: 10, description: "UCT exploration constant c" },
    { name: "maxChildren", type: "integer", default: 2, min: 1, max: 8, description: "children per node before it counts as fully expanded" },
  ],
  actorLanes: () => 1,
  async run(ctx, params) {
    const c = params.exploration as number;
    const maxChildren = int(params, "maxChildren");
    const draft = await ctx.draft({ lane: "solver" });
    const root: SearchNode = { id: draft.id, parent: null, children: [], rewards: [await reward(ctx, draft.id, 0)], q: 0, visits: 1 };
    root.q = qOf(root.rewards);
    const all = [root];
    const uct = (node: SearchNode) => node.q + c * Math.sqrt(Math.log((node.parent?.visits ?? root.visits) + 1) / (node.visits + 1e-6));
    for (let iteration = 1; iteration <= int(params, "iterations") && ctx.withinBudget(); iteration++) {
      const expandable = all.filter((n) => n.children.length < maxChildren);
      if (expandable.length === 0) break;
      const selected = expandable.reduce((best, n) => (uct(n) > uct(best) ? n : best));
      // Expand: critique the selected answer, refine it into a child (continuing its own conversation).
      const critique = await ctx.critique(selected.id, { mode: "holistic", iteration, lane: "critic", step: "critique" });
      const answer = ctx.node(selected.id);
      const instruction = fill(prompts.refineWithFeedback, { feedback: ctx.feedback(critique) });
      const child = await ctx.refine({
        candidateId: selected.id,
        critiqueId: critique.node.id,
        conversation: [...solverMessages(ctx.task.question), { role: "assistant", content: answer.text }],
        instruction,
        iteration,
        lane: "solver",
      });
      const node: SearchNode = { id: child.id, parent: selected, children: [], rewards: [await reward(ctx, child.id, iteration)], q: 0, visits: 1 };
      node.q = qOf(node.rewards);
      selected.children.push(node);
      all.push(node);
      // Backpropagate: each ancestor's Q moves halfway to its best child's Q.
      for (let up: SearchNode | null = selected; up; up = up.parent) {
        up.visits++;
        up.q = (up.q + Math.max(...up.children.map((ch) => ch.q))) / 2;
      }
      ctx.snapshot(iteration, selected.id, Object.fromEntries(all.map((n) => [n.id, { visits: n.visits, value: Math.round(n.q * 100) / 100 }])));
    }
    const best = all.reduce((a, b) => (b.q > a.q ? b : a));
    ctx.addComputedNode({
      role: "select",
      step: "best-q",
      iteration: int(params, "iterations") + 1,
      parents: all.map((n) => n.id),
      text: all.map((n) => `${n.id}: Q ${n.q.toFixed(2)}, visits ${n.visits}`).join("\n"),
      answer: ctx.node(best.id).answer,
    });
    return { nodeId: best.id };
  },
};
