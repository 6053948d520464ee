// The judges' prompts and output schemas. Rubric and pairwise prompts are MT-Bench's (lm-sys/FastChat,
// fastchat/llm_judge/data/judge_prompts.jsonl: single-v1, single-math-v1, pair-v2, pair-math-v1), with the
// "[[rating]]" / "[[A]]" output formats replaced by grammar-constrained JSON (the multi-turn prompts,
// single-v1-multi-turn, single-math-v1-multi-turn, pair-v2-multi-turn and pair-math-v1-multi-turn, judge a second turn) whose first field is the reasoning:
// constrained decoding emits fields in order, so the judge explains before it decides. The checklist prompt follows
// RefineBench's evaluation (a yes/no per criterion).
import type { JsonSchema } from "../llm/backend.ts";
import type { ChatMessage } from "../protocol/events.ts";
import { strictObject } from "./verdicts.ts";

/** Room for a judge's explanation (about 4 characters a token); a cap only so the string always closes. */
const REASONING_CHARS = 1200;
const CRITERION_REASONING_CHARS = 400;
/** RefineBench's checklists have 2 to 20 criteria; a longer list is judged in calls of this many. */
export const MAX_CRITERIA_PER_CALL = 20;

export const RATINGS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;

export const rubricSchema: JsonSchema = strictObject({
  reasoning: { type: "string", maxLength: REASONING_CHARS },
  rating: { enum: RATINGS },
});

/** "tie" is FastChat's "[[C]]". */
export const pairwiseSchema: JsonSchema = strictObject({
  reasoning: { type: "string", maxLength: REASONING_CHARS },
  verdict: { enum: ["A", "B", "tie"] },
});

export function checklistSchema(criteria: number): JsonSchema {
  return strictObject({
    criteria: {
      type: "array",
      minItems: criteria,
      maxItems: criteria,
      items: strictObject({
        reasoning: { type: "string", maxLength: CRITERION_REASONING_CHARS },
        satisfied: { enum: ["yes", "no"] },
      }),
    },
  });
}

/** MetaCritique's precision check: each claim of a critique, true or false given the question, answer and reference. */
export function claimsSchema(claims: number): JsonSchema {
  return strictObject({
    claims: {
      type: "array",
      minItems: claims,
      maxItems: claims,
      items: strictObject({
        reasoning: { type: "string", maxLength: CRITERION_REASONING_CHARS },
        verdict: { enum: ["true", "false"] },
      }),
    },
  });
}

/** After MetaCritique's prompts/precision.txt: the question is reliable, the answer least, the reference in between. */
export function claimsMessages(question: string, answer: string, reference: string, claims: readonly string[]): ChatMessage[] {
  const listed = claims.map((claim, i) => `${i + 1}. ${claim}`).join("\n");
  return [
    {
      role: "system",
      content:
        "You verify claims a critique makes about a model-generated answer. The input question is the most reliable and always correct; the model-generated answer is the least reliable and can contain flaws; the reference answer is more reliable than the model-generated answer but may contain flaws. A claim is true if it is a factual statement, explicitly mentioned in the needed information, or logically deducible from it; otherwise it is false.",
    },
    {
      role: "user",
      content: `<input question>\n${question}\n\n<model-generated answer>\n${answer}\n\n<reference answer>\n${reference}\n\n<claims>\n${listed}\n\nFor each claim, in the order given, write your reasoning in 'reasoning' first, then "true" or "false" in 'verdict'.`,
    },
  ];
}

const FORMAT_RATING = "Write your explanation in 'reasoning' first; then, in 'rating', rate the response on a scale of 1 to 10 (10 is best).";

