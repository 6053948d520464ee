// The strategy's view of a run: it emits events (folding them into the one run state) and offers the shared
// primitives (generate, critique, refine, vote, select) as node-producing calls. Strategies never touch the
// log, the models' internals or the event sink directly.
import { SEED_RULE, type EffectiveSampling, type RoleSampling, type SamplingPolicy } from "../protocol/sampling-policy.ts";
import type { GenerateRequest, JsonSchema, ModelBackend, StopReason } from "../llm/backend.ts";
import { isFallback } from "../grading/answers.ts";
import { answerKey, answerOf, keysByLetter } from "../grading/checkers.ts";
import type { ChatMessage, ModelRole, NodeRole, RunEvent, SamplingSettings, Score, Task } from "../protocol/events.ts";
import { applyRunEvent, emptyRunState, nodeCost, type RunNode, type RunState } from "../protocol/state.ts";
import { parseJsonLoose } from "../llm/json-output.ts";
import { encodeConfidence } from "../protocol/token-confidence.ts";
import { metaCritiqueMessages, revisedVerdict } from "./meta-critique.ts";
import { fill, prompts } from "./prompts.ts";
import { feedbackText, holisticSchema, parseVerdict, splitSteps, stepwiseSchema, verdictToScore, type CriticVerdict } from "./verdicts.ts";
import { preferredWinner, type VotePreference } from "./vote-preference.ts";

export class RunCancelledError extends Error {
  constructor() {
    super("run cancelled");
    this.name = "RunCancelledError";
  }
}

