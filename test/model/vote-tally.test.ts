// The inspector's tally groups a vote's candidates as the engine's vote counted them: "7" and "7.0" are one
// answer there (normalised), so they are one row here, not two. Runs the real runner with a scripted actor and
// folds its log the way the UI does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScriptedBackend } from "../../native/llm/scripted-backend.ts";
import { executeRun } from "../../native/runs/runner.ts";
import { tallyOf } from "../../renderer/components/tree/JoinSummary.tsx";

async function voteOver(answers: string[], task: { question: string; choices?: string[] } = { question: "What is 3 + 4?" }) {
  let i = 0;
  const backend = new ScriptedBackend(() => `Final answer: ${answers[i++ % answers.length]}`);
  const { state } = await executeRun(
    {
      strategy: "self-consistency",
      params: { n: answers.length },
      actor: { path: "scripted-actor" },
      critic: { path: "scripted-critic" },
      task,
      outDir: mkdtempSync(join(tmpdir(), "refinery-tally-")),
      parallel: false,
    },
    { backends: { actor: backend, critic: new ScriptedBackend(() => "") } },
  );
  const vote = Object.values(state.nodes).find((n) => n.role === "vote")!;
  return { vote, rows: tallyOf(vote, state) };
}

test("answers the vote counted as one are one row of the tally, with the vote's share", async () => {
  const { vote, rows } = await voteOver(["7", "7.0", "5", "7", "9"]);
  assert.equal(vote.answer, "7");
  assert.deepEqual(
    rows.map((r) => [r.answer, r.candidates.length, r.share]),
    [
      ["7", 3, 0.6],
      ["5", 1, 0.2],
      ["9", 1, 0.2],
    ],
  );
});

test("a vote over multiple-choice samples tallies by the letter, whatever wording each sample used", async () => {
  const { rows } = await voteOver(["B", "(B) 12", "A"], { question: "Pick one.", choices: ["10", "12", "14"] });
  assert.deepEqual(rows[0]!.answer, "B");
  assert.equal(rows[0]!.candidates.length, 2);
});