export function rubricMessages(question: string, answer: string, reference?: string): ChatMessage[] {
  const instruction = reference
    ? "Please act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the user question displayed below. Your evaluation should consider correctness and helpfulness. You will be given a reference answer and the assistant's answer. Begin your evaluation by comparing the assistant's answer with the reference answer. Identify and correct any mistakes. Be as objective as possible."
    : "Please act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the user question displayed below. Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of the response. Begin your evaluation by providing a short explanation. Be as objective as possible.";
  const referenceBlock = reference ? `[The Start of Reference Answer]\n${reference}\n[The End of Reference Answer]\n\n` : "";
  return [
    { role: "system", content: "You are a helpful assistant." },
    {
      role: "user",
      content: `[Instruction]\n${instruction} ${FORMAT_RATING}\n\n[Question]\n${question}\n\n${referenceBlock}[The Start of Assistant's Answer]\n${answer}\n[The End of Assistant's Answer]`,
    },
  ];
}

export function pairwiseMessages(question: string, answerA: string, answerB: string, reference?: string): ChatMessage[] {
  const system = reference
    ? "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user question displayed below. Your evaluation should consider correctness and helpfulness. You will be given a reference answer, assistant A's answer, and assistant B's answer. Your job is to evaluate which assistant's answer is better. Begin your evaluation by comparing both assistants' answers with the reference answer. Identify and correct any mistakes."
    : "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user question displayed below. You should choose the assistant that follows the user's instructions and answers the user's question better. Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of their responses. Begin your evaluation by comparing the two responses and provide a short explanation.";
  const rules =
    'Avoid any position biases and ensure that the order in which the responses were presented does not influence your decision. Do not allow the length of the responses to influence your evaluation. Do not favor certain names of the assistants. Be as objective as possible. Write your explanation in \'reasoning\' first; then give your final verdict in \'verdict\': "A" if assistant A is better, "B" if assistant B is better, and "tie" for a tie.';
  const referenceBlock = reference ? `[The Start of Reference Answer]\n${reference}\n[The End of Reference Answer]\n\n` : "";
  return [
    { role: "system", content: `${system} ${rules}` },
    {
      role: "user",
      content: `[User Question]\n${question}\n\n${referenceBlock}[The Start of Assistant A's Answer]\n${answerA}\n[The End of Assistant A's Answer]\n\n[The Start of Assistant B's Answer]\n${answerB}\n[The End of Assistant B's Answer]`,
    },
  ];
}

/** One criterion judged in a call of its own (`checklistCalls: "per-criterion"`). */
export const criterionSchema: JsonSchema = strictObject({
  reasoning: { type: "string", maxLength: CRITERION_REASONING_CHARS },
  satisfied: { enum: ["yes", "no"] },
});

const CHECKLIST_SYSTEM =
  "You are a strict, impartial evaluator. You check a response against a checklist, one criterion at a time. A criterion is satisfied only when the response clearly meets it; when in doubt, answer no.";

/** The checklist prompt with one criterion: the judge sees neither the other criteria nor its verdicts on them. */
export function criterionMessages(question: string, answer: string, criterion: string): ChatMessage[] {
  return [
    { role: "system", content: CHECKLIST_SYSTEM },
    {
      role: "user",
      content: `[Question]\n${question}\n\n[The Start of the Response]\n${answer}\n[The End of the Response]\n\n[Criterion]\n${criterion}\n\nWrite your reasoning in 'reasoning' first, then 'yes' or 'no' in 'satisfied'.`,
    },
  ];
}

export function checklistMessages(question: string, answer: string, criteria: readonly string[]): ChatMessage[] {
  const listed = criteria.map((criterion, i) => `${i + 1}. ${criterion}`).join("\n");
  return [
    { role: "system", content: CHECKLIST_SYSTEM },
    {
      role: "user",
      content: `[Question]\n${question}\n\n[The Start of the Response]\n${answer}\n[The End of the Response]\n\n[Checklist]\n${listed}\n\nFor each criterion, in the order given, write your reasoning in 'reasoning' first, then 'yes' or 'no' in 'satisfied'.`,
    },
  ];
}

