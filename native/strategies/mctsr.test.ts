// MCTSr's search decisions, computed the way the authors' code does (trotsky1997/MathBlackBox,
// run_with_earlystopping.py: main_loop, filter_mature_node, update_ucb, compute_ucb, get_best_explore_from_ucb;
// the expected values below were obtained by running those functions on the same reward sequence).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { GenerateRequest } from "../llm/backend.ts";
import { lastUser, scriptedRun } from "../../test/support/scripted-run.ts";
import { bestByUcb, qValue, suppress, type TreeNode, ucb } from "./mctsr.ts";

const answer = (n: number | string) => `Step 1: read.\nStep 2: compute.\nThe answer is ${n}`;
const isReward = (r: GenerateRequest) => /Output a score between \[-100,\+100\]/.test(lastUser(r));
const isReflection = (r: GenerateRequest) => /Since we have a weak Answer/.test(lastUser(r));

function rewardCritic(sequence: number[]) {
  let next = 0;
  return (r: GenerateRequest) => {
    if (isReward(r)) return JSON.stringify({ analysis: "harsh", score: sequence[next++]! });
    if (isReflection(r)) return "Step 2 is wrong.";
    throw new Error(`unexpected critic call: ${lastUser(r).slice(0, 80)}`);
  };
}

test("MCTSr helpers follow the repo: Q = (min + mean)/2, compute_ucb, suppression of 95+ to 50", () => {
  assert.equal(qValue([40, 30]), 32.5);
  assert.equal(qValue([60, 45, 65]), (45 + 170 / 3) / 2);
  assert.equal(ucb(50, 2, 1, 1.4), 50 + 1.4 * Math.sqrt(Math.log(3) / (1 + 1e-5)));
  assert.equal(ucb(41.25, 0, 2, 1.4), 41.25, "a root has no father: ln(0 + 1) = 0");
  assert.deepEqual(
    [98, 95, 94, -100].map((s) => suppress(s, 95)),
    [50, 50, 94, -100],
  );
});

test("MCTSr (defaults): UCB picks, Q values, suppressed full scores, a second root, the best-Q pick", async () => {
  // Reward samples in call order: root, dummy, then per iteration (selected node again, new child).
  const rewards = [40, -80, 30, 98, 20, 60, 45, 70, 55, 10, 65, 96];
  let refinement = 0;
  const run = await scriptedRun({
    strategy: "mctsr",
    params: { iterations: 5 },
    actor: (r) => (lastUser(r).includes("Please refine your answer") ? answer(`r${++refinement}`) : answer("draft")),
    critic: rewardCritic(rewards),
  });
  const draft = run.nodes.find((n) => n.step === "draft")!;
  const dummy = run.nodes.find((n) => n.step === "dummy-root")!;
  assert.equal(dummy.text, "I Don't Know");
  const children = run.nodes.filter((n) => n.role === "refine");
  assert.equal(children.length, 5);
  assert.equal(run.state.stopReason, "max-iterations", "the search ran its iterations");
  const [c1, c2, c3, c4, c5] = children.map((c) => c.id);
  // Selections the repo makes: root, c1, c2, c3, then c2 again (c3's UCB fell to 35.41 once its child c4 scored 10).
  assert.deepEqual(
    run.state.snapshots.map((s) => s.expandedNodeId),
    [draft.id, c1, c2, c3, c2],
  );
  assert.deepEqual(
    children.map((c) => c.parents[0]),
    [draft.id, c1, c2, c3, c2],
    "each child descends from the node expanded",
  );
  const last = run.state.snapshots.at(-1)!.stats;
  assert.deepEqual(last[draft.id], { visits: 2, value: 32.5 });
  assert.deepEqual(last[dummy.id], { visits: 1, value: -80 });
  assert.deepEqual(last[c1!], { visits: 2, value: 27.5 }, "98 was suppressed to 50: Q of [50, 20]");
  assert.deepEqual(last[c2!], { visits: 3, value: 50.83 });
  assert.deepEqual(last[c3!], { visits: 2, value: 58.75 });
  assert.deepEqual(last[c4!], { visits: 1, value: 10 });
  assert.deepEqual(last[c5!], { visits: 1, value: 50 }, "96 was suppressed to 50");
  const select = run.nodes.find((n) => n.step === "best-q")!;
  assert.match(select.text, new RegExp(`${c2}: Q 50\\.83, UCB 55\\.64`));
  assert.match(select.text, new RegExp(`${c3}: Q 58\\.75, UCB 35\\.54`));
  assert.equal(run.state.selectedNodeId, c3, "the best Q wins, not the last child");
  assert.equal(run.state.answer, "r3");
  // Every reward, reflection and refinement is sampled (the repo uses 0.95), never a greedy repeat.
  assert.ok([...run.critic.requests, ...run.actor.requests].every((r) => r.temperature === 0.95));
  assert.equal(run.critic.requests.filter(isReward).length, 12);
  assert.equal(run.critic.requests.filter(isReflection).length, 5, "one reflection per expansion, no second reward-style critique");
  const reflection = run.critic.requests.find(isReflection)!;
  assert.equal(reflection.messages.at(-2)!.content, answer("draft"), "the reflection sees the answer it criticises");
  const refine = run.actor.requests.find((r) => lastUser(r).includes("Please refine your answer"))!;
  assert.match(lastUser(refine), /Reflection or feedback on your answer:\nStep 2 is wrong\./);
});

