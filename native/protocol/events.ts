// The run protocol: every fact about a run is one of these events. The engine emits them, the run log stores
// them, and every view (CLI replay, renderer, tests) folds them with applyRunEvent. Pure types, no imports
// from node: or the DOM, so the renderer can use this module as is.
import type { StopReason } from "./stop-reason.ts";
import type { EffectiveSampling } from "./sampling-policy.ts";

/** "judge": a judge model grading the run's answer after the run (experiments with --grader); not the strategy's. */
export type NodeRole = "draft" | "critique" | "refine" | "vote" | "distill" | "select" | "verify" | "judge";
export type ModelRole = "actor" | "critic";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** How an answer was found when the solution stated none: the last number (numeric tasks), the last option named. */
export type AnswerFallback = "last-number" | "option-mention";

export interface Task {
  id?: string;
  question: string;
  /** Reference answer, when the task comes from a dataset that has one. */
  reference?: string;
  /** Options of a multiple-choice task, labelled A, B, C… in order; the reference names one of them. */
  choices?: string[];
  /** Executable tests for code tasks (HumanEval style): run by verifier loops in a sandbox. */
  tests?: CodeTests;
  /** Criteria an open-ended answer is judged by, one yes/no each (RefineBench's checklists). */
  checklist?: string[];
  /** The Self-Refine task an item comes from (its dataset adapter says so): self-refine's `task=auto` uses its prompts. */
  selfRefine?: SelfRefineItem;
  /** A multi-turn item's next user message (MT-Bench's second turn), asked after this one is answered. */
  secondTurn?: { question: string; reference?: string };
}

/** What Self-Refine's task prompts read besides the question: the review, its sentiments, the concept list. */
export interface SelfRefineItem {
  task: "dialogue" | "acronym" | "sentiment" | "commongen";
  /** The dialogue history, the title or the review, as the task's prompts show it. */
  input?: string;
  sourceSentiment?: string;
  targetSentiment?: string;
  concepts?: string[];
}

export interface CodeTests {
  language: "python";
  /** Test code defining check(candidate), or plain asserts. */
  code: string;
  /** The function under test; check(entryPoint) is called after the tests are loaded. */
  entryPoint?: string;
}

export interface ModelDescriptor {
  path: string;
  name: string;
  sizeBytes: number;
  sha256?: string;
  architecture?: string;
  sampling: SamplingSettings;
  /** The load settings the run asked for (a GGUF file's; omitted when none were set): "run again" restores them. */
  load?: RequestedLoad;
}

/** What the user set about loading a model; what llama.cpp then chose (the context it got…) is in the manifest. */
export interface RequestedLoad {
  gpuLayers?: "auto" | "max" | number;
  /** Tokens per sequence. Omitted: what fits in memory, up to the model's trained context (at least `minContextSize`). */
  contextSize?: number;
  /** true: always on; false: off; omitted: llama.cpp's own choice ("auto": on where the backend supports it, as
   * node-llama-cpp defaults). Forcing it off cost about 15% per token on the CPU (bench/results/engine.md). */
  flashAttention?: boolean;
  /** A node-llama-cpp chat wrapper name ("qwen", "chatML", "deepSeek", "jinjaTemplate", …) instead of the resolved one. */
  chatWrapper?: string;
}

export interface SamplingSettings {
  temperature: number;
  topP?: number;
  topK?: number;
  /** The answer's budget (with a thinking budget, the thought has its own on top). */
  maxTokens: number;
  /** Thought tokens at most for models that think; 0 asks the model not to think. Omitted: the model's default. */
  thinkingBudget?: number;
  /** Critics: reason in free text first, then give the constrained verdict (two phases, both on the node). */
  reasonFirst?: boolean;
  /** Critics: re-read the verdict with the solution and revise it in a second turn (SPARK's meta-critique). */
  metaCritique?: boolean;
}

export interface StepScore {
  index: number;
  verdict: "correct" | "wrong";
  score: number | null;
  why?: string;
}

export type Verdict = "correct" | "incorrect" | "unknown" | "unparseable";
export type ScoreSource = "critic" | "verifier" | "vote";

export interface Score {
  /** Scalar in the strategy's scale (critic scores are 0..10, votes are vote shares 0..1). null: no usable number. */
  value: number | null;
  steps?: StepScore[];
  /** 0-based index of the first wrong step; null when every step was judged correct or steps were not judged. */
  firstErrorStep?: number | null;
  verdict: Verdict;
  /** A search's reward in its own units (MCTSr: −100…100); `value` then holds it mapped onto 0..10 for colours. */
  reward?: number;
  source: ScoreSource;
  /** The node (a critique, a vote) that produced this score. */
  byNodeId?: string;
  /** A vote's score: the answer group the vote counted this candidate in ("7" and "7.0" are one; a letter for
   * multiple choice), so a view tallies as the vote did. Absent: the candidate stated no answer, or an older log. */
  group?: string;
}

