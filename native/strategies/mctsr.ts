// MCT Self-Refine (Zhang et al. 2024), following the authors' code (trotsky1997/MathBlackBox,
// run_with_earlystopping.py): tree nodes are whole answers; the root is the first answer plus a dummy "I Don't
// Know" answer; each iteration picks by UCB, among the nodes filter_mature_node keeps (fewer than max_expand
// children, or every child's Q below the node's own), a node to expand: it gets one more reward sample, the
// critic writes a reflection, the actor refines it into a child, and the child gets its first reward sample.
// Rewards are on the repo's 100-point scale [-100, 100] with full scores suppressed (≥ 95 → 50); Q = (min + mean)/2
// of a node's own samples; update_ucb gives every leaf its UCB and every leaf's father the UCB of
// (Q(father) + max child Q)/2. A snapshot of every node's visits and Q follows each iteration.
import type { ChatMessage } from "../protocol/events.ts";
import type { RunNode } from "../protocol/state.ts";
import type { RunContext } from "./context.ts";
import { solverMessages } from "./prompts.ts";
import { sampledJudge } from "./sampled-judge.ts";
import { defineStrategy } from "./types.ts";
import { strictObject } from "./verdicts.ts";
import { judging, output, WRAPPER_TOKENS } from "./context-need.ts";

export interface TreeNode {
  id: string;
  father: TreeNode | null;
  children: TreeNode[];
  /** Reward samples on the 100-point scale, after suppression. */
  rewards: number[];
  dummy: boolean;
}

const REWARD_SCORES = Array.from({ length: 201 }, (_, i) => i - 100);
export const rewardSchema = strictObject({ analysis: { type: "string", maxLength: 1200 }, score: { enum: REWARD_SCORES } });
export const DUMMY_ANSWER = "I Don't Know";

const rewardPrompt = (question: string, answer: string) =>
  `Question: ${question}\nAnswer:${answer}\nAnalyze this Answer Strictly and Critic, point out every flaw for every possible imperfect to minus every possible score! ` +
  "You need to be very harsh and mean in calculating grades, and never give full marks to ensure that the marks are authoritative. \n" +
  "Output a score between [-100,+100], ig. from -100 to +100. \nResponse format: 'analysis' first, then 'score'.";
const reflectionPrompt = (question: string) =>
  `Question: ${question}\nSince we have a weak Answer, could you provide me with a reflection or feedback to correct this answer better? ` +
  "Analyze this Answer Strictly and Critic, point out every flaw for every possible imperfect to minus every possible score!\nLet's think step by step.";
const refinePrompt = (question: string, reflection: string) =>
  `Reflection or feedback on your answer:\n${reflection}\n\nQuestion: ${question}\nPlease refine your answer according to your Reflection or Feedback, ` +
  "step by step, one step per line. End with a final line of the form 'The answer is <answer>'.";

/** The repo's Q ("avg_reward"): the mean of the worst sample and the average sample. */
export function qValue(rewards: readonly number[]): number {
  if (rewards.length === 0) return -999;
  return (Math.min(...rewards) + rewards.reduce((a, b) => a + b, 0) / rewards.length) / 2;
}

/** compute_ucb: r + C·√(ln(N_parent + 1) / (N_node + 1e-5)). */
export function ucb(reward: number, parentVisits: number, visits: number, c: number): number {
  return reward + c * Math.sqrt(Math.log(parentVisits + 1) / (visits + 1e-5));
}

/** A node's visit count is its number of reward samples, as in the repo. */
const visits = (node: TreeNode | null) => node?.rewards.length ?? 0;

/** update_ucb: leaves by their own Q, their fathers by (Q(father) + max child Q)/2; fathers enter the bank as leaves first. */
export function updateUcb(nodes: readonly TreeNode[], bank: Map<TreeNode, number>, c: number): void {
  const leaves = nodes.filter((n) => n.children.length === 0);
  for (const leaf of leaves) bank.set(leaf, ucb(qValue(leaf.rewards), visits(leaf.father), visits(leaf), c));
  let toUpdate: TreeNode[] = leaves;
  while (toUpdate.length) {
    const next = new Set<TreeNode>();
    for (const node of toUpdate) {
      const father = node.father;
      if (!father) continue;
      if (!bank.has(father)) {
        next.add(father);
        continue;
      }
      const fatherReward = (qValue(father.rewards) + Math.max(...father.children.map((ch) => qValue(ch.rewards)))) / 2;
      bank.set(father, ucb(fatherReward, visits(father.father), visits(father), c));
    }
    toUpdate = [...next];
  }
}