export class GenerationError extends Error {
  constructor(
    readonly nodeId: string,
    override readonly cause: unknown,
  ) {
    super(`generation failed on node ${nodeId}: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = "GenerationError";
  }
}

export interface RunContextOptions {
  actor: ModelBackend;
  critic: ModelBackend;
  sampling: Record<ModelRole, SamplingSettings>;
  task: Task;
  seed: number;
  signal: AbortSignal;
  emit: (event: RunEvent) => void;
  /** Run independent generations concurrently (parallel sequences). Off: strictly one after another. */
  parallel: boolean;
  /** Stop starting new generations once the run has used this many tokens (0: no limit). */
  maxTotalTokens: number;
  /** Oracle switches use the task's reference answer: upper bounds, marked in the manifest. */
  oracle?: boolean;
  /** "matched": one temperature for every actor generation and one for every critic one (see sampling-policy.ts). */
  samplingPolicy?: SamplingPolicy;
}

export interface GenerateNodeOptions {
  role: NodeRole;
  step: string;
  iteration: number;
  parents: string[];
  model: ModelRole;
  messages: ChatMessage[];
  lane: string;
  temperature?: number;
  /** The procedure requires this temperature (a greedy draft, MCTSr's 0.95): a matched policy keeps it. */
  temperatureRequired?: boolean;
  maxTokens?: number;
  jsonSchema?: JsonSchema;
  /** Candidates get an extracted answer; critiques do not. */
  extract?: boolean;
  /** Generation ends at the first of these strings (see GenerateRequest.stop). */
  stop?: string[];
  /** The last message is the assistant's unfinished answer, which this node continues. */
  continueAnswer?: boolean;
  /** The solution text this node continues: its answer is read from the prefix and the node's text together. */
  answerPrefix?: string;
  /** Record per-token confidence on the node (and stop early below a threshold): strategies that use it ask. */
  confidence?: GenerateRequest["confidence"];
}

export interface Critique {
  node: RunNode;
  verdict: CriticVerdict;
  /** Steps of the candidate as the critic saw them (stepwise mode). */
  steps?: string[];
}

export class RunContext {
  private current: RunState = emptyRunState;
  private nodeCounter = 0;
  private seed: string | null = null;
  private readonly stopReasons = new Map<string, StopReason>();

  constructor(readonly options: RunContextOptions) {}

  get state(): RunState {
    return this.current;
  }
  get task(): Task {
    return this.options.task;
  }
  get signal(): AbortSignal {
    return this.options.signal;
  }

  emit(event: RunEvent): void {
    this.current = applyRunEvent(this.current, event);
    this.options.emit(event);
  }

  node(id: string): RunNode {
    const node = this.current.nodes[id];
    if (!node) throw new Error(`unknown node ${id}`);
    return node;
  }

  /** Tokens spent so far: prompt tokens evaluated (a reused prefix is not charged again) plus generated ones. */
  tokensUsed(): number {
    let total = 0;
    for (const id of this.current.order) total += nodeCost(this.current.nodes[id]!);
    return total;
  }

  /** The budget gate: false once the token budget is spent. Strategies stop iterating, they do not fail. */
  withinBudget(): boolean {
    const within = this.options.maxTotalTokens <= 0 || this.tokensUsed() < this.options.maxTotalTokens;
    if (!within) this.budgetRefused = true;
    return within;
  }

  private readonly temperatures = { actor: new Set<number>(), critic: new Set<number>() };
  private readonly required = { actor: new Set<number>(), critic: new Set<number>() };

  /** The temperature a generation runs at under the run's sampling policy; every one used is recorded. */
  private temperatureFor(options: GenerateNodeOptions, configured: number): number {
    const policy = this.options.samplingPolicy;
    let temperature = options.temperature ?? configured;
    if (options.temperatureRequired) this.required[options.model].add(temperature);
    else if (policy?.kind === "matched")
      temperature = options.model === "actor" ? policy.actorTemperature : (policy.criticTemperature ?? this.options.sampling.critic.temperature);
    this.temperatures[options.model].add(temperature);
    return temperature;
  }

  /** The sampling the run's generations used so far, for the record of its end. */
  effectiveSampling(): EffectiveSampling {
    const role = (model: ModelRole): RoleSampling => {
      const { topP, topK } = this.options.sampling[model];
      const required = [...this.required[model]].sort((a, b) => a - b);
      return {
        temperatures: [...this.temperatures[model]].sort((a, b) => a - b),
        ...(required.length ? { required } : {}),
        ...(topP !== undefined ? { topP } : {}),
        ...(topK !== undefined ? { topK } : {}),
      };
    };
    return { policy: this.options.samplingPolicy?.kind ?? "paper", actor: role("actor"), critic: role("critic"), seedRule: SEED_RULE };
  }

  /** The budget gate said no at least once: the run was cut by the token budget, not ended by its procedure. */
  budgetRefused = false;

  /** Runs fn over items, concurrently when the run is parallel; node ids are assigned in item order either way. */
  async map<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
    if (!this.options.parallel) {
      const results: R[] = [];
      for (const [index, item] of items.entries()) results.push(await fn(item, index));
      return results;
    }
    return Promise.all(items.map((item, index) => fn(item, index)));
  }

  private nextNodeId(): string {
    return `n${++this.nodeCounter}`;
  }

  private seedFor(nodeId: string): number {
    // Distinct, reproducible seeds per node: the run seed mixed with the node's ordinal.
    const ordinal = Number(nodeId.slice(1));
    return (Math.imul(this.options.seed ^ 0x9e3779b9, 2654435761) + Math.imul(ordinal, 40503)) >>> 0;
  }

  /** Adds a node written by a model, streams its tokens, completes it. */
  async generate(options: GenerateNodeOptions): Promise<RunNode> {
    if (this.signal.aborted) throw new RunCancelledError();
    const nodeId = this.nextNodeId();
    this.emit({
      type: "node-added",
      at: Date.now(),
      nodeId,
      parents: options.parents,
      role: options.role,
      step: options.step,
      iteration: options.iteration,
      model: options.model,
      // A copy: strategies keep extending their conversation arrays, the recorded prompt must not change.
      prompt: options.messages.map((message) => ({ ...message })),
      ...(options.lane ? { lane: options.lane } : {}),
    });
    const backend = options.model === "actor" ? this.options.actor : this.options.critic;
    const sampling = this.options.sampling[options.model];
    const temperature = this.temperatureFor(options, sampling.temperature);
    const request: GenerateRequest = {
      messages: options.messages,
      maxTokens: options.maxTokens ?? sampling.maxTokens,
      temperature,
      topP: sampling.topP,
      topK: sampling.topK,
      seed: this.seedFor(nodeId),
      jsonSchema: options.jsonSchema,
      lane: options.lane,
      signal: this.signal,
      onText: (text) => this.emit({ type: "token-delta", nodeId, text, at: Date.now() }),
      ...(sampling.thinkingBudget !== undefined ? { thinkingBudget: sampling.thinkingBudget } : {}),
      onThought: (text) => this.emit({ type: "token-delta", nodeId, text, segment: "thought", at: Date.now() }),
      ...(options.stop?.length ? { stop: options.stop } : {}),
      ...(options.continueAnswer ? { continueAnswer: true } : {}),
      ...(options.confidence ? { confidence: options.confidence } : {}),
      // A critic's verdict is constrained JSON: reason first where the critic's settings ask for it.
      ...(options.jsonSchema && this.options.sampling.critic.reasonFirst ? { reasonBeforeJson: true } : {}),
    };
    const started = performance.now();
    try {
      const result = await backend.generate(request);
      const aborted = result.stopReason === "aborted" || this.signal.aborted;
      this.stopReasons.set(nodeId, result.stopReason);
      const read = options.extract === false ? null : answerOf(this.task, (options.answerPrefix ?? "") + result.text);
      this.emit({
        type: "node-completed",
        at: Date.now(),
        nodeId,
        // Answers are extracted from the answer alone: a thought's trial answers never count.
        text: result.text,
        answer: read?.answer ?? null,
        ...(read && isFallback(read.extractedBy) ? { answerFallback: read.extractedBy } : {}),
        tokensIn: result.tokensIn,
        tokensOut: result.tokensOut,
        tokensEvaluated: result.tokensEvaluated,
        tokensReused: result.tokensReused ?? Math.max(0, result.tokensIn - result.tokensEvaluated),
        ...(result.thought !== undefined ? { thought: result.thought, thoughtTokens: result.thoughtTokens ?? 0 } : {}),
        ...(result.thoughtCut ? { thoughtCut: true } : {}),
        ...(result.stopReason === "maxTokens" ? { answerCut: true } : {}),
        wallMs: Math.round(performance.now() - started),
        status: aborted ? "aborted" : "done",
        ...(result.cached ? { cached: true } : {}),
        ...(result.warning ? { warning: result.warning } : {}),
        ...(result.tokenConfidence?.length ? { confidence: encodeConfidence(result.tokenConfidence) } : {}),
        ...(result.confidenceStopped ? { confidenceStop: true } : {}),
      });
      if (aborted) throw new RunCancelledError();
      return this.node(nodeId);
    } catch (error) {
      if (error instanceof RunCancelledError) throw error;
      const cancelled = this.signal.aborted;
      this.emit({
        type: "node-completed",
        at: Date.now(),
        nodeId,
        text: this.node(nodeId).text,
        ...(this.node(nodeId).thought ? { thought: this.node(nodeId).thought } : {}),
        answer: null,
        tokensIn: 0,
        tokensOut: 0,
        wallMs: Math.round(performance.now() - started),
        status: cancelled ? "aborted" : "failed",
        ...(cancelled ? {} : { error: (error as Error).message }),
      });
      throw cancelled ? new RunCancelledError() : new GenerationError(nodeId, error);
    }
  }

  /** Why a node's generation ended ("stop": at one of its stop strings); undefined for nodes no model wrote. */
  stopReasonOf(nodeId: string): StopReason | undefined {
    return this.stopReasons.get(nodeId);
  }

  /** Marks a branch a search dropped: the view draws it faded, the reason says why. */
  prune(nodeId: string, reason: string): void {
    this.emit({ type: "node-pruned", at: Date.now(), nodeId, reason });
  }

  /** A node computed by the engine (vote, selection): no model, no tokens. */
  addComputedNode(options: { role: NodeRole; step: string; iteration: number; parents: string[]; text: string; answer: string | null }): RunNode {
    const nodeId = this.nextNodeId();
    const at = Date.now();
    this.emit({ type: "node-added", at, nodeId, parents: options.parents, role: options.role, step: options.step, iteration: options.iteration, model: null });
    this.emit({ type: "node-completed", at, nodeId, text: options.text, answer: options.answer, tokensIn: 0, tokensOut: 0, wallMs: 0, status: "done" });
    return this.node(nodeId);
  }

  setScore(nodeId: string, score: Score): void {
    this.emit({ type: "score-set", at: Date.now(), nodeId, score });
  }

  // ---- primitives -------------------------------------------------------------------------------------------

  /**
   * In a pipeline, the next strategy starts from the previous one's answer: its first draft() returns that node
   * instead of generating a new one.
   */
  seedNextDraft(nodeId: string | null): void {
    this.seed = nodeId;
  }

  /** The previous pipeline stage's answer, once; strategies with a first prompt of their own (code) start from it. */
  takeSeededDraft(): RunNode | null {
    if (!this.seed) return null;
    const seeded = this.node(this.seed);
    this.seed = null;
    return seeded;
  }

  /** generate: a fresh solution of the task. */
  async draft(options: {
    step?: string;
    iteration?: number;
    lane: string;
    temperature?: number;
    /** The procedure requires this temperature (a greedy draft): a matched sampling policy keeps it. */
    temperatureRequired?: boolean;
    parents?: string[];
    /** Record per-token confidence on the node (a tie-break by confidence reads it). */
    confidence?: boolean;
  }): Promise<RunNode> {
    const seeded = this.takeSeededDraft();
    if (seeded) return seeded;
    return this.generate({
      role: "draft",
      step: options.step ?? "draft",
      iteration: options.iteration ?? 0,
      parents: options.parents ?? [],
      model: "actor",
      messages: [
        { role: "system", content: prompts.solverSystem },
        { role: "user", content: this.task.question },
      ],
      lane: options.lane,
      temperature: options.temperature,
      ...(options.temperatureRequired ? { temperatureRequired: true } : {}),
      ...(options.confidence ? { confidence: {} } : {}),
    });
  }

  /**
   * critique: a critic judges one candidate (holistically or step by step) as constrained JSON; the verdict
   * becomes a score on the candidate. The critic is stateless: it sees only the task and this candidate.
   */
  async critique(
    candidateId: string,
    options: {
      mode: "holistic" | "stepwise";
      model?: ModelRole;
      iteration: number;
      lane: string;
      step?: string;
      /** The solution as the critic should see it, when the node holds only part of it (GLoRe's local tail). */
      solutionText?: string;
    },
  ): Promise<Critique> {
    const candidate = this.node(candidateId);
    const solution = options.solutionText ?? candidate.text;
    const steps = options.mode === "stepwise" ? splitSteps(solution) : undefined;
    const schema = steps ? stepwiseSchema(steps.length) : holisticSchema;
    const user =
      options.mode === "stepwise"
        ? fill(prompts.stepwiseCritique, { question: this.task.question, steps: steps!.map((s, i) => `Step ${i + 1}: ${s}`).join("\n") })
        : fill(prompts.holisticCritique, { question: this.task.question, solution });
    const node = await this.generate({
      role: "critique",
      step: options.step ?? (options.mode === "stepwise" ? "step-critique" : "critique"),
      iteration: options.iteration,
      parents: [candidateId],
      model: options.model ?? "critic",
      messages: [
        { role: "system", content: prompts.criticSystem },
        { role: "user", content: user },
      ],
      lane: options.lane,
      jsonSchema: schema,
      // Critiques use the critic's sampling settings even when the actor writes them (Self-Refine).
      maxTokens: this.options.sampling.critic.maxTokens,
      temperature: this.options.sampling.critic.temperature,
      extract: false,
    });
    const first = parseVerdict(node.text, options.mode === "stepwise");
    const final = this.options.sampling.critic.metaCritique ? await this.metaCritique(node, first, schema, options) : { node, verdict: first };
    this.setScore(candidateId, verdictToScore(final.verdict, final.node.id));
    return { ...final, steps };
  }

  /** SPARK's meta-critique: the critic reviews its verdict in a second turn; a readable revision replaces it. */
  private async metaCritique(
    critique: RunNode,
    first: CriticVerdict,
    schema: JsonSchema,
    options: { model?: ModelRole; iteration: number; lane: string },
  ): Promise<{ node: RunNode; verdict: CriticVerdict }> {
    const review = await this.generate({
      role: "critique",
      step: "meta-critique",
      iteration: options.iteration,
      parents: [critique.id],
      model: options.model ?? "critic",
      messages: metaCritiqueMessages(critique.prompt ?? [], critique.text),
      lane: options.lane,
      jsonSchema: schema,
      maxTokens: this.options.sampling.critic.maxTokens,
      temperature: this.options.sampling.critic.temperature,
      extract: false,
    });
    const { verdict, revised } = revisedVerdict(first, parseVerdict(review.text, schema !== holisticSchema), (v) => v.parsed);
    return revised ? { node: review, verdict } : { node: critique, verdict };
  }

  /**
   * refine: the actor revises a candidate given feedback. `conversation` is the actor's history so far
   * (ending with the candidate as the assistant turn); the refinement continues it, so its prefix is reused.
   */
  refine(options: {
    candidateId: string;
    critiqueId: string;
    conversation: ChatMessage[];
    instruction: string;
    iteration: number;
    lane: string;
    step?: string;
    /** False for code: no final answer to extract. */
    extract?: boolean;
    /** The strategy's own sampling temperature for refinements (default: the actor's). */
    temperature?: number;
  }): Promise<RunNode> {
    return this.generate({
      role: "refine",
      step: options.step ?? "refine",
      iteration: options.iteration,
      parents: [options.candidateId, options.critiqueId],
      model: "actor",
      messages: [...options.conversation, { role: "user", content: options.instruction }],
      lane: options.lane,
      extract: options.extract,
      temperature: options.temperature,
    });
  }

  /**
   * aggregate (majority with a preference): votes on answers (by answerKey); ties between answers and the winner's
   * representative follow the preference, never the candidates' order.
   */
  vote(candidateIds: string[], iteration: number, prefer: VotePreference): { voteNode: RunNode; winnerId: string; answer: string | null } {
    const groups = new Map<string, RunNode[]>();
    for (const id of candidateIds) {
      const node = this.node(id);
      const key = answerKey(this.task, node.answer);
      if (key !== null) groups.set(key, [...(groups.get(key) ?? []), node]);
    }
    const best = preferredWinner(groups, prefer);
    const shown = (key: string, nodes: RunNode[]) => (keysByLetter(this.task) ? key : nodes[0]!.answer);
    const lines = [...groups.entries()]
      .sort((a, b) => b[1].length - a[1].length)
      .map(([key, nodes]) => `${shown(key, nodes)}: ${nodes.length}/${candidateIds.length}`);
    if (best && best.tied > 1) lines.push(`${best.tied} answers tie; broken by ${prefer.label}`);
    const answer = best ? shown(best.key, [best.node]) : null;
    const voteNode = this.addVoteNode(candidateIds, iteration, lines, answer, (id) => {
      const group = answerKey(this.task, this.node(id).answer);
      return { group, votes: group === null ? 0 : (groups.get(group)?.length ?? 0) };
    });
    const fallback = [...candidateIds].map((id) => this.node(id)).sort(prefer.compare)[0]!;
    return { voteNode, winnerId: best ? best.node.id : fallback.id, answer };
  }

  /** The vote node over candidates (its text is the tally), and each candidate's share of the vote as its score. */
  addVoteNode(
    candidateIds: string[],
    iteration: number,
    lines: string[],
    answer: string | null,
    groupOf: (id: string) => { group: string | null; votes: number },
  ) {
    const voteNode = this.addComputedNode({
      role: "vote",
      step: "majority-vote",
      iteration,
      parents: candidateIds,
      text: lines.length ? lines.join("\n") : "no candidate stated an answer",
      answer,
    });
    for (const id of candidateIds) {
      const { group, votes } = groupOf(id);
      this.setScore(id, {
        value: votes / candidateIds.length,
        verdict: "unknown",
        source: "vote",
        byNodeId: voteNode.id,
        ...(group !== null ? { group } : {}),
      });
    }
    return voteNode;
  }

  feedback(critique: Critique): string {
    return feedbackText(critique.verdict, critique.steps);
  }

  /** A model call with a system and a user message: the building block of strategy-specific prompts. */
  ask(options: Omit<GenerateNodeOptions, "messages"> & { system?: string; user: string }): Promise<RunNode> {
    const { system, user, ...rest } = options;
    return this.generate({
      ...rest,
      messages: [...(system ? [{ role: "system" as const, content: system }] : []), { role: "user" as const, content: user }],
    });
  }

  /**
   * score (custom judge): a critic-role call whose constrained JSON is turned into a score on the candidate
   * (none when candidateId is null: a selector judges a pool). Strategies with their own rubric (Eigen-1's
   * aspects, GRA's reviewers) use this.
   */
  async judge<T>(
    candidateId: string | null,
    options: {
      step: string;
      iteration: number;
      model?: ModelRole;
      user: string;
      schema: JsonSchema;
      lane: string;
      toScore: (value: T | null, nodeId: string) => Score;
      parents?: string[];
    },
  ): Promise<{ node: RunNode; value: T | null; score: Score }> {
    const node = await this.ask({
      role: "critique",
      step: options.step,
      iteration: options.iteration,
      parents: options.parents ?? (candidateId ? [candidateId] : []),
      model: options.model ?? "critic",
      system: prompts.criticSystem,
      user: options.user,
      lane: options.lane,
      jsonSchema: options.schema,
      maxTokens: this.options.sampling.critic.maxTokens,
      temperature: this.options.sampling.critic.temperature,
      extract: false,
    });
    const parsed = parseJsonLoose<T>(node.text);
    const value = parsed.ok && typeof parsed.value === "object" && parsed.value !== null ? parsed.value : null;
    const score = options.toScore(value, node.id);
    if (candidateId) this.setScore(candidateId, score);
    return { node, value, score };
  }

  snapshot(iteration: number, expandedNodeId: string, stats: Record<string, { visits: number; value: number }>): void {
    this.emit({ type: "search-snapshot", at: Date.now(), iteration, expandedNodeId, stats });
  }
}
