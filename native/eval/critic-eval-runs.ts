// Each row of a critic evaluation as a run record the tree view opens, as Inspect shows every sample's
// transcript: the solution judged (stored, or written by the actor) and each critique of it with its prompt, its
// text, its verdict as a score on the solution, and why it could not be read when it could not. The records live
// in the evaluation's folder (`<critic-evals>/<evalId>/runs/<row>/events.jsonl`), laid out as an experiment's cells
// are, so `loadRun` reads them with that folder.
import { mkdir } from "node:fs/promises";
import { basename, join } from "node:path";
import type { CriticEvalRow } from "../protocol/contract.ts";
import type { ModelDescriptor, RunEvent, Score } from "../protocol/events.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { runDir } from "../runs/paths.ts";
import { parseVerdict, verdictToScore } from "../strategies/verdicts.ts";
import {
  type CriticCall,
  type CriticEvalOutcome,
  type CriticEvalRequest,
  type ProcessBenchItem,
  processBenchMessages,
  processBenchSolution,
  type RealCriticItem,
  realCriticMessages,
} from "./critic-eval.ts";

const stepName = (index: number | null) => (index === null ? "unreadable" : index === -1 ? "no wrong step" : `step ${index + 1}`);

/** The run id of row `index` (0-based). */
export const criticEvalRowRunId = (index: number) => `item-${String(index + 1).padStart(4, "0")}`;

/** Writes one run record per row into `folder` and returns what the page lists for each. */
export async function writeCriticEvalRuns(
  folder: string,
  request: Pick<CriticEvalRequest, "critic" | "actor" | "dataset" | "temperature" | "maxTokens">,
  items: ReadonlyArray<ProcessBenchItem | RealCriticItem>,
  outcome: CriticEvalOutcome,
  at = Date.now(),
): Promise<CriticEvalRow[]> {
  const sampling = { temperature: request.temperature ?? 0, maxTokens: request.maxTokens ?? 768 };
  const model = (path: string): ModelDescriptor => ({ path, name: basename(path), sizeBytes: 0, sampling });
  const stored: ModelDescriptor = { path: request.dataset, name: `stored solutions (${basename(request.dataset)})`, sizeBytes: 0, sampling };
  const records: CriticEvalRow[] = [];
  await mkdir(folder, { recursive: true });
  for (let index = 0; index < outcome.result.rows.length; index++) {
    const runId = criticEvalRowRunId(index);
    const events: RunEvent[] = [];
    const critiqueNodes = (critiques: CriticCall[], messages: ReturnType<typeof processBenchMessages>, stepwise: boolean, solutionId: string) =>
      critiques.forEach((critique, k) => {
        const nodeId = `n${k + 2}`;
        events.push(
          {
            type: "node-added",
            at,
            nodeId,
            parents: [solutionId],
            role: "critique",
            step: stepwise ? "stepwise" : "correction",
            iteration: k,
            model: "critic",
            prompt: messages,
          },
          {
            type: "node-completed",
            at,
            nodeId,
            text: critique.text,
            answer: null,
            tokensIn: critique.tokensIn,
            tokensOut: critique.tokensOut,
            wallMs: critique.wallMs,
            status: "done",
            ...(critique.unparseable ? { warning: `unparseable verdict: ${critique.unparseable}` } : {}),
          },
        );
        const score: Score = verdictToScore(parseVerdict(critique.text, stepwise), nodeId);
        events.push({ type: "score-set", at, nodeId: solutionId, score: critique.unparseable ? { ...score, verdict: "unparseable" } : score });
      });
    let record: CriticEvalRow;
    if (outcome.mode === "processbench") {
      const item = items[index] as ProcessBenchItem;
      const pb = outcome.result.rows[index]!;
      const reference = stepName(item.label);
      events.push(
        {
          type: "run-started",
          at,
          runId,
          strategy: "critic-eval-processbench",
          params: { item: item.id, label: item.label },
          models: { actor: stored, critic: model(request.critic) },
          seed: 0,
          task: { id: item.id, question: item.problem, reference },
        },
        { type: "node-added", at, nodeId: "n1", parents: [], role: "draft", step: "stored-solution", iteration: 0, model: null },
        { type: "node-completed", at, nodeId: "n1", text: processBenchSolution(item), answer: null, tokensIn: 0, tokensOut: 0, wallMs: 0, status: "done" },
      );
      critiqueNodes(pb.critiques, processBenchMessages(item), true, "n1");
      const unparseable = pb.critiques.find((c) => c.unparseable)?.unparseable;
      record = {
        runId,
        item: item.id,
        outcome: `label ${reference} · predicted ${stepName(pb.predicted)}`,
        correct: pb.correct,
        ...(unparseable ? { unparseable } : {}),
      };
      events.push(finished(at, "n1", stepName(pb.predicted), pb.correct, pb.critiques));
    } else {
      const item = items[index] as RealCriticItem;
      const rc = outcome.result.rows[index]!;
      const task = { question: item.question, reference: item.reference, ...(item.choices ? { choices: item.choices } : {}) };
      events.push(
        {
          type: "run-started",
          at,
          runId,
          strategy: "critic-eval-realcritic",
          params: { solver: outcome.solver },
          models: { actor: request.actor ? model(request.actor) : stored, critic: model(request.critic) },
          seed: 0,
          task,
        },
        {
          type: "node-added",
          at,
          nodeId: "n1",
          parents: [],
          role: "draft",
          step: rc.solver ? "solve" : "stored-solution",
          iteration: 0,
          model: rc.solver ? "actor" : null,
        },
        {
          type: "node-completed",
          at,
          nodeId: "n1",
          text: rc.solution,
          answer: rc.solutionAnswer,
          tokensIn: rc.solver?.tokensIn ?? 0,
          tokensOut: rc.solver?.tokensOut ?? 0,
          wallMs: rc.solver?.wallMs ?? 0,
          status: "done",
        },
      );
      critiqueNodes([rc.critique], realCriticMessages(item.question, rc.solution), false, "n1");
      const said = (ok: boolean) => (ok ? "correct" : "wrong");
      record = {
        runId,
        item: String(index + 1),
        outcome: `${said(rc.before)} → ${said(rc.after)}${rc.finalAnswer === null ? "" : ` (${rc.finalAnswer})`}`,
        correct: rc.after,
        ...(rc.critique.unparseable ? { unparseable: rc.critique.unparseable } : {}),
      };
      events.push(finished(at, "n1", rc.finalAnswer, rc.after, [rc.critique], rc.solver));
    }
    const dir = runDir(join(folder, "runs"), runId);
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, "events.jsonl"), `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
    records.push(record);
  }
  return records;
}

function finished(
  at: number,
  selectedNodeId: string,
  answer: string | null,
  correct: boolean,
  critiques: CriticCall[],
  solver?: Pick<CriticCall, "tokensIn" | "tokensOut">,
): RunEvent {
  const calls = [...critiques, ...(solver ? [solver] : [])];
  const totalTokens = calls.reduce((sum, c) => sum + c.tokensIn + c.tokensOut, 0);
  return { type: "run-finished", at, selectedNodeId, answer, correct, budgets: { selectedPathTokens: totalTokens, totalTokens } };
}
