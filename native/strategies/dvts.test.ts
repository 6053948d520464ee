// DVTS, pinned to search-and-learn's diverse_verifier_tree_search.py: n/M subtrees each write M candidate steps a
// round, the verifier scores each extended prefix, the subtree takes the first best (np.argmax); it ends on an
// empty or end-of-answer step or once "boxed{" is in its text; the candidates are each subtree's last M steps.
// n = 4, M = 2 (two subtrees), three iterations, scripted call by call.
import { test } from "node:test";
import assert from "node:assert/strict";
import { scriptedRun } from "../../test/support/scripted-run.ts";
import { keywordVerifier, prefixOf } from "../../test/support/step-verifier.ts";
import { argmaxFirst } from "./dvts.ts";

const outputs = [
  // iteration 0: subtree 0 writes a, b (equal: a, the first, is taken); subtree 1 writes c, d (d)
  "## Step 1: way a\n\n",
  "## Step 1: way b\n\n",
  "## Step 1: way c\n\n",
  "## Step 1: way d\n\n",
  // iteration 1: subtree 0 from a: e, or a boxed answer that still ends at a blank line (taken; the subtree ends)
  "## Step 2: then e\n\n",
  "## Step 2: so $\\boxed{3}$\n\n",
  // subtree 1 from d: g or h (h)
  "## Step 2: then g\n\n",
  "## Step 2: then h\n\n",
  // iteration 2 (the last): only subtree 1, to the end
  "Final i: $\\boxed{4}$",
  "Final j: $\\boxed{4}$",
];
const verifier = keywordVerifier({ "way a": 5, "way b": 5, "way c": 2, "way d": 7, "then e": 6, "so ": 9, "then g": 4, "then h": 8, "i:": 3, "j:": 7 });

const run = (params: Record<string, unknown> = {}) =>
  scriptedRun({ strategy: "dvts", params: { n: 4, beamWidth: 2, maxIterations: 3, ...params }, actor: (_r, call) => outputs[call]!, critic: verifier });

test("DVTS: greedy subtrees, boxed answers ending a subtree, the last M steps of each as candidates", async () => {
  const result = await run();
  const steps = result.nodes.filter((n) => n.step === "step");
  const byWords = (words: string) => steps.find((n) => n.text.includes(words))!;
  assert.equal(steps.length, 10, "a subtree with a boxed answer writes no more");
  assert.equal(result.actor.requests.length, 10);
  // Subtree 0 grew from a (the first of two equal scores), subtree 1 from d.
  assert.equal(prefixOf(result.actor.requests[4]!), "## Step 1: way a\n\n");
  assert.equal(prefixOf(result.actor.requests[6]!), "## Step 1: way d\n\n");
  assert.ok(byWords("way b").pruned && byWords("way c").pruned, "siblings not taken are pruned once their subtree grows past them");
  assert.ok(byWords("then g").pruned);
  assert.ok(!byWords("then e").pruned, "the last round's siblings stay: they are candidates");
  assert.equal(result.actor.requests[8]!.stop, undefined, "the last iteration writes to the end");
  assert.equal(prefixOf(result.actor.requests[8]!), "## Step 1: way d\n\n## Step 2: then h\n\n");
  const vote = result.nodes.find((n) => n.role === "vote")!;
  assert.deepEqual(
    vote.parents.map((id) => result.state.nodes[id]!.text),
    ["## Step 2: then e", "## Step 2: so $\\boxed{3}$", "Final i: $\\boxed{4}$", "Final j: $\\boxed{4}$"],
  );
  // naive: the best-scored candidate, the boxed 3 (0.9); the answer is read from the whole solution.
  assert.equal(result.state.nodes[result.state.selectedNodeId!]!.answer, "3");
});

test("DVTS: the weighted pick: 4 weighs 0.3 + 0.7, above 3's 0.9", async () => {
  const result = await run({ final: "weighted" });
  assert.equal(result.state.nodes[result.state.selectedNodeId!]!.answer, "4");
});

test("DVTS: np.argmax takes the first of equal scores", () => {
  assert.equal(argmaxFirst([0.5, 0.9, 0.9]), 1);
});

test("DVTS: n must split into subtrees of the beam width", async () => {
  await assert.rejects(run({ n: 6, beamWidth: 4 }), /N \(6\) must be a multiple of the beam width \(4\)/);
});

test("DVTS with n = 6, M = 3: two subtrees of three candidates each", async () => {
  const result = await scriptedRun({
    strategy: "dvts",
    params: { n: 6, beamWidth: 3, maxIterations: 2 },
    actor: (_request, call) => (call < 6 ? `## Step 1: way ${call}\n\n` : "Final: $\\boxed{7}$"),
    critic: keywordVerifier({}),
  });
  const second = result.nodes.filter((n) => n.step === "step" && n.iteration === 1);
  const perParent = new Map<string, number>();
  for (const node of second) perParent.set(node.parents[0]!, (perParent.get(node.parents[0]!) ?? 0) + 1);
  assert.deepEqual([...perParent.values()], [3, 3]);
  assert.equal(result.nodes.find((n) => n.role === "vote")!.parents.length, 6);
});
