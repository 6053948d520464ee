// Eigen-1's decisions, worked out from tangxiangru/Eigen-1 agents/agent.py (Eigen1Agent.forward): a candidate
// whose quality q = 0.2·logic + 0.6·answer + 0.2·explanation is below 3 goes back to `_forward_critic(query,
// solution, suggestion)` — the critic role, with the judge's suggestion; candidates at or above 3 pass as they
// are; a repaired candidate is judged again only when another try follows (max_try); the selector gets exactly
// the five final candidates (`assert len(pass_solutions) == 5`).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { GenerateRequest } from "../llm/backend.ts";
import { lastUser, scriptedRun } from "../../test/support/scripted-run.ts";
import { qualitySchema, weightedQuality } from "./eigen1.ts";

const answer = (n: number) => `Step 1: work.\nThe answer is ${n}`;
/** The last stated numeric answer in a prompt (instructions end with "The answer is <answer>", which is skipped). */
const answerIn = (text: string) => Number([...text.matchAll(/The answer is (\d+)/g)].at(-1)?.[1]);

// Judge scores by the candidate's answer: 10 → q = 3.0 (passes: not below 3), 11 → 2.2, 12 → 3.2 (a wrong answer
// that passes on logic and explanation), 13 → 2.2, 14 → 5.0; repaired 22 → 5.0, 26 → 2.2.
const judgement: Record<number, [number, number, number]> = {
  10: [0, 5, 0],
  11: [4, 1, 4],
  12: [5, 2, 5],
  13: [4, 1, 4],
  14: [5, 5, 5],
  22: [5, 5, 5],
  26: [4, 1, 4],
  52: [5, 5, 5],
};

function scripts(selectorChoice: number) {
  let solver = 0;
  return {
    actor: (r: GenerateRequest) => {
      const prompt = lastUser(r);
      // HSR: the anchor 100+i becomes 10+i.
      const anchor = /## Anchor Solution\n([\s\S]*?)\n\n## Student 1's Solution/.exec(prompt);
      return anchor ? answer(answerIn(anchor[1]!) - 90) : answer(solver++);
    },
    critic: (r: GenerateRequest) => {
      const prompt = lastUser(r);
      if (/You should choose the correct response/.test(prompt)) return JSON.stringify({ verification: "v", choice: selectorChoice });
      if (/You are an expert evaluator/.test(prompt)) {
        const n = answerIn(prompt);
        const [logic, ans, explanation] = judgement[n] ?? [5, 5, 5];
        return JSON.stringify({ analysis: "a", suggestion: `fix ${n}`, logic, answer: ans, explanation });
      }
      const n = answerIn(prompt);
      // The first critic pass writes 100+i; a QAIR repair (with a suggestion) doubles the answer.
      return /## Suggestion\n/.test(prompt) ? answer(n * 2) : answer(100 + n);
    },
  };
}

test("weighted quality is the repo's 0.2/0.6/0.2 and 3.0 passes the threshold", () => {
  assert.equal(weightedQuality({ logic: 0, answer: 5, explanation: 0 }), 3);
  assert.ok(Math.abs(weightedQuality({ logic: 4, answer: 1, explanation: 4 }) - 2.2) < 1e-9);
  assert.deepEqual(Object.keys(qualitySchema.properties), ["analysis", "suggestion", "logic", "answer", "explanation"], "the judge explains before it scores");
});

test("Eigen-1: QAIR sends failing candidates back to the critic with the judge's suggestion; the selector sees the 5 final candidates", async () => {
  const run = await scriptedRun({ strategy: "eigen-1", ...scripts(2) });
  const repairs = run.nodes.filter((n) => n.step === "qair-repair");
  assert.deepEqual(
    repairs.map((n) => n.answer),
    ["22", "26"],
    "candidates 11 and 13 (q = 2.2) are repaired; 10 (q = 3.0) and 12 (q = 3.2) pass",
  );
  assert.ok(
    repairs.every((n) => n.model === "critic"),
    "the critic role repairs",
  );
  const repairRequest = run.critic.requests.find((r) => /## Suggestion\n/.test(lastUser(r)))!;
  assert.match(
    lastUser(repairRequest),
    /## Student's Solution\nStep 1: work\.\nThe answer is 11\n\n## Suggestion\nfix 11\n\n## Your Job\nYou should critically check the student's solution to the problem according to the suggestion/,
    "critic_user_rag_with_suggestion.txt",
  );
  assert.match(
    lastUser(run.critic.requests[0]!),
    /^## Problem\n[\s\S]*## Your Job\nYou should critically check the student's solution to the problem, then correct it/,
    "critic_user_rag.txt",
  );
  assert.equal(run.nodes.filter((n) => n.step === "quality").length, 5, "one try: repaired candidates are not judged again");
  assert.equal(run.state.stopReason, "max-iterations", "two candidates were still failing when the one round ended");
  const selector = run.nodes.find((n) => n.step === "selector")!;
  assert.deepEqual(
    selector.parents.map((id) => run.state.nodes[id]!.answer),
    ["10", "12", "14", "22", "26"],
    "agent.py's order: the candidates that passed first, the repaired last",
  );
  const selectorPrompt = lastUser(run.critic.requests.at(-1)!);
  assert.match(selectorPrompt, /### Response 5:/);
  assert.doesNotMatch(selectorPrompt, /Response 6/);
  assert.match(selectorPrompt, /Do not be influenced by the majority number of final answers/);
  assert.doesNotMatch(selectorPrompt, /The answer is 0\b/, "the unrefined solver outputs are not offered");
  assert.equal(run.state.answer, "12", "the selector's choice 2 in that order");
  assert.deepEqual({ actor: run.actor.requests.length, critic: run.critic.requests.length }, { actor: 10, critic: 5 + 5 + 2 + 1 });
  const sampled = run.critic.requests.filter((r) => !/You are an expert evaluator/.test(lastUser(r)));
  assert.equal(sampled.length, 5 + 2 + 1);
  assert.ok(
    sampled.every((r) => r.temperature === 0.5),
    "the correcting critic, the repairs and the selector sample at the repo's 0.5",
  );
});

test("Eigen-1 with two QAIR tries: only the repaired candidates are judged again", async () => {
  const run = await scriptedRun({ strategy: "eigen-1", params: { qairRounds: 2 }, ...scripts(4) });
  const judged = run.nodes.filter((n) => n.step === "quality").map((n) => run.state.nodes[n.parents[0]!]!.answer);
  assert.deepEqual(judged, ["10", "11", "12", "13", "14", "22", "26"]);
  assert.deepEqual(
    run.nodes.filter((n) => n.step === "qair-repair").map((n) => n.answer),
    ["22", "26", "52"],
  );
  const selector = run.nodes.find((n) => n.step === "selector")!;
  assert.deepEqual(
    selector.parents.map((id) => run.state.nodes[id]!.answer),
    ["10", "12", "14", "22", "52"],
    "passed in round 1, passed in round 2, then the last repair",
  );
  assert.equal(run.state.answer, "22");
});
