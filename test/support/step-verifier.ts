// A scripted step verifier for step-level search tests: it scores each step line of the solution it is shown by
// the first keyword of `scores` the line contains (5 when none), so a test states each step's score by its words.
import type { GenerateRequest } from "../../native/llm/backend.ts";
import { lastUser } from "./scripted-run.ts";

export function keywordVerifier(scores: Record<string, number>) {
  return (request: GenerateRequest) => {
    const lines = [...lastUser(request).matchAll(/^Step \d+: (.*)$/gm)].map((match) => match[1]!);
    const steps = lines.map((line) => {
      const keyword = Object.keys(scores).find((word) => line.includes(word));
      const score = keyword === undefined ? 5 : scores[keyword]!;
      return { why: "checked", verdict: score >= 5 ? "correct" : "wrong", score };
    });
    return JSON.stringify({ steps, finalCorrect: true, score: 5, critique: "" });
  };
}

/** The assistant's unfinished answer a step request continues ("" for a first step). */
export const prefixOf = (request: GenerateRequest) => (request.messages.at(-1)?.role === "assistant" ? request.messages.at(-1)!.content : "");
