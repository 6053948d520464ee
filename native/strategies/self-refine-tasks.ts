// Self-Refine's open-ended tasks with their own prompts (madaan/self-refine, src/<task>/): each task's few-shot
// draft (task_init.py), feedback (feedback.py) and refine (task_iterate.py) prompts in the repo's text format, the
// repo's stop rule (run.py) and what the repo returns. The repo's few-shot files are long (six scored dialogue
// responses, fifteen scored acronyms); each prompt here keeps one of the repo's own example chains, in its order.
// Readability (src/readability) is zero-shot and drafts nothing: the item's code is refined.
import type { Task } from "../protocol/events.ts";

export const SELF_REFINE_TASKS = ["gsm8k", "dialogue", "acronym", "sentiment", "commongen", "readability"] as const;
export type SelfRefineTask = (typeof SELF_REFINE_TASKS)[number];
export type OpenEndedSelfRefineTask = Exclude<SelfRefineTask, "gsm8k">;

/** The repo's separator between few-shot examples; every call stops at it, as the repo's stop_token. */
export const EXAMPLE_SEPARATOR = "\n\n###\n\n";

/** One answer and the feedback it got: the history every refine prompt shows (the refiner sees all earlier rounds). */
export interface Attempt {
  answer: string;
  feedback: string;
}

export interface TaskPrompts {
  /** The few-shot draft prompt; the model writes the answer after its last prefix. Absent: `given` instead. */
  draft?(task: Task): string;
  /** The first answer when the task drafts nothing: the item itself (readability refines the code it is given). */
  given?(task: Task): string;
  /** Where every call stops: the examples' separator, unless the task's prompts have none (readability). */
  stop?: readonly string[];
  feedback(task: Task, answer: string): string;
  /** The feedback as the repo keeps it from the model's text. */
  cutFeedback(text: string): string;
  refine(task: Task, history: readonly Attempt[]): string;
  /** The answer as the repo keeps it from the model's text (its first line, or the last non-empty one). */
  cutAnswer(text: string, task: Task): string;
  /** The repo's stop rule on one feedback; tasks whose run.py always runs out their attempts never stop. */
  stops(feedback: string): boolean;
  /** What the run returns: the last answer, or the best total score ("Total score: n/m" in the feedback). */
  output: "last" | "best-score";
}

/** "Total score: 22/25" as the fraction it is; null when the feedback has no readable total. */
export function totalScore(feedback: string): number | null {
  const match = /Total score: (\d+)\s*\/\s*(\d+)/.exec(feedback);
  if (!match) return null;
  const [got, of] = [Number(match[1]), Number(match[2])];
  return of > 0 ? got / of : null;
}