export interface Budgets {
  /**
   * Tokens (in + out) along the critical path to the selected node: the node plus, recursively, its most
   * expensive parent. Parallel branches count once (the longest), so this is the latency proxy the PDR paper
   * plots; for a chain of refinements it is the whole chain.
   */
  selectedPathTokens: number;
  /** Tokens of every node in the run: the cost (prompt tokens evaluated, not reused, plus generated ones). */
  totalTokens: number;
  /** The cost split in its parts, summed over every node (absent in logs written before they were counted). */
  promptTokensEvaluated?: number;
  promptTokensReused?: number;
  thoughtTokens?: number;
  answerTokens?: number;
}

export type NodeStatus = "running" | "done" | "aborted" | "failed";

export type RunEvent =
  | {
      type: "run-started";
      at: number;
      runId: string;
      strategy: string;
      params: Record<string, unknown>;
      models: { actor: ModelDescriptor; critic: ModelDescriptor };
      seed: number;
      task: Task;
    }
  | {
      type: "node-added";
      at: number;
      nodeId: string;
      /** The first parent is the primary one (the tree layout follows it); votes and distills have several. */
      parents: string[];
      role: NodeRole;
      /** The strategy's own name for this step, e.g. "feedback", "refine", "sample". */
      step: string;
      iteration: number;
      /** null for nodes no model wrote (votes, selections computed by the engine) and judge nodes (the judge is in `step`). */
      model: ModelRole | null;
      prompt?: ChatMessage[];
      /** The strategy's lane for a model-written node: nodes on one lane continue one conversation in the model's cache. */
      lane?: string;
    }
  | {
      type: "token-delta";
      nodeId: string;
      text: string;
      /** Chunks the model streamed in this delta, about one token each (merged deltas add up); absent: one. */
      tokens?: number;
      /** When the first of them came (ms since the epoch): the node's tokens per second count from there. */
      at?: number;
      /** "thought" for text inside the model's thought segment; absent for the answer. */
      segment?: "thought";
    }
  | {
      type: "node-completed";
      at: number;
      nodeId: string;
      /** The answer's text (never the thought). */
      text: string;
      answer: string | null;
      /** The solution stated no answer; `answer` is a guess from its last number or the last option it names. */
      answerFallback?: AnswerFallback;
      /** Prompt tokens: the whole conversation, reused prefix included. */
      tokensIn: number;
      /** Generated tokens, thought included. */
      tokensOut: number;
      /** What the model thought before answering, kept apart from the answer. */
      thought?: string;
      /** Of tokensOut, the tokens spent thinking. */
      thoughtTokens?: number;
      /** Of tokensIn, the tokens that had to be evaluated and the ones reused from the sequence's cache. */
      tokensEvaluated?: number;
      tokensReused?: number;
      /** The thinking budget ended the thought; the answer was still generated. */
      thoughtCut?: boolean;
      /** The answer reached its budget before the model ended it. */
      answerCut?: boolean;
      wallMs: number;
      status: Exclude<NodeStatus, "running">;
      error?: string;
      /** Replayed from the generation cache: an identical request (model, prompt, sampling, seed) ran before. */
      cached?: boolean;
      /** The generation ran, but not as asked: e.g. the prompt did not fit the context and the model saw part of it. */
      warning?: string;
      /**
       * Per-token confidence of the generated tokens (thought included), a byte each in base64
       * (`protocol/token-confidence.ts`); only when the strategy asked for it.
       */
      confidence?: string;
      /** Generation was stopped because its sliding-window confidence fell below the strategy's threshold. */
      confidenceStop?: boolean;
    }
  | { type: "score-set"; at: number; nodeId: string; score: Score }
  | {
      type: "run-finished";
      at: number;
      selectedNodeId: string;
      answer: string | null;
      /** Against the task's reference, when it has one. */
      correct: boolean | null;
      budgets: Budgets;
      /** Why the run stopped (absent in logs written before it was recorded). */
      stopReason?: StopReason;
      /** The temperatures and sampling every generation used (absent in logs written before it was recorded). */
      sampling?: EffectiveSampling;
    }
  | { type: "run-failed"; at: number; reason: string; code: RunFailureCode }
  | {
      /** A search (beam search, DVTS) dropped this branch: it stays in the tree, drawn faded. */
      type: "node-pruned";
      at: number;
      nodeId: string;
      reason: string;
    }
  | {
      /** Search strategies (MCTS) record their statistics after each iteration so the search can be replayed. */
      type: "search-snapshot";
      at: number;
      iteration: number;
      /** The node expanded in this iteration. */
      expandedNodeId: string;
      stats: Record<string, { visits: number; value: number }>;
    };

/** "will-not-fit": refused before loading, the memory plan says the models do not fit (a forced start loads anyway). */
export type RunFailureCode = "cancelled" | "model-error" | "engine-crashed" | "invalid-input" | "will-not-fit" | "internal";

/** Events the run log keeps. Token deltas are transient: node-completed carries the full text. */
export function isPersistedEvent(event: RunEvent): boolean {
  return event.type !== "token-delta";
}