test("MCTSr filter_mature_node: a node with maxExpand children stays expandable while all of them score below it", async () => {
  // maxExpand 1: the root keeps being expanded while its children score below it, and is mature once one does not.
  const rewards = [50, 50, 30, 50, 80, 70, 75];
  const run = await scriptedRun({
    strategy: "mctsr",
    params: { iterations: 3, maxExpand: 1, dummyRoot: false },
    actor: () => answer(1),
    critic: rewardCritic(rewards),
  });
  const root = run.nodes[0]!.id;
  const children = run.nodes.filter((n) => n.role === "refine");
  // Iteration 1: root. Iteration 2: root again, although it has maxExpand children (its child's Q 30 < 50; UCB root
  // (50 + 30)/2 = 40 > c1 30 + 1.4·√(ln 3) = 31.47). Iteration 3: the root is mature (child Q 80 ≥ 50); c2 (UCB 81.65).
  assert.deepEqual(
    run.state.snapshots.map((s) => s.expandedNodeId),
    [root, root, children[1]!.id],
  );
  assert.deepEqual(run.state.snapshots.at(-1)!.stats[children[1]!.id], { visits: 2, value: 72.5 });
  assert.equal(run.state.selectedNodeId, children[2]!.id, "c3: Q 75 beats c2's 72.5 and the root's 50");
});

test("MCTSr: a UCB tie goes to the earliest node (get_best_explore_from_ucb's strict >)", async () => {
  const node = (id: string): TreeNode => ({ id, father: null, children: [], rewards: [], dummy: false });
  const [a, b, c] = [node("a"), node("b"), node("c")];
  const bank = new Map([
    [a, 10],
    [b, 20],
    [c, 20],
  ]);
  assert.equal(bestByUcb([a, b, c], bank)?.id, "b");
  assert.equal(bestByUcb([c, b, a], bank)?.id, "c");
  // In a run: the draft and the dummy root both score 30, so both UCBs are 30 (a root's ln(0 + 1) is 0); the
  // draft, listed first, is the one expanded.
  const run = await scriptedRun({
    strategy: "mctsr",
    params: { iterations: 1 },
    actor: () => answer(41),
    critic: rewardCritic([30, 30, 30, 20]),
  });
  const reflection = run.nodes.find((n) => n.step === "reflection")!;
  assert.deepEqual(reflection.parents, [run.nodes.find((n) => n.role === "draft" && n.step !== "dummy-root")!.id]);
});