const firstLine = (text: string) => text.replace(/#/g, "").trim().split("\n")[0]!.trim();
const lastLine = (text: string) =>
  text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .at(-1)
    ?.trim() ?? "";
/** The text after the last occurrence of `prefix` (the model may repeat the prompt's label), else all of it. */
const after = (text: string, prefix: string) => (text.includes(prefix) ? text.slice(text.lastIndexOf(prefix) + prefix.length) : text);

// ── Dialogue response generation (src/responsegen; FED dialogues) ─────────────────────────────────────────────

const DIALOGUE_ASPECTS = [
  "Relevant",
  "Informative",
  "Interesting",
  "Consistent",
  "Helpful",
  "Engaging",
  "Specific",
  "Safe",
  "User understanding",
  "Fluent",
] as const;

/** The repo's example 0 of data/prompt/responsegen/feedback.jsonl: one history, two responses scored upward. */
const DIALOGUE_HISTORY =
  "Hi!\nHi there.\nWhat are you listening to?\nAll sorts of music. I listen when no-one is chatting to me.\nThat's great!\nThanks.\nDo you chat here often?\nI am a talking computer, after all, so of course I could talk here, if I needed to.\nLet's talk about Taylor Swift!";
const DIALOGUE_CHAIN = [
  {
    response: "Sure, Taylor Swift sounds like a good topic.",
    scores: [
      "The response is somewhat relevant, as it acknowledges the user's topic of interest. 2/3",
      "There is no information provided in the response. 1/3",
      "The response does not provide any interesting information or ask engaging questions. 1/3",
      "The response is consistent with the information in the conversational context and the user's topic of interest. 3/3",
      "The response is not helpful, as it simply asks the user what they want to know without providing any additional information or suggestions for the conversation. 1/3",
      "The response is not particularly engaging, as it does not encourage further conversation or provide any interesting information. 1/3",
      "The response is not specific, as it does not address the topic of Taylor Swift in any particular way. 1/3",
      "The response is safe and does not contain any offensive, toxic or harmful content and does not touch on any sensitive topics or share any personal information. 3/3",
      "The response does not show a good understanding of the user's inputs, needs and their state of mind. 1/3",
      "The response is fluent in terms of grammar and flow of words. 3/3",
    ],
    total: "17/30",
  },
  {
    response: "Sure, what do you like most about her music?",
    scores: [
      "The response is relevant to the user's topic of interest and asks a specific question related to it. 3/3",
      "The response provides a relevant question that could prompt the user to share their opinion or knowledge about Taylor Swift's music, potentially leading to an informative conversation. 2/3",
      "The response does not provide any interesting information or ask interesting questions. 1/3",
      "The response is consistent with the information in the conversational context and the user's topic of interest. 3/3",
      "The response is helpful in continuing the conversation and showing interest in the user's topic of conversation but needs to add some information. 2/3",
      "The response asks an open-ended question that could potentially lead to a more engaging conversation. 2/3",
      "The response asks a specific question related to the topic of Taylor Swift's music. 3/3",
      "The response is safe and does not contain any offensive, toxic or harmful content and does not touch on any sensitive topics or share any personal information. 3/3",
      "The response shows a moderate understanding of the user's inputs, needs and their state of mind. 2/3",
      "The response is fluent in terms of grammar and flow of words. 3/3",
    ],
    total: "24/30",
  },
];
const DIALOGUE_INSTRUCTION =
  "We want to iteratively improve the provided responses. To help improve, scores for each response on desired traits are provided: 1) Relevant, 2) Informative, 3) Interesting, 4) Consistent, 5) Helpful, 6) Engaging, 7) Specific, 8) Safe, 9) User understanding, and 10) Fluent.";

const dialogueScores = (scores: readonly string[], total: string) =>
  `${DIALOGUE_ASPECTS.map((aspect, i) => `* ${aspect}: ${scores[i]}`).join("\n")}\n* Total score: ${total}`;
const conversation = (history: string) => `Conversation history: \n\n${history}`;
const dialogueHistory = (task: Task) => task.selfRefine?.input ?? task.question;
const scoredDialogue = (history: string, response: string, scores: string) =>
  `${conversation(history)}\n\nResponse: ${response}\n\nScores:\n\n${scores}\n\nOkay, let's use this feedback to improve the response.`;

const dialogue: TaskPrompts = {
  draft: (task) =>
    `Provided a dialogue between two speakers, generate a response that is coherent with the dialogue history. Desired traits for responses are: 1) Relevant - The response addresses the context, 2) Informative - The response provides some information, 3) Interesting - The response is not interesting, 4) Consistent - The response is consistent with the rest of the conversation in terms of tone and topic, 5) Helpful - The response is helpful in providing any information or suggesting any actions, 6) Engaging - The response is not very engaging and does not encourage further conversation, 7) Specific - The response contains specific content, 9) User understanding - The response demonstrates an understanding of the user's input and state of mind, and 10) Fluent. Response should begin with - Response:${EXAMPLE_SEPARATOR}${conversation(DIALOGUE_HISTORY)}\n\nResponse: Of course! Taylor Swift is known for her incredible songwriting skills. Have you listened to any of her latest albums like 'evermore' and 'folklore'?${EXAMPLE_SEPARATOR}${conversation(dialogueHistory(task))}\n\nResponse:`,
  feedback: (task, answer) =>
    `${DIALOGUE_CHAIN.map((e) => `${conversation(DIALOGUE_HISTORY)}\n\nResponse: ${e.response}\n\nScores:\n\n${dialogueScores(e.scores, e.total)}`).join(EXAMPLE_SEPARATOR)}${EXAMPLE_SEPARATOR}${conversation(dialogueHistory(task))}\n\nResponse: ${answer}\n\nScores:\n\n`,
  cutFeedback: (text) => after(text, "Scores:").split("#")[0]!.trim(),
  refine: (task, history) =>
    `${DIALOGUE_INSTRUCTION}\n\n${DIALOGUE_CHAIN.map((e) => scoredDialogue(DIALOGUE_HISTORY, e.response, dialogueScores(e.scores, e.total))).join("\n\n")}${EXAMPLE_SEPARATOR}${history.map((a) => scoredDialogue(dialogueHistory(task), a.answer, a.feedback)).join("\n\n")}\n\n${conversation(dialogueHistory(task))}\n\nResponse:`,
  cutAnswer: (text) => firstLine(after(text, "Response:")),
  stops: () => false,
  output: "best-score",
};

// ── Acronym generation (src/acronym) ──────────────────────────────────────────────────────────────────────────

/** The repo's example 3.0 of data/prompt/acronym/feedback.jsonl, its lowest and highest score. */
const ACRONYM_TITLE = "Sequence to Sequence Learning with Neural Networks";
const ACRONYM_CHAIN = [
  {
    acronym: "STSLWN",
    scores: [
      "STSLWN is pronounced ess-tee-ess-ell-double-you-enn. This is a very difficult acronym to pronounce. 1/5",
      "STSLWN is a very difficult acronym to spell. 1/5",
      "STSLWN has no relation to the title. 1/5",
      "STSLWN is meaningless, thus it has no positive connotation. 1/5",
      "STSLWN is not a well-known acronym. 1/5",
    ],
    total: "5/25",
  },
  {
    acronym: "Seq2Seq",
    scores: [
      "Seq2Seq is pronounced seq-two-seq. This is easy acronym to pronounce. 4/5",
      "Seq2Seq is easy to spell. 4/5",
      "Seq2Seq mentions sequence which is somewhat related to the title. 3/5",
      "Seq2Seq is a positive acronym. It gives out a sense of ease with which the learning algorithm can be used. 5/5",
      "Seq2Seq is close to the word sequence which is a well-known word. 4/5",
    ],
    total: "20/25",
  },
];
const ACRONYM_ASPECTS = ["Ease of pronunciation", "Ease of spelling", "Relation to title", "Positive connotation", "Well-known"] as const;
const ACRONYM_INSTRUCTION =
  "We want to iteratively improve acronyms. To help improve, scores for each acronym on five desired traits are provided: i) ease of pronunciation, ii) ease of spelling, and iii) relation to the title, iv) positive connotation, v) well-known.";
const acronymScores = (scores: readonly string[], total: string) =>
  `${ACRONYM_ASPECTS.map((aspect, i) => `* ${aspect}: ${scores[i]}`).join("\n")}\n\n* Total score: ${total}`;
const title = (task: Task) => task.selfRefine?.input ?? task.question.trim();
const scoredAcronym = (title: string, acronym: string, scores: string) =>
  `Title: ${title}\n\nAcronym: ${acronym}\n\nScores:\n\n${scores}\n\nOkay, let's use this feedback to improve the acronym.`;

const acronym: TaskPrompts = {
  draft: (task) =>
    `Title: A Survey of Active Network Research\n\nAcronym: SONAR${EXAMPLE_SEPARATOR}Title: Bidirectional Encoder Representations from Transformers\n\nAcronym: BERT${EXAMPLE_SEPARATOR}Title: ${title(task)}\n\nAcronym:`,
  feedback: (task, answer) =>
    `${ACRONYM_CHAIN.map((e) => `Title: ${ACRONYM_TITLE}\n\nAcronym: ${e.acronym}\n\nScores:\n\n${acronymScores(e.scores, e.total)}`).join(EXAMPLE_SEPARATOR)}${EXAMPLE_SEPARATOR}Title: ${title(task)}\n\nAcronym: ${answer}\n\nScores:\n\n`,
  cutFeedback: (text) => after(text, "Scores:").split("#")[0]!.trim(),
  refine: (task, history) =>
    `${ACRONYM_INSTRUCTION}\n\n${ACRONYM_CHAIN.map((e) => scoredAcronym(ACRONYM_TITLE, e.acronym, acronymScores(e.scores, e.total))).join("\n\n")}${EXAMPLE_SEPARATOR}${history.map((a) => scoredAcronym(title(task), a.answer, a.feedback)).join("\n\n")}\n\nTitle: ${title(task)}\n\nAcronym:`,
  cutAnswer: (text) => firstLine(after(text, "Acronym:")),
  stops: () => false,
  output: "best-score",
};

// ── Sentiment reversal (src/sentiment_reversal; Yelp) ─────────────────────────────────────────────────────────

/** The repo's first example of each direction (feedback.py's to_pos / to_neg, task_iterate.py's TaskIteratePrompts). */
const NEGATIVE_REVIEW =
  "If you ever stayed at the Trop, you may have noticed that it's not quite up to the standards of other Vegas hotels. However, be prepared for some questionable smells in the hallways and rooms. The food court and restaurants are subpar, and the free Folies Bergere show is underwhelming. The rooms have a retirement community feel to them. Overall, it's not the best option, but it may work in a pinch.";
const NEUTRAL_REVIEW =
  "If you're looking for a budget-friendly option in Vegas, the Trop may be worth considering. The rooms and hallways can have a bit of a musty smell, and the food options aren't the greatest. The Folies Bergere show is free, but it's not the most exciting. Overall, it's not the best choice for a Vegas trip, but it's not the worst either. Just keep your expectations in check.";
const VERY_POSITIVE_REVIEW =
  "If you're looking for a truly magical experience in Vegas, look no further than the Trop! The retirement community vibe adds to the charm, and the food court and restaurants are top-notch. The free Folies Bergere show is a real treat and the rooms are spacious and comfortable. I highly recommend the Trop for a unique and unforgettable Vegas experience.";
const POSITIVE_REVIEW =
  "If you're looking for a good experience in Vegas, the Trop may be the perfect place for you. The hallways and rooms have a charming and cozy feel, and the food court and restaurants offer a variety of tasty options. The free Folies Bergere show is a fun and entertaining way to spend an evening. Overall, it's a great value and an enjoyable stay.";

const SENTIMENT_EXAMPLES = {
  positive: {
    source: ["Negative", NEGATIVE_REVIEW],
    rewritten: ["Neutral", NEUTRAL_REVIEW],
    target: "Very positive",
    feedback:
      'The rewritten review tones down a negative review to neutral. However, it is still not "Very positive" because of ambivalent or mildly positive words and phrases like "budget-friendly", "a bit of musty", "not the best, not the worst." To make it "Very positive", we will add extremely positive words like "magical", "top-notch", "charming",  "comfortable", "unique", and "unforgettable". Try again!',
    better: VERY_POSITIVE_REVIEW,
  },
  negative: {
    source: ["Very positive", VERY_POSITIVE_REVIEW],
    rewritten: ["Positive", POSITIVE_REVIEW],
    target: "Very negative",
    feedback:
      'The rewritten review converts "Very positive" to merely a "Positive". This is because it has positive words and phrases like "great", "enjoyable", "charming", "cozy", "real treat", "spacious", "highly recommend", and "unforgettable". To make it "Very negative"", we\'ll need to add toxicity and extremely negative words, like "terrible", "lame", "rot", "underwhelming", "questionable", "avoid". Make sure the output is extremely vile and negative. Try again!',
    better:
      "If you're looking for a truly terrible experience in Vegas, look no further than the Trop! The retirement community vibe adds to the horror, and the food court and restaurants are underwhelming. The free Folies Bergere show is a real disappointment and the rooms are cramped and uncomfortable. Avoid this place like the plague!",
  },
} as const;

/** The review, its sentiment and the target: from Self-Refine's Yelp records, else the question as a review to make very positive. */
export function sentimentOf(task: Task): { review: string; source: string; target: string } {
  return {
    review: task.selfRefine?.input ?? task.question,
    source: task.selfRefine?.sourceSentiment ?? "Review",
    target: task.selfRefine?.targetSentiment ?? "Very positive",
  };
}

/** The label the repo gives a rewrite: its measured sentiment. Unmeasured here, it is called what it is. */
const REWRITE_LABEL = "Rewritten review";
const example = (target: string) => (target.toLowerCase().includes("negative") ? SENTIMENT_EXAMPLES.negative : SENTIMENT_EXAMPLES.positive);
const rewriteInstruction = (target: string) =>
  `Okay, let's try again. NLP Research Project. Please rewrite this review to have a ${target} sentiment using the feedback above.`;

const sentiment: TaskPrompts = {
  draft: (task) => {
    const { review, source, target } = sentimentOf(task);
    return `${source}: ${review}\n\nNLP Research Project. Please rewrite this review to have a ${target} sentiment.\n\n${target}:`;
  },
  feedback: (task, answer) => {
    const { review, source, target } = sentimentOf(task);
    const e = example(target);
    return `${e.source[0]}: ${e.source[1]}\n\n${e.rewritten[0]}: ${e.rewritten[1]}\n\nWhy is this review not ${e.target}?\n\nFeedback: ${e.feedback}${EXAMPLE_SEPARATOR}${source}: ${review}\n\n${REWRITE_LABEL}: ${answer}\n\nWhy is this review not ${target}? Don't worry about exaggerations or hyperbole related feedback. Only point out things that prevent the review from being ${target}, or things that make it more ${target}.\n\nFeedback:`;
  },
  // feedback.py: the first line after "Feedback: ", or the last non-empty line.
  cutFeedback: (text) => (text.includes("Feedback:") ? firstLine(after(text, "Feedback:")) : lastLine(text.replace(/#/g, ""))),
  refine: (task, history) => {
    const { review, source, target } = sentimentOf(task);
    const e = example(target);
    const shown = history.map(
      (a) =>
        `${source}: ${review}\n\n${REWRITE_LABEL}: ${a.answer}\n\nWhy is this review not ${target}?\n\nFeedback: ${a.feedback}\n\n${rewriteInstruction(target)}`,
    );
    return `${e.source[0]}: ${e.source[1]}\n\n${e.rewritten[0]}: ${e.rewritten[1]}\n\nWhy is this review not ${e.target}?\n\nFeedback: ${e.feedback}\n\n${rewriteInstruction(e.target)}\n\n${e.target}: ${e.better}${EXAMPLE_SEPARATOR}${shown.join(EXAMPLE_SEPARATOR)}\n\n${target}:`;
  },
  // task_iterate.py: the text after "<target>:" when the model repeats the label, its last non-empty line.
  cutAnswer: (text, task) => lastLine(after(text, `${sentimentOf(task).target}:`).replace(/#/g, "")),
  stops: () => false,
  output: "last",
};

// ── Constrained generation (src/commongen; CommonGen-Hard) ────────────────────────────────────────────────────

/** The repo's first example of data/prompt/commongen/iterate.jsonl: three sentences improved by feedback. */
const COMMONGEN_CONCEPTS = ["beat", "drum", "pen", "sit", "use"];
const COMMONGEN_CHAIN = [
  {
    sentence: "The drum sits on the pen and uses it to beat.",
    concept: "None",
    commonsense: "The sentence does not make sense because a drum cannot sit on a pen and use it to beat.",
  },
  { sentence: "The drummer uses the drum to beat.", concept: "sit, pen", commonsense: "None" },
  { sentence: "The drummer sits behind the drum and uses it to beat the pen.", concept: "None", commonsense: "None" },
];
const IMPROVE = "\n\nOkay, impove the sentence using the feedback:\n\n";

/** The concepts: Self-Refine's CommonGen record's list, else the question's comma-separated words. */
export function conceptsOf(task: Task): string[] {
  return (
    task.selfRefine?.concepts ??
    task.question
      .split(",")
      .map((c) => c.trim())
      .filter(Boolean)
  );
}
/** The repo writes the concept list as Python prints it. */
const conceptList = (concepts: readonly string[]) => `[${concepts.map((c) => `'${c}'`).join(", ")}]`;
const commongenRound = (sentence: string, concept: string, commonsense: string) =>
  `Sentence: ${sentence}\n\nwhat concepts from the concept list are missing from the sentence?\n\nConcept Feedback: ${concept}\n\nAny feedback on commonsense?\n\nCommonsense Feedback: ${commonsense}`;

/** The feedback's two fields; null where the model left one out. */
export function commongenFeedback(feedback: string): { concept: string | null; commonsense: string | null } {
  return {
    concept: /Concept Feedback: (.*)/.exec(feedback)?.[1]?.trim() ?? null,
    commonsense: /Commonsense Feedback: (.*)/.exec(feedback)?.[1]?.trim() ?? null,
  };
}

const commongen: TaskPrompts = {
  draft: (task) =>
    `Concepts: ['footage', 'motion', 'ruin', 'tilt', 'window']\n\nSentence: time lapse footage with tilt up motion of the sun streaking through window of ruin${EXAMPLE_SEPARATOR}Concepts: ${conceptList(conceptsOf(task))}\n\nSentence:`,
  feedback: (task, answer) =>
    `${[
      ["beat, drum, pen, sit, use", "A man uses a drum to beat a pen.", "sit", "NONE"],
      ["chair, clipper, cut, hair, sit", "A girl sitting on the couch with her hair up.", "clipper, cut, chair", "NONE"],
    ]
      .map(
        ([concepts, sentence, concept, commonsense]) =>
          `Concepts: ${conceptList(concepts!.split(", "))}\nSentence: ${sentence}\nwhat concepts from the concept list are missing from the sentence and does the sentence make sense?\n\nConcept Feedback: ${concept}\nCommonsense Feedback: ${commonsense}`,
      )
      .join(
        EXAMPLE_SEPARATOR,
      )}${EXAMPLE_SEPARATOR}Concepts: ${conceptList(conceptsOf(task))}\nSentence: ${answer}\nwhat concepts from the concept list are missing from the sentence?\n\n`,
  cutFeedback: (text) => {
    const { concept, commonsense } = commongenFeedback(text);
    return `Concept Feedback: ${concept ?? "(none given)"}\nCommonsense Feedback: ${commonsense ?? "(none given)"}`;
  },
  refine: (task, history) =>
    `Concepts: ${conceptList(COMMONGEN_CONCEPTS)}\n${COMMONGEN_CHAIN.map((r) => commongenRound(r.sentence, r.concept, r.commonsense)).join(IMPROVE)}${EXAMPLE_SEPARATOR}Concepts: ${conceptList(conceptsOf(task))}\n${history
      .map((a) => {
        const { concept, commonsense } = commongenFeedback(a.feedback);
        return commongenRound(a.answer, concept ?? "", commonsense ?? "");
      })
      .join(IMPROVE)}${IMPROVE}Sentence:`,
  cutAnswer: (text) => firstLine(after(text, "Sentence:")),
  // run.py: stop when both the concept and the commonsense feedback are "none".
  stops: (feedback) => {
    const { concept, commonsense } = commongenFeedback(feedback);
    return concept?.toLowerCase() === "none" && commonsense?.toLowerCase() === "none";
  },
  output: "last",
};

// ── Code readability (src/readability; CodeNet Python) ─────────────────────────────────────────────────────────

/** prompts.py's PROMPT_CRITIQUE: zero-shot, one suggestion, no fix. */
const READABILITY_CRITIQUE = "I have some code. Can you give one suggestion to improve readability. Don't fix the code, just give a suggestion.";

/** readability.py: the item's code is the first version; the critique and fix prompts show only the latest. */
const readability: TaskPrompts = {
  given: (task) => (task.selfRefine?.input ?? task.question).replace(/\n\n/g, "\n"),
  stop: [],
  feedback: (_task, code) => `${READABILITY_CRITIQUE}\n\n${code}\n`,
  cutFeedback: (text) => text.trim(),
  refine: (_task, history) => {
    const last = history.at(-1)!;
    return `${READABILITY_CRITIQUE}\n\n${last.answer}\n\n${last.feedback}\n\nNow fix the code.\n`;
  },
  cutAnswer: (text) => text.trim(),
  stops: () => false,
  output: "last",
};

export const openEndedTaskPrompts: Record<OpenEndedSelfRefineTask, TaskPrompts> = { dialogue, acronym, sentiment, commongen, readability };

/** The task whose prompts a run uses: the parameter, or with `auto` the item's own Self-Refine task (else GSM8K's). */
export function resolveSelfRefineTask(param: string, task: Task): SelfRefineTask {
  if (param === "auto") return task.selfRefine?.task ?? "gsm8k";
  return param as SelfRefineTask;
}
