// PDR's and SR's decisions, worked out from the paper (Madaan et al. 2025, arXiv:2510.01123; the card in
// ALGORITHMS.md): the distiller reads every draft of the round and κ bounds the workspace it writes; SR refines
// the current answer, s_{t+1} = M(x, s_t, C_t), so the previous answer is in the next prompt.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { GenerateRequest } from "../llm/backend.ts";
import { holistic, lastUser, scriptedRun } from "../../test/support/scripted-run.ts";
import { fitFairly } from "./workspace-fit.ts";

const system = (r: GenerateRequest) => r.messages[0]?.content ?? "";
const words = (text: string) => (text.match(/\S+/g) ?? []).length;
/** A realistic draft: a long derivation, the answer on its last line. */
const longDraft = (n: number, length = 300) => `Step 1: ${Array.from({ length }, (_, i) => `w${n}_${i}`).join(" ")}\nThe answer is ${n}`;
const isSummariser = (r: GenerateRequest) => system(r).startsWith("You distill");

test("PDR: the summariser reads every draft whole; κ caps only what it writes", async () => {
  let draft = 0;
  const run = await scriptedRun({ strategy: "pdr", params: { rounds: 2, drafts: 4 }, actor: (r) => (isSummariser(r) ? "SUMMARY" : longDraft(draft++)) });
  const summariser = run.actor.requests.find(isSummariser)!;
  for (let n = 0; n < 4; n++) {
    assert.ok(lastUser(summariser).includes(longDraft(n)), `draft ${n + 1} is shown whole`);
  }
  assert.doesNotMatch(lastUser(summariser), /cut to fit/);
  assert.equal(summariser.maxTokens, 512, "κ bounds the summary");
});

test("PDR: when the drafts overflow the context, each gets an equal share (short ones whole) and the prompt says so", async () => {
  let draft = 0;
  const lengths = [10, 400, 400, 400];
  const run = await scriptedRun({
    strategy: "pdr",
    params: { rounds: 2, drafts: 4, kappa: 200 },
    actorContextSize: 1100,
    actor: (r) => (isSummariser(r) ? "SUMMARY" : longDraft(draft, lengths[draft++])),
  });
  const summariser = run.actor.requests.find(isSummariser)!;
  const prompt = lastUser(summariser);
  const promptTokens = summariser.messages.reduce((sum, m) => sum + words(m.content), 0);
  assert.ok(promptTokens + 200 <= 1100, `prompt (${promptTokens}) + κ fits the context`);
  assert.ok(prompt.includes(longDraft(0, 10)), "the short draft is not cut");
  for (let n = 1; n < 4; n++) {
    assert.match(prompt, new RegExp(`Candidate ${n + 1}:\\nStep 1: w${n}_0 `), `draft ${n + 1} keeps its head`);
    assert.match(prompt, new RegExp(`The answer is ${n}\\b`), `draft ${n + 1} keeps its answer`);
  }
  const cuts = [...prompt.matchAll(/\[… (\d+) tokens of this candidate cut to fit …\]/g)].map((m) => Number(m[1]));
  assert.equal(cuts.length, 3);
  assert.ok(
    cuts.every((c) => c === cuts[0]),
    "the three long drafts are cut equally",
  );
  assert.match(prompt, /Note: the 4 candidates together do not fit in the context, so 3 of them were shortened to about \d+ tokens each/);
});

test("fitFairly: water-filling gives what short drafts leave to the long ones", async () => {
  const count = async (t: string) => words(t);
  const texts = ["a b", Array(10).fill("x").join(" "), Array(10).fill("y").join(" ")];
  const fitted = await fitFairly(texts, 12, count);
  assert.equal(fitted.texts[0], "a b");
  assert.equal(fitted.share, 5, "(12 − 2) / 2");
  assert.equal(fitted.shortened, 2);
});

test("PDR top-k: a κ-bounded workspace keeps each of the k drafts, not the first one only", async () => {
  let draft = 0;
  const scores = [9, 2, 8];
  let critique = 0;
  const run = await scriptedRun({
    strategy: "pdr",
    params: { rounds: 2, drafts: 3, workspace: "top-k", k: 2, kappa: 200 },
    actor: () => longDraft(draft++, 300),
    critic: () => holistic(true, scores[critique++]!),
  });
  const workspace = run.nodes.find((n) => n.role === "distill")!;
  assert.match(workspace.text, /Candidate 1:\nStep 1: w0_0 [\s\S]*The answer is 0\b/);
  assert.match(workspace.text, /Candidate 2:\nStep 1: w2_0 [\s\S]*The answer is 2\b/, "the second-best draft is in the workspace too");
  assert.ok(words(workspace.text) <= 200 + 40, "about κ tokens (labels and cut marks aside)");
});

test("SR: each round refines the previous answer, which is in the prompt next to its summary", async () => {
  let draft = 0;
  const run = await scriptedRun({
    strategy: "sequential-refinement",
    params: { rounds: 3 },
    actor: (r) => (isSummariser(r) ? `SUMMARY-OF-${/The answer is (\d+)/.exec(lastUser(r))?.[1]}` : `Step 1: try.\nThe answer is ${draft++}`),
  });
  const round2 = run.actor.requests.filter((r) => !isSummariser(r))[1]!;
  assert.match(lastUser(round2), /Your previous answer:\nStep 1: try\.\nThe answer is 0/);
  assert.match(lastUser(round2), /SUMMARY-OF-0/);
  const round3 = run.actor.requests.filter((r) => !isSummariser(r))[2]!;
  assert.match(lastUser(round3), /Your previous answer:\nStep 1: try\.\nThe answer is 1/);
  assert.doesNotMatch(lastUser(round3), /The answer is 0/, "s_t, not the whole history");
  const last = run.state.nodes[run.state.selectedNodeId!]!;
  assert.equal(last.answer, "2");
  assert.ok(last.parents.includes(run.nodes.find((n) => n.answer === "1")!.id), "the refinement descends from the answer it refines");
});

test("SR top-k: one draft needs no ranking — no critic call, the previous answer is the workspace", async () => {
  let draft = 0;
  const run = await scriptedRun({
    strategy: "sequential-refinement",
    params: { rounds: 3, workspace: "top-k" },
    actor: () => `Step 1: try.\nThe answer is ${draft++}`,
    critic: () => holistic(true, 5),
  });
  assert.equal(run.critic.requests.length, 0);
  assert.equal(run.actor.requests.length, 3);
  assert.match(lastUser(run.actor.requests[2]!), /Your previous answer:\nStep 1: try\.\nThe answer is 1/);
  assert.equal(run.nodes.filter((n) => n.role === "distill").length, 0);
});