/** filter_mature_node: expandable while it has fewer than maxExpand children or all its children score below it. */
export function expandable(nodes: readonly TreeNode[], maxExpand: number): TreeNode[] {
  return nodes.filter((n) => n.children.length < maxExpand || Math.max(...n.children.map((ch) => qValue(ch.rewards))) < qValue(n.rewards));
}

/** get_best_explore_from_ucb: the highest UCB; the earliest node wins a tie (strict >). */
export function bestByUcb(candidates: readonly TreeNode[], bank: Map<TreeNode, number>): TreeNode | null {
  let best: TreeNode | null = null;
  let highest = -Infinity;
  for (const node of candidates) {
    const value = bank.get(node) ?? -Infinity;
    if (value > highest) {
      highest = value;
      best = node;
    }
  }
  return best;
}

async function sampleReward(ctx: RunContext, node: TreeNode, iteration: number, temperature: number, suppressAt: number): Promise<void> {
  const answer = ctx.node(node.id).text;
  // The repo retries until the critic states a number; a constrained reply only lacks one when it was cut off.
  for (let attempt = 0; attempt < 3; attempt++) {
    const { value } = await sampledJudge<{ analysis: string; score: number }>(ctx, node.id, {
      step: "reward",
      iteration,
      user: rewardPrompt(ctx.task.question, answer),
      schema: rewardSchema,
      lane: "critic",
      temperature,
      temperatureRequired: true,
      toScore: (parsed, by) => ({
        value: typeof parsed?.score === "number" ? Math.round(((suppress(parsed.score, suppressAt) + 100) / 20) * 10) / 10 : null,
        verdict: typeof parsed?.score === "number" ? "unknown" : "unparseable",
        ...(typeof parsed?.score === "number" ? { reward: suppress(parsed.score, suppressAt) } : {}),
        source: "critic",
        byNodeId: by,
      }),
    });
    if (typeof value?.score === "number") {
      node.rewards.push(suppress(value.score, suppressAt));
      return;
    }
  }
  node.rewards.push(0);
}

/** The repo's guard against self-evaluation's optimism: a score of 95 or more counts as 50. */
export function suppress(score: number, at: number): number {
  return at > 0 && score >= at ? 50 : score;
}

/** The conversation that produced an answer, as the critic's reflection and the actor's refinement continue it. */
function answerTurns(ctx: RunContext, node: TreeNode): ChatMessage[] {
  return [...solverMessages(ctx.task.question), { role: "assistant", content: ctx.node(node.id).text }];
}

async function expand(ctx: RunContext, selected: TreeNode, iteration: number, temperature: number): Promise<RunNode> {
  const reflection = await ctx.generate({
    role: "critique",
    step: "reflection",
    iteration,
    parents: [selected.id],
    model: "critic",
    messages: [...answerTurns(ctx, selected), { role: "user", content: reflectionPrompt(ctx.task.question) }],
    lane: "critic",
    temperature,
    temperatureRequired: true,
    extract: false,
  });
  return ctx.generate({
    role: "refine",
    step: "refine",
    iteration,
    parents: [selected.id, reflection.id],
    model: "actor",
    messages: [...answerTurns(ctx, selected), { role: "user", content: refinePrompt(ctx.task.question, reflection.text) }],
    lane: "solver",
    temperature,
    temperatureRequired: true,
  });
}

function snapshotStats(nodes: readonly TreeNode[]) {
  return Object.fromEntries(nodes.map((n) => [n.id, { visits: visits(n), value: Math.round(qValue(n.rewards) * 100) / 100 }]));
}

