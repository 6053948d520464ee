// Review → revise through node-llama-cpp on generated models: the critic's reviews come out of the review schema's
// grammar, the meta-review averages the readable ratings, and the run ends accepted or with the best-rated version.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRuntime } from "../../native/llm/runtime.ts";
import { replayRunLog } from "../../native/runs/run-log.ts";
import { executeRun } from "../../native/runs/runner.ts";
import { testModel } from "../support/models.ts";

let actor: string;
let critic: string;

before(async () => {
  actor = await testModel("tinyChat");
  critic = await testModel("tinyCritic");
});

after(async () => {
  await (await openRuntime({ threads: 1 })).dispose();
});

test("review-revise runs two structured reviews a round through node-llama-cpp and decides from their mean rating", async () => {
  const result = await executeRun({
    strategy: "review-revise",
    params: { reviewers: 2, maxRounds: 1, acceptRating: 6 },
    actor: { path: actor, sampling: { maxTokens: 24 } },
    critic: { path: critic, sampling: { maxTokens: 500 } },
    task: { question: "Write a two-sentence abstract for a paper on sorting small arrays." },
    seed: 5,
    outDir: mkdtempSync(join(tmpdir(), "refinery-review-revise-e2e-")),
    threads: 1,
  });
  assert.equal(result.state.status, "finished", result.state.failure?.reason ?? "");
  const { state } = await replayRunLog(result.logPath);
  assert.deepEqual(state, result.state, "replay rebuilds the live state");
  const nodes = state.order.map((id) => state.nodes[id]!);
  const metas = nodes.filter((n) => n.step === "meta-review");
  assert.ok(metas.length >= 1 && metas.length <= 2, "one meta-review per reviewed version");
  for (const meta of metas) {
    assert.equal(meta.parents.length, 2, "the meta-review aggregates both reviews");
    for (const id of meta.parents) {
      const review = state.nodes[id]!;
      assert.equal(review.model, "critic");
      assert.match(review.text, /^\s*\{\s*"strengths"\s*:/, "the grammar writes the reasons before the scores");
    }
    assert.match(meta.text, /^Meta-review: mean rating (\d+\.\d\d|none \(no review was readable\)) of 2 reviews; (accept|reject)/);
  }
  const accepted = metas.some((m) => /; accept \(/.test(m.text));
  // A selected answer that reached the actor's 24 tokens is recorded as cut, whatever the loop decided.
  if (state.stopReason !== "answer-cut") assert.equal(state.stopReason, accepted ? "accepted" : "max-iterations");
  if (accepted) {
    assert.match(metas.at(-1)!.text, /; accept \(/, "the loop ends at the first accepting meta-review");
    assert.equal(state.selectedNodeId, state.nodes[metas.at(-1)!.parents[0]!]!.parents[0], "the accepted version is the answer");
  } else {
    assert.equal(metas.length, 2, "rejected draft → one revision, reviewed");
    assert.ok(nodes.some((n) => n.step === "revise" && n.model === "actor"));
    assert.ok(nodes.some((n) => n.step === "best-rated"));
  }
  console.log(`review-revise e2e: ${metas.map((m) => m.text.split("\n")[0]).join(" | ")}; stop ${state.stopReason}`);
});
