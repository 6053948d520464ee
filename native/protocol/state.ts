// The one run state: a pure fold over RunEvents. The engine, the CLI, the tests and the renderer all build
// their view of a run with this function and keep no other copy.
import type { EffectiveSampling } from "./sampling-policy.ts";
import type { StopReason } from "./stop-reason.ts";
import type {
  AnswerFallback,
  Budgets,
  ChatMessage,
  ModelDescriptor,
  ModelRole,
  NodeRole,
  NodeStatus,
  RunEvent,
  RunFailureCode,
  Score,
  Task,
} from "./events.ts";

export interface RunNode {
  id: string;
  parents: string[];
  role: NodeRole;
  step: string;
  iteration: number;
  model: ModelRole | null;
  prompt?: ChatMessage[];
  /** The answer's text; the thought is apart. */
  text: string;
  /** The thought as it streamed or as recorded ("" when the model did not think). */
  thought: string;
  answer: string | null;
  /** Set when `answer` is a fallback guess, not a stated answer (see node-completed). */
  answerFallback?: AnswerFallback;
  status: NodeStatus;
  tokensIn: number;
  tokensOut: number;
  thoughtTokens: number;
  /** null when the log did not record it (older logs): the whole prompt then counts as evaluated. */
  tokensEvaluated: number | null;
  tokensReused: number;
  thoughtCut?: boolean;
  answerCut?: boolean;
  wallMs: number;
  /** When the node was added (ms since the epoch; it may wait for its model before the first token). */
  addedAt?: number;
  /** Tokens streamed so far while it runs (node-completed's counts are the exact ones). */
  streamedTokens?: number;
  /** When its first token came: the live tokens per second count from there. */
  firstTokenAt?: number;
  error?: string;
  cached?: boolean;
  warning?: string;
  /** Per-token confidence, base64 bytes (see node-completed). */
  confidence?: string;
  confidenceStop?: boolean;
  scores: Score[];
  /** Why a search dropped this branch (beam search, DVTS); absent for nodes still in play. */
  pruned?: string;
}

/** "cancelled": the user stopped it (a run-failed with code "cancelled"); not a failure of the run. */
export type RunStatus = "empty" | "running" | "finished" | "failed" | "cancelled";

export interface RunState {
  status: RunStatus;
  runId: string | null;
  strategy: string | null;
  params: Record<string, unknown>;
  models: { actor: ModelDescriptor; critic: ModelDescriptor } | null;
  seed: number | null;
  task: Task | null;
  startedAt: number | null;
  endedAt: number | null;
  nodes: Record<string, RunNode>;
  /** Node ids in the order they were added. */
  order: string[];
  children: Record<string, string[]>;
  selectedNodeId: string | null;
  answer: string | null;
  correct: boolean | null;
  budgets: Budgets | null;
  /** Why the run stopped, once it finished (null before, after a failure, or in logs written before it was kept). */
  stopReason: StopReason | null;
  /** The sampling the run's generations used, once it finished (null before, or in older logs). */
  sampling: EffectiveSampling | null;
  failure: { reason: string; code: RunFailureCode } | null;
  snapshots: Array<{ iteration: number; expandedNodeId: string; stats: Record<string, { visits: number; value: number }> }>;
}

export const emptyRunState: RunState = Object.freeze({
  status: "empty",
  runId: null,
  strategy: null,
  params: {},
  models: null,
  seed: null,
  task: null,
  startedAt: null,
  endedAt: null,
  nodes: {},
  order: [],
  children: {},
  selectedNodeId: null,
  answer: null,
  correct: null,
  budgets: null,
  stopReason: null,
  sampling: null,
  failure: null,
  snapshots: [],
}) as RunState;

type NodeAdded = Extract<RunEvent, { type: "node-added" }>;
/** The events that change one existing node and nothing else. */
type NodeEvent = Extract<RunEvent, { type: "token-delta" | "node-completed" | "score-set" | "node-pruned" }>;

function addedNode(event: NodeAdded): RunNode {
  return {
    id: event.nodeId,
    parents: event.parents,
    role: event.role,
    step: event.step,
    iteration: event.iteration,
    model: event.model,
    prompt: event.prompt,
    text: "",
    thought: "",
    answer: null,
    status: "running",
    tokensIn: 0,
    tokensOut: 0,
    thoughtTokens: 0,
    tokensEvaluated: null,
    tokensReused: 0,
    wallMs: 0,
    addedAt: event.at,
    scores: [],
  };
}