export const mctsr = defineStrategy({
  name: "mctsr",
  title: "MCTS over refinements (MCTSr)",
  paper:
    "Zhang et al. 2024, Accessing GPT-4 level Mathematical Olympiad Solutions via Monte Carlo Tree Self-refine with LLaMa-3 8B (arXiv:2406.07394); code: trotsky1997/MathBlackBox",
  summary:
    "Monte Carlo tree search where nodes are answers, children are reflection-guided refinements, and sampled critic scores (100-point scale) are rewards.",
  params: [
    { name: "iterations", type: "integer", default: 4, min: 1, max: 64, description: "rollouts (select → expand → evaluate → update)" },
    { name: "exploration", type: "number", default: 1.4, min: 0, max: 10, description: "UCB exploration constant C" },
    {
      name: "maxExpand",
      type: "integer",
      default: 3,
      min: 1,
      max: 8,
      description: "children before a node counts as mature (unless all its children score below it)",
    },
    { name: "suppressAt", type: "integer", default: 95, min: 0, max: 100, description: "rewards at or above this count as 50 (0: no suppression)" },
    { name: "dummyRoot", type: "boolean", default: true, description: "add the repo's dummy \"I Don't Know\" answer as a second root" },
    {
      name: "temperature",
      type: "number",
      default: 0.95,
      min: 0,
      max: 2,
      description: "sampling temperature of every call (draft, rewards, reflections, refinements)",
    },
  ],
  // A refinement continues the answer's conversation with the critic's reflection; rewards read one answer.
  contextNeeded: (_params, budgets) =>
    Math.max(budgets.prompt + budgets.actor.answer + budgets.critic.answer + WRAPPER_TOKENS + output(budgets.actor), judging(budgets)),
  actorLanes: () => 1,
  async run(ctx, params) {
    const c = params.exploration;
    const temperature = params.temperature;
    const suppressAt = params.suppressAt;
    // The authors' procedure samples everything at its temperature (0.95): a matched policy keeps it.
    const draft = await ctx.draft({ lane: "solver", temperature, temperatureRequired: true });
    const nodes: TreeNode[] = [{ id: draft.id, father: null, children: [], rewards: [], dummy: false }];
    await sampleReward(ctx, nodes[0]!, 0, temperature, suppressAt);
    if (params.dummyRoot) {
      const dummy = ctx.addComputedNode({ role: "draft", step: "dummy-root", iteration: 0, parents: [], text: DUMMY_ANSWER, answer: null });
      nodes.push({ id: dummy.id, father: null, children: [], rewards: [], dummy: true });
      await sampleReward(ctx, nodes[1]!, 0, temperature, suppressAt);
    }
    const bank = new Map<TreeNode, number>();
    updateUcb(nodes, bank, c);
    for (let iteration = 1; iteration <= params.iterations && ctx.withinBudget(); iteration++) {
      const selected = bestByUcb(expandable(nodes, params.maxExpand), bank);
      if (!selected) break;
      await sampleReward(ctx, selected, iteration, temperature, suppressAt);
      const refined = await expand(ctx, selected, iteration, temperature);
      const child: TreeNode = { id: refined.id, father: selected, children: [], rewards: [], dummy: false };
      selected.children.push(child);
      nodes.push(child);
      await sampleReward(ctx, child, iteration, temperature, suppressAt);
      updateUcb(nodes, bank, c);
      ctx.snapshot(iteration, selected.id, snapshotStats(nodes));
    }
    // The repo stops at the reference answer and counts any correct answer in the tree; without an oracle the
    // answer with the best Q is returned (the dummy is never an answer; the earliest wins a tie).
    const answers = nodes.filter((n) => !n.dummy);
    const best = answers.reduce((a, b) => (qValue(b.rewards) > qValue(a.rewards) ? b : a));
    ctx.addComputedNode({
      role: "select",
      step: "best-q",
      iteration: params.iterations + 1,
      parents: nodes.map((n) => n.id),
      text: nodes
        .map(
          (n) =>
            `${n.id}${n.dummy ? " (dummy)" : ""}: Q ${qValue(n.rewards).toFixed(2)}, UCB ${(bank.get(n) ?? NaN).toFixed(2)}, rewards [${n.rewards.join(", ")}]`,
        )
        .join("\n"),
      answer: ctx.node(best.id).answer,
    });
    // The search runs its iterations (rollouts) to the end: a limit, not a verdict on the answer.
    return { nodeId: best.id, stop: "max-iterations" };
  },
});