/** One turn of a conversation as the multi-turn prompts show it: the user's question and the answer(s) to it. */
export interface JudgedTurn {
  question: string;
  reference?: string;
}

const turnBlock = (speaker: string, turns: ReadonlyArray<{ question: string; answer: string }>) =>
  `<|The Start of ${speaker}'s Conversation with User|>\n\n${turns.map((t) => `### User:\n${t.question}\n\n### ${speaker}:\n${t.answer}`).join("\n\n")}\n\n<|The End of ${speaker}'s Conversation with User|>`;

/** The reference block of the math prompts: both turns' references, or none when either is missing. */
function referenceBlock(turns: readonly [JudgedTurn, JudgedTurn]): string | null {
  const [first, second] = turns;
  if (first.reference === undefined || second.reference === undefined) return null;
  return `<|The Start of Reference Answer|>\n\n### User:\n${first.question}\n\n### Reference answer:\n${first.reference}\n\n### User:\n${second.question}\n\n### Reference answer:\n${second.reference}\n\n<|The End of Reference Answer|>`;
}

/** MT-Bench's single-v1-multi-turn (single-math-v1-multi-turn with both turns' references): the second answer rated. */
export function rubricMultiTurnMessages(turns: readonly [JudgedTurn, JudgedTurn], answers: readonly [string, string]): ChatMessage[] {
  const references = referenceBlock(turns);
  const system = references
    ? "Please act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the user question. Your evaluation should consider correctness and helpfulness. You will be given a reference answer and the assistant's answer. You evaluation should focus on the assistant's answer to the second question. Begin your evaluation by comparing the assistant's answer with the reference answer. Identify and correct any mistakes. Be as objective as possible."
    : "Please act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the user question displayed below. Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of the response. You evaluation should focus on the assistant's answer to the second user question. Begin your evaluation by providing a short explanation. Be as objective as possible.";
  const conversation = turnBlock(
    "Assistant A",
    turns.map((t, i) => ({ question: t.question, answer: answers[i]! })),
  );
  return [
    { role: "system", content: `${system} ${FORMAT_RATING}` },
    { role: "user", content: references ? `${references}\n\n\n${conversation}` : conversation },
  ];
}

/** MT-Bench's pair-v2-multi-turn (pair-math-v1-multi-turn with both turns' references): who answers the second question better. */
export function pairwiseMultiTurnMessages(
  turns: readonly [JudgedTurn, JudgedTurn],
  answersA: readonly [string, string],
  answersB: readonly [string, string],
): ChatMessage[] {
  const references = referenceBlock(turns);
  const system = references
    ? "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user questions. Your evaluation should consider correctness and helpfulness. You will be given reference answers, the assistant A's answers, the assistant B's answers. Your job is to determine which assistant provides correct and helpful answers to the second user question. Begin your evaluation by comparing both assistants' answers with the reference answers. Identify and correct any mistakes."
    : "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user questions. You should choose the assistant that follows the user's instructions and answers the user's questions better. Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of their responses. You should focus on who provides a better answer to the second user question. Begin your evaluation by comparing the responses of the two assistants and provide a short explanation.";
  const rules =
    'Avoid any position biases and ensure that the order in which the responses were presented does not influence your decision. Do not allow the length of the responses to influence your evaluation. Do not favor certain names of the assistants. Be as objective as possible. Write your explanation in \'reasoning\' first; then give your final verdict in \'verdict\': "A" if assistant A is better, "B" if assistant B is better, and "tie" for a tie.';
  const a = turnBlock(
    "Assistant A",
    turns.map((t, i) => ({ question: t.question, answer: answersA[i]! })),
  );
  const b = turnBlock(
    "Assistant B",
    turns.map((t, i) => ({ question: t.question, answer: answersB[i]! })),
  );
  return [
    { role: "system", content: `${system} ${rules}` },
    { role: "user", content: `${references ? `${references}\n\n\n` : ""}${a}\n\n\n${b}` },
  ];
}