function updatedNode(node: RunNode, event: NodeEvent): RunNode {
  switch (event.type) {
    case "token-delta": {
      const counted = {
        streamedTokens: (node.streamedTokens ?? 0) + (event.tokens ?? 1),
        ...(node.firstTokenAt === undefined && event.at !== undefined ? { firstTokenAt: event.at } : {}),
      };
      return event.segment === "thought" ? { ...node, ...counted, thought: node.thought + event.text } : { ...node, ...counted, text: node.text + event.text };
    }
    case "node-completed": {
      // The streamed count was a live estimate: the completed node carries the exact one, and matches its replay.
      const { streamedTokens: _streamed, firstTokenAt: _first, ...settled } = node;
      return {
        ...settled,
        text: event.text,
        answer: event.answer,
        ...(event.answerFallback ? { answerFallback: event.answerFallback } : {}),
        status: event.status,
        tokensIn: event.tokensIn,
        tokensOut: event.tokensOut,
        thought: event.thought ?? node.thought,
        thoughtTokens: event.thoughtTokens ?? 0,
        tokensEvaluated: event.tokensEvaluated ?? null,
        tokensReused: event.tokensReused ?? 0,
        ...(event.thoughtCut ? { thoughtCut: true } : {}),
        ...(event.answerCut ? { answerCut: true } : {}),
        wallMs: event.wallMs,
        ...(event.error !== undefined ? { error: event.error } : {}),
        ...(event.cached ? { cached: true } : {}),
        ...(event.warning ? { warning: event.warning } : {}),
        ...(event.confidence ? { confidence: event.confidence } : {}),
        ...(event.confidenceStop ? { confidenceStop: true } : {}),
      };
    }
    case "score-set":
      return { ...node, scores: [...node.scores, event.score] };
    case "node-pruned":
      return { ...node, pruned: event.reason };
  }
}

function isNodeEvent(event: RunEvent): event is NodeEvent {
  return event.type === "token-delta" || event.type === "node-completed" || event.type === "score-set" || event.type === "node-pruned";
}

/**
 * Adds a node into collections the caller owns (copies made for this event or this batch). Events for a node
 * already present are ignored, as are events for unknown nodes below, rather than corrupting the state.
 */
function addNodeInto(nodes: Record<string, RunNode>, order: string[], children: Record<string, string[]>, event: NodeAdded): void {
  nodes[event.nodeId] = addedNode(event);
  order.push(event.nodeId);
  for (const parent of event.parents) children[parent] = [...(children[parent] ?? []), event.nodeId];
}

export function applyRunEvent(state: RunState, event: RunEvent): RunState {
  if (isNodeEvent(event)) {
    const node = state.nodes[event.nodeId];
    return node ? { ...state, nodes: { ...state.nodes, [event.nodeId]: updatedNode(node, event) } } : state;
  }
  switch (event.type) {
    case "run-started":
      return {
        ...emptyRunState,
        status: "running",
        runId: event.runId,
        strategy: event.strategy,
        params: event.params,
        models: event.models,
        seed: event.seed,
        task: event.task,
        startedAt: event.at,
      };
    case "node-added": {
      if (state.nodes[event.nodeId]) return state;
      const next = { ...state, nodes: { ...state.nodes }, order: [...state.order], children: { ...state.children } };
      addNodeInto(next.nodes, next.order, next.children, event);
      return next;
    }
    case "run-finished":
      return {
        ...state,
        status: "finished",
        endedAt: event.at,
        selectedNodeId: event.selectedNodeId,
        answer: event.answer,
        correct: event.correct,
        budgets: event.budgets,
        stopReason: event.stopReason ?? null,
        sampling: event.sampling ?? null,
      };
    case "search-snapshot":
      return { ...state, snapshots: [...state.snapshots, { iteration: event.iteration, expandedNodeId: event.expandedNodeId, stats: event.stats }] };
    case "run-failed":
      return {
        ...state,
        status: event.code === "cancelled" ? "cancelled" : "failed",
        endedAt: event.at,
        failure: { reason: event.reason, code: event.code },
        // A node still running when the run ended will never complete.
        nodes: Object.fromEntries(
          Object.entries(state.nodes).map(([id, node]) => [id, node.status === "running" ? { ...node, status: "aborted" as const } : node]),
        ),
      };
  }
}

/**
 * Folds a batch of events: the same result as applying them one by one with applyRunEvent, but the node map (and,
 * when nodes are added, the order and the children) are copied once per stretch of node events instead of once per event, so streaming E
 * events into a run of N nodes costs O(N + E), not O(N × E) (a 10,000-node run: seconds of copying otherwise).
 * Nodes an event does not touch keep their identity, so views memoised per node still skip them.
 */
