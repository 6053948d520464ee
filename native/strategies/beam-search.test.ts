// Step-level beam search, pinned to search-and-learn's beam_search.py: steps end at "\n\n" (kept in the prefix),
// the verifier scores every prefix, finished beams leave, np.argsort(scores)[-(n // M):] survive (the later of
// equal scores), survivors are copied round-robin back to n, the last iteration writes to the end, and the
// first n finished beams are the candidates. n = 4, M = 2, three iterations, scripted call by call.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { GenerateRequest } from "../llm/backend.ts";
import { scriptedRun } from "../../test/support/scripted-run.ts";
import { keywordVerifier, prefixOf } from "../../test/support/step-verifier.ts";
import { refill, survivors } from "./beam-search.ts";

// Actor outputs in call order; what follows "\n\n" is cut by the stop string.
const outputs = [
  // iteration 0: four first steps
  "## Step 1: way a\n\nignored",
  "## Step 1: way b\n\nignored",
  "## Step 1: way c\n\nignored",
  "## Step 1: way d\n\nignored",
  // iteration 1: beams b, d, b, d; the first ends its answer (no blank line: end of answer)
  "Quick: $\\boxed{5}$",
  "## Step 2: then e\n\n",
  "## Step 2: then f\n\n",
  "## Step 2: then g\n\n",
  // iteration 2 (the last): beams f, g, f, g written to the end
  "Final h: $\\boxed{7}$",
  "Final i: $\\boxed{7}$",
  "Final j: $\\boxed{7}$",
  "Final k: $\\boxed{7}$",
];
const verifier = keywordVerifier({
  "way a": 3,
  "way b": 9,
  "way c": 6,
  "way d": 9,
  "then e": 8,
  "then f": 8,
  "then g": 8,
  Quick: 7,
  "h:": 4,
  "i:": 10,
  "j:": 5,
  "k:": 6,
});

const run = (params: Record<string, unknown> = {}) =>
  scriptedRun({
    strategy: "beam-search",
    params: { n: 4, beamWidth: 2, maxIterations: 3, ...params },
    actor: (_request, call) => outputs[call]!,
    critic: verifier,
  });

test("beam search: survivors, round-robin copies, finished beams leaving, and the candidates, as beam_search.py", async () => {
  const result = await run();
  const steps = result.nodes.filter((n) => n.step === "step");
  const byWords = (words: string) => steps.find((n) => n.text.includes(words))!;
  assert.equal(steps.length, 12, "4 beams × 3 iterations, one step each");
  // Iteration 0: b and d (0.9) survive n // M = 2; a and c are pruned and stay in the tree.
  assert.ok(byWords("way a").pruned && byWords("way c").pruned);
  assert.ok(!byWords("way b").pruned && !byWords("way d").pruned);
  // Iteration 1 grows b, d, b, d: (active_beams * repeats)[:n].
  const parentsOf = (iteration: number) => steps.filter((n) => n.iteration === iteration).map((n) => result.state.nodes[n.parents[0]!]!.text);
  assert.deepEqual(parentsOf(1), ["## Step 1: way b", "## Step 1: way d", "## Step 1: way b", "## Step 1: way d"]);
  // The beam that ended its answer leaves; of e, f, g (all 0.8) argsort keeps the later two.
  assert.ok(byWords("then e").pruned, "equal scores: the earlier beam is dropped");
  assert.ok(!byWords("then f").pruned && !byWords("then g").pruned);
  assert.ok(!byWords("Quick").pruned, "a finished beam is never pruned");
  assert.deepEqual(parentsOf(2), ["## Step 2: then f", "## Step 2: then g", "## Step 2: then f", "## Step 2: then g"]);
  // Candidates: the first n finished beams — Quick, then h, i, j (k is the fifth).
  const vote = result.nodes.find((n) => n.role === "vote")!;
  assert.deepEqual(
    vote.parents.map((id) => result.state.nodes[id]!.text),
    ["Quick: $\\boxed{5}$", "Final h: $\\boxed{7}$", "Final i: $\\boxed{7}$", "Final j: $\\boxed{7}$"],
  );
  // naive (the repo's pred): the best-scored finished beam, i (1.0); its answer read from the whole solution.
  const winner = result.state.nodes[result.state.selectedNodeId!]!;
  assert.ok(winner.text.includes("Final i"));
  assert.equal(winner.answer, "7");
});

test("beam search: steps stop at a blank line and continue the unfinished answer; the last iteration has no stop", async () => {
  const result = await run();
  const requests: GenerateRequest[] = result.actor.requests;
  assert.deepEqual(requests[0]!.stop, ["\n\n"]);
  assert.equal(prefixOf(requests[0]!), "", "the first step starts a new answer");
  assert.equal(requests[5]!.continueAnswer, true);
  assert.equal(prefixOf(requests[5]!), "## Step 1: way d\n\n", "the stop string is kept in the prefix (include_stop_str_in_output)");
  assert.equal(requests[8]!.stop, undefined, "the last iteration writes to the end");
  assert.equal(prefixOf(requests[8]!), "## Step 1: way b\n\n## Step 2: then f\n\n");
  // The verifier judges the whole prefix, not the step alone.
  const critiqueOfF = result.critic.requests[6]!.messages.at(-1)!.content;
  assert.match(critiqueOfF, /Step 1: ## Step 1: way b\nStep 2: ## Step 2: then f/);
});

test("beam search: the weighted pick sums the candidates' scores per answer", async () => {
  const result = await run({ final: "weighted" });
  assert.equal(result.state.nodes[result.state.selectedNodeId!]!.answer, "7", "7 weighs 0.4 + 1.0 + 0.5; 5 weighs 0.7");
});

test("beam search: numpy's argsort keeps the later of equal scores; copies go round-robin", () => {
  assert.deepEqual([...survivors([0.5, 0.9, 0.5, 0.9], 2)].sort(), [1, 3]);
  assert.deepEqual([...survivors([0.8, 0.8, 0.8], 2)].sort(), [1, 2]);
  assert.deepEqual(
    refill(["b", "d"], 5, (x) => x),
    ["b", "d", "b", "d", "b"],
  );
});

test("beam search: a beam width above n is refused in the user's words", async () => {
  await assert.rejects(run({ beamWidth: 5 }), /Beam width \(5\) must not exceed n \(4\)/);
});

test("beam search with n = 4, M = 4 (the defaults' ratio): one beam survives and grows four ways", async () => {
  const first = ["way a", "way b", "way c", "way d"];
  const result = await scriptedRun({
    strategy: "beam-search",
    params: { n: 4, beamWidth: 4, maxIterations: 2 },
    actor: (_request, call) => (call < 4 ? `## Step 1: ${first[call]}\n\n` : "Final: $\\boxed{7}$"),
    critic: keywordVerifier({ "way a": 3, "way b": 4, "way c": 9, "way d": 6 }),
  });
  const second = result.nodes.filter((n) => n.step === "step" && n.iteration === 1);
  assert.equal(second.length, 4);
  assert.ok(
    second.every((n) => result.state.nodes[n.parents[0]!]!.text === "## Step 1: way c"),
    "n // M = 1 survivor, copied to n",
  );
});
