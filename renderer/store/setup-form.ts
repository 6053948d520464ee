// The run setup form's values as typed (strings, so a half-typed number stays on screen), their defaults, and which
// entry a refusal of startRun is about.
import { DEFAULT_SAMPLING } from "../../native/protocol/defaults.ts";
import type { CodeTests } from "../../native/protocol/events.ts";

export interface LoadForm {
  gpuLayers: string;
  contextSize: string;
  flashAttention: boolean;
}

export const defaultLoad: LoadForm = { gpuLayers: "auto", contextSize: "", flashAttention: false };

export interface SetupForm {
  actorPath: string;
  criticPath: string;
  strategy: string;
  params: Record<string, string>;
  question: string;
  reference: string;
  /** Tests of a code task picked from a dataset (HumanEval); cleared when the question is edited. */
  tests?: CodeTests;
  seed: string;
  maxTokens: string;
  /** The critic's answer budget (its verdicts and feedback), beside the actor's. */
  criticMaxTokens: string;
  /** Thought tokens at most per role ("" = the model's default, "0" = ask it not to think). */
  thinkingBudget: string;
  criticThinkingBudget: string;
  load: { actor: LoadForm; critic: LoadForm };
}

export const defaultSetup: SetupForm = {
  actorPath: "",
  criticPath: "",
  strategy: "self-refine",
  params: {},
  question: "",
  reference: "",
  seed: "0",
  maxTokens: String(DEFAULT_SAMPLING.actor.maxTokens),
  criticMaxTokens: String(DEFAULT_SAMPLING.critic.maxTokens),
  thinkingBudget: "",
  criticThinkingBudget: "",
  load: { actor: defaultLoad, critic: defaultLoad },
};

/** The setup form's entry that holds the value at a contract path of startRun. */
export function formKeyOf(field: string | undefined): keyof SetupForm | undefined {
  if (!field) return undefined;
  const [head, second, third] = field.split(".");
  if (head === "actor" || head === "critic") {
    if (second === "path") return head === "actor" ? "actorPath" : "criticPath";
    if (second === "load") return "load";
    if (third === "maxTokens") return head === "actor" ? "maxTokens" : "criticMaxTokens";
    if (third === "thinkingBudget") return head === "actor" ? "thinkingBudget" : "criticThinkingBudget";
    return undefined;
  }
  if (head === "params") return "params";
  if (head === "task") return second === "reference" ? "reference" : "question";
  if (head === "seed" || head === "strategy") return head;
  return undefined;
}
