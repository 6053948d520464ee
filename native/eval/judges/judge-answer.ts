// One answer judged by a jury with one grader: every judge's verdict, the jury's score, and every call the judges
// made (the experiment draws them as judge nodes in the cell's tree).
import type { JudgedCell, JudgeVerdict } from "../../protocol/experiment-results.ts";
import {
  type ChecklistCalls,
  checklistScore,
  type FirstTurn,
  judgeChecklist,
  judgePairwise,
  judgeRubric,
  type GraderKind,
  type Judge,
  type JudgeCall,
  type JudgeSettings,
} from "./graders.ts";
import { wordCount } from "./judged-summary.ts";
import { checklistMajority, pairwiseMajority, rubricMean } from "./jury.ts";

export interface AnswerToJudge {
  question: string;
  answer: string;
  reference?: string;
  /** Checklist grading: the item's criteria. */
  checklist?: readonly string[];
  /** Pairwise grading: the answer it is compared with, and what that answer is (a column, or "reference"). */
  baseline?: { name: string; answer: string };
  /** A second turn: the conversation's first turn (this answer is to the second question; rubric and pairwise only). */
  firstTurn?: FirstTurn;
}

export class JudgingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JudgingError";
  }
}

const PAIR_SCORE = { win: 1, tie: 0.5, loss: 0 } as const;

export async function judgeAnswer(
  grader: GraderKind,
  jury: readonly Judge[],
  input: AnswerToJudge,
  settings: JudgeSettings,
  options: { checklistCalls?: ChecklistCalls } = {},
): Promise<{ judged: Omit<JudgedCell, "item" | "column" | "nodeIds">; calls: JudgeCall[] }> {
  if (!jury.length) throw new JudgingError("judging needs at least one judge model (--judge)");
  const calls: JudgeCall[] = [];
  // Judges take turns on an answer, each with its own seed offset so two copies of one model are two draws.
  const each = async <T extends { calls: JudgeCall[] }>(judge: (j: Judge, s: JudgeSettings) => Promise<T>): Promise<T[]> => {
    const out: T[] = [];
    for (const [index, j] of jury.entries()) {
      const result = await judge(j, { ...settings, seed: settings.seed + index * 1000 });
      calls.push(...result.calls);
      out.push(result);
    }
    return out;
  };
  if (grader === "checklist") {
    if (input.firstTurn) throw new JudgingError("a checklist judges one answer to one question; second turns are judged by rubric or pairwise");
    if (!input.checklist?.length) throw new JudgingError("the checklist grader needs items with a 'checklist' (a list of criteria), as RefineBench's");
    const judgements = await each((j, s) => judgeChecklist(j, input.question, input.answer, input.checklist!, s, options.checklistCalls));
    const jury = judgements.length === 1 ? { passed: judgements[0]!.passed, ...checklistScore(judgements[0]!.passed) } : checklistMajority(judgements);
    const verdicts: JudgeVerdict[] = judgements.map((j) => ({ judge: j.judge, passed: j.passed }));
    const anyRead = jury.passed.some((p) => p !== null);
    return { judged: { grader, verdicts, score: anyRead ? jury.score : null, correct: jury.correct, passed: jury.passed }, calls };
  }
  if (grader === "rubric") {
    const judgements = await each((j, s) => judgeRubric(j, input.question, input.answer, input.reference, s, input.firstTurn));
    return { judged: { grader, verdicts: judgements.map((j) => ({ judge: j.judge, rating: j.rating })), score: rubricMean(judgements) }, calls };
  }
  const baseline = input.baseline;
  if (!baseline) throw new JudgingError("the pairwise grader needs a baseline answer: a baseline column (--baseline) or items with a reference answer");
  const judgements = await each((j, s) =>
    judgePairwise(j, input.question, input.answer, baseline.answer, baseline.name === "reference" ? undefined : input.reference, s, input.firstTurn),
  );
  const outcome = pairwiseMajority(judgements);
  return {
    judged: {
      grader,
      verdicts: judgements.map(({ calls: _, ...verdict }) => verdict),
      score: outcome === null ? null : PAIR_SCORE[outcome],
      outcome,
      baseline: baseline.name,
      lengths: { candidate: wordCount(input.answer), baseline: wordCount(baseline.answer) },
    },
    calls,
  };
}