export function foldRunEvents(events: Iterable<RunEvent>, initial: RunState = emptyRunState): RunState {
  let state = initial;
  // What this batch has copied and may change in place: the node map, and the tree's shape (order, children),
  // which only new nodes change, so a batch of streamed tokens leaves the shape (and the layout built on it) as is.
  let ownsNodes = false;
  let ownsShape = false;
  for (const event of events) {
    const adding = event.type === "node-added";
    if (!adding && !isNodeEvent(event)) {
      state = applyRunEvent(state, event);
      ownsNodes = ownsShape = false;
      continue;
    }
    if (adding ? state.nodes[event.nodeId] !== undefined : state.nodes[event.nodeId] === undefined) continue;
    if (!ownsNodes || (adding && !ownsShape)) {
      state = {
        ...state,
        ...(ownsNodes ? {} : { nodes: { ...state.nodes } }),
        ...(adding && !ownsShape ? { order: [...state.order], children: { ...state.children } } : {}),
      };
      ownsNodes = true;
      ownsShape ||= adding;
    }
    if (adding) addNodeInto(state.nodes, state.order, state.children, event);
    else state.nodes[event.nodeId] = updatedNode(state.nodes[event.nodeId]!, event);
  }
  return state;
}

/** The node and all nodes it descends from, through every parent. */
export function ancestorsOf(state: RunState, nodeId: string): Set<string> {
  const seen = new Set<string>();
  const stack = [nodeId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const parent of state.nodes[id]?.parents ?? []) stack.push(parent);
  }
  return seen;
}

/**
 * What a node cost: the prompt tokens it had to evaluate plus what it generated. A turn that extends an earlier
 * conversation on the same sequence reuses that prefix, so history-carrying strategies are not charged twice.
 */
/** Roles whose nodes are candidate answers of the actor: a draft, a revision, a distillate. */
export const CANDIDATE_ROLES: ReadonlySet<string> = new Set(["draft", "refine", "distill"]);

/** The actor's candidates a run completed (its first draft, then each revision or distillate). */
export function candidateCount(state: Pick<RunState, "nodes">): number {
  let count = 0;
  for (const node of Object.values(state.nodes)) if (CANDIDATE_ROLES.has(node.role) && node.status === "done" && node.model === "actor") count++;
  return count;
}

export function nodeCost(node: RunNode): number {
  return (node.tokensEvaluated ?? node.tokensIn) + node.tokensOut;
}

export function computeBudgets(state: RunState, selectedNodeId: string): Budgets {
  const tokens = (id: string) => {
    const node = state.nodes[id];
    return node ? nodeCost(node) : 0;
  };
  const critical = new Map<string, number>();
  const pathTokens = (id: string): number => {
    const known = critical.get(id);
    if (known !== undefined) return known;
    const value = tokens(id) + Math.max(0, ...(state.nodes[id]?.parents ?? []).map(pathTokens));
    critical.set(id, value);
    return value;
  };
  const selectedPathTokens = pathTokens(selectedNodeId);
  let totalTokens = 0;
  const parts = { promptTokensEvaluated: 0, promptTokensReused: 0, thoughtTokens: 0, answerTokens: 0 };
  for (const id of state.order) {
    const node = state.nodes[id]!;
    totalTokens += nodeCost(node);
    parts.promptTokensEvaluated += node.tokensEvaluated ?? node.tokensIn;
    parts.promptTokensReused += node.tokensReused;
    parts.thoughtTokens += node.thoughtTokens;
    parts.answerTokens += node.tokensOut - node.thoughtTokens;
  }
  return { selectedPathTokens, totalTokens, ...parts };
}

/** The latest score a node received from the given source (or any source). */
export function latestScore(node: RunNode, source?: Score["source"]): Score | undefined {
  for (let i = node.scores.length - 1; i >= 0; i--) {
    const score = node.scores[i]!;
    if (!source || score.source === source) return score;
  }
  return undefined;
}

/**
 * Who gave a score, as the user knows them: the model that wrote the critique (Self-Refine's feedback is the
 * actor's own when feedbackModel is "actor"), else the score's source ("vote", "verifier").
 */
export function scoreAuthor(state: RunState, score: Score): string {
  const by = score.byNodeId ? state.nodes[score.byNodeId] : undefined;
  return by?.model ?? score.source;
}
