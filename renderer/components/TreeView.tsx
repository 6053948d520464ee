// The live refinement tree: layered layout (joins below all their parents), extra-parent edges dashed (a legend
// says what each line means), pan
// (drag) and zoom (wheel), fit, a minimap, jump to a node, arrow keys between nodes, collapsible subtrees, and
// only the nodes inside the viewport rendered. Each card subscribes to its own node, so a token delta
// re-renders one card, not the tree.
import {
  memo,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent as ReactKeyboardEvent,
  type PointerEvent as ReactPointerEvent,
} from "react";
import type { NodeRole } from "../../native/protocol/events.ts";
import { ancestorsOf, latestScore, type RunNode } from "../../native/protocol/state.ts";
import { layoutRun, NODE_HEIGHT, NODE_WIDTH, visibleNodes, type TreeLayout } from "../layout/tree-layout.ts";
import { useAppState, useAppStore } from "../store/context.tsx";
import { formatReward, scoreColor, ScoreBadge, StepStrip, verdictColor } from "./scores.tsx";
import { ConfidenceStrip } from "./ConfidenceStrip.tsx";
import { LiveProgressLine } from "./tree/LiveProgress.tsx";
import { whitespaceOnlyNote } from "./tree/whitespace.ts";
import { Markdown } from "./tree/Markdown.tsx";
import { looksLikeJson } from "./tree/markdown.ts";
import { Minimap, minimapCorner } from "./tree/Minimap.tsx";
import { MAX_CARDS, nodeAt, TreeOverview } from "./tree/TreeOverview.tsx";
import { usePaced } from "./tree/use-paced.ts";
import { followFrontier, frontierIds } from "./tree/frontier.ts";
import { EdgeLegend } from "./tree/EdgeLegend.tsx";
import { isTreeKey, neighbour } from "./tree/tree-keys.ts";
import { centredOn, fitView, isInView, MAX_ZOOM, MIN_ZOOM, nodeCentre, sameView, type Size, type View, viewRect } from "./tree/viewport.ts";

/** Where follow mode keeps the first layer while a run grows. */
const FIRST_LAYER_TOP = 24;

/** Votes, selections and distills wait for all their parents; a refinement follows its candidate (its critique is its edge's label). */
const waitsForAllParents = (role: NodeRole | undefined, parents: readonly string[]) => parents.length > 1 && role !== "refine";

/** What "N nodes · M drawn" counts. */
function countTitle(nodes: number, drawn: number, overview: boolean): string {
  return (
    `${nodes} nodes laid out (a folded subtree's hidden nodes not counted); ${drawn} of them are inside the frame and drawn` +
    (overview ? ` as one overview picture (more than ${MAX_CARDS} in view)` : " as cards") +
    "; the rest are drawn when the view reaches them"
  );
}

/** One view per run: opening another run starts from its own fitted view, focus and follow mode. */
export function TreeView({ runId }: { runId: string }) {
  return <RunTree key={runId} runId={runId} />;
}

function RunTree({ runId }: { runId: string }) {
  const store = useAppStore();
  const order = useAppState((s) => s.runs[runId]?.order);
  const collapsed = useAppState((s) => s.collapsed);
  const selectedPathEnd = useAppState((s) => s.runs[runId]?.selectedNodeId ?? null);
  const selectedId = useAppState((s) => s.selectedNodeId);
  const selectNode = useAppState((s) => s.selectNode);
  const status = useAppState((s) => s.runs[runId]?.status);
  const running = status === "running";
  // While a large run streams, the layout (linear in the tree's size) is redone at a pace it can keep up with,
  // not on every batch of events; a finished run is laid out at once.
  const [layoutOrder, layoutDone] = usePaced(order, running);
  const layout = useMemo<TreeLayout>(() => {
    const started = performance.now();
    const nodes = store.getState().runs[runId]?.nodes ?? {};
    const parents = new Map((layoutOrder ?? []).map((id) => [id, nodes[id]?.parents ?? []] as const));
    const result = layoutRun(parents, layoutOrder ?? [], collapsed, (id, of) => waitsForAllParents(nodes[id]?.role, of));
    layoutDone(performance.now() - started);
    return result;
  }, [layoutOrder, collapsed, runId, store, layoutDone]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the run is read from the store; layoutOrder changes when its nodes do
  const selectedPath = useMemo(() => {
    const run = store.getState().runs[runId];
    return run && selectedPathEnd ? ancestorsOf(run, selectedPathEnd) : new Set<string>();
  }, [selectedPathEnd, runId, store, layoutOrder]);

  const frame = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState<Size | null>(null);
  const [view, setView] = useState<View>({ x: 0, y: 0, k: 1 });
  const [panning, setPanning] = useState(false);
  const drag = useRef<{ x: number; y: number; view: View } | null>(null);
  // Follow mode keeps the run's frontier (every node generating now) in view while it grows; panning or zooming by
  // hand turns it off.
  const [follow, setFollow] = useState(true);
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const fitted = useRef(false);
  // Fit mode: the whole tree stays fitted while the frame or the tree changes size (the header growing when the
  // run ends, a panel opening), until the user moves the view.
  const [fitting, setFitting] = useState(false);
  /** The user moves the view: it no longer follows the run nor stays fitted. */
  const takeOver = useCallback(() => {
    setFollow(false);
    setFitting(false);
  }, []);
  const pendingJump = useRef<string | null>(null);
  const [jumpMessage, setJumpMessage] = useState<string | null>(null);

  // A run that has ended (finished now, or opened from the history) opens with the whole tree in view.
  const settled = status === "finished" || status === "failed" || status === "cancelled";
  useEffect(() => {
    if (!settled || !size || layout.nodes.length === 0 || fitted.current) return;
    fitted.current = true;
    if (follow) setFitting(true);
  }, [settled, size, layout, follow]);

  useEffect(() => {
    if (!follow || !running || !size) return;
    const nodes = store.getState().runs[runId]?.nodes ?? {};
    const frontier = frontierIds(order ?? [], (id) => nodes[id]?.status === "running")
      .map((id) => layout.byId.get(id))
      .filter((node) => node !== undefined);
    setView((v) => followFrontier(frontier, v, size, FIRST_LAYER_TOP));
  }, [layout, follow, running, order, size, store, runId]);

  useEffect(() => {
    const element = frame.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setSize({ width: entry!.contentRect.width, height: entry!.contentRect.height }));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const element = frame.current;
    if (!element) return;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const rect = element.getBoundingClientRect();
      const px = event.clientX - rect.left;
      const py = event.clientY - rect.top;
      takeOver();
      setView((v) => {
        const k = Math.min(MAX_ZOOM, Math.max(Math.min(MIN_ZOOM, v.k), v.k * Math.exp(-event.deltaY * 0.0015)));
        return { k, x: px - ((px - v.x) * k) / v.k, y: py - ((py - v.y) * k) / v.k };
      });
    };
    element.addEventListener("wheel", onWheel, { passive: false });
    return () => element.removeEventListener("wheel", onWheel);
  }, [takeOver]);

  // Keyboard focus follows the arrow keys onto the card (rendered once it is in view); focus elsewhere (a panel's
  // resize handle, the run list's search) stays where the user put it.
  useEffect(() => {
    if (!focusedId || !frame.current?.contains(document.activeElement)) return;
    const card = frame.current.querySelector<HTMLElement>(`[data-node-id="${focusedId}"]`);
    if (card && document.activeElement !== card) card.focus({ preventScroll: true });
  });

  const frameSize = size ?? { width: 800, height: 600 };
  // Whether the view on screen is the fitted one: said on the frame, so a test waits for the fit itself, not for time.
  const fittedView = useMemo(() => (size && layout.nodes.length ? fitView(layout, size, minimapCorner(layout)) : null), [layout, size]);
  const showsFit = fittedView !== null && sameView(view, fittedView);
  // Folding or unfolding a subtree is the user's doing: the view stays where it is (nothing moves under the click),
  // and the fit mode ends; any other change of the tree's or the frame's size keeps the fit.
  const collapsedSeen = useRef(collapsed);
  useEffect(() => {
    if (collapsedSeen.current !== collapsed) {
      collapsedSeen.current = collapsed;
      setFitting(false);
      return;
    }
    if (fitting && fittedView) setView((v) => (sameView(v, fittedView) ? v : fittedView));
  }, [fitting, fittedView, collapsed]);
  // A node selected elsewhere (a parent link in the inspector) is brought into view.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new selection moves the view, not a pan or a resize.
  useEffect(() => {
    const node = selectedId ? layout.byId.get(selectedId) : undefined;
    if (!node || !size || isInView(node, view, size)) return;
    setFitting(false);
    setView((v) => centredOn(nodeCentre(node), v, size));
  }, [selectedId]);
  const showNode = (id: string, select: boolean) => {
    const node = layout.byId.get(id);
    if (!node) return;
    takeOver();
    setView((v) => (isInView(node, v, frameSize) ? v : centredOn(nodeCentre(node), v, frameSize)));
    setFocusedId(id);
    if (select) selectNode(id);
  };

  const centreAndSelect = (id: string) => {
    const node = layout.byId.get(id)!;
    takeOver();
    setView((v) => centredOn(nodeCentre(node), v, frameSize));
    setFocusedId(id);
    selectNode(id);
  };
  // A jump into a folded subtree waits for the unfolded layout.
  // biome-ignore lint/correctness/useExhaustiveDependencies: it runs when the layout changes, nothing else can complete a jump.
  useEffect(() => {
    const id = pendingJump.current;
    if (id && layout.byId.has(id)) {
      pendingJump.current = null;
      centreAndSelect(id);
    }
  }, [layout]);

  const jumpTo = (input: string) => {
    const wanted = input.trim().toLowerCase();
    const id = /^\d+$/.test(wanted) ? `n${wanted}` : wanted;
    const run = store.getState().runs[runId];
    if (!run?.nodes[id]) {
      setJumpMessage(`There is no node ${input.trim()} in this run.`);
      return;
    }
    setJumpMessage(null);
    if (layout.byId.has(id)) {
      centreAndSelect(id);
      return;
    }
    pendingJump.current = id;
    const state = store.getState();
    for (let parent = run.nodes[id]!.parents[0]; parent; parent = run.nodes[parent]?.parents[0]) if (state.collapsed[parent]) state.toggleCollapsed(parent);
  };

  const onKeyDown = (event: ReactKeyboardEvent) => {
    if ((event.target as HTMLElement).closest("input, button, textarea, select")) return;
    const from = focusedId ?? selectedId ?? order?.[0];
    if (!from) return;
    const run = store.getState().runs[runId];
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      selectNode(from);
      setFocusedId(from);
      return;
    }
    if (!isTreeKey(event.key) || !run) return;
    event.preventDefault();
    const start = layout.byId.has(from) ? from : order?.[0];
    if (!start) return;
    const next =
      focusedId === null && selectedId === null
        ? start
        : neighbour(
            layout,
            (id) => run.nodes[id]?.parents ?? [],
            (id) => run.children[id] ?? [],
            start,
            event.key,
          );
    if (next) showNode(next, false);
  };

  const interactive = (target: EventTarget) => (target as HTMLElement).closest("[data-node-id], button, input, .tree-minimap");
  const onPointerDown = (event: ReactPointerEvent) => {
    if (interactive(event.target)) return;
    drag.current = { x: event.clientX, y: event.clientY, view };
    setPanning(true);
    takeOver();
    window.getSelection()?.removeAllRanges();
    (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
  };
  const onPointerMove = (event: ReactPointerEvent) => {
    const start = drag.current;
    if (!start) return;
    setView({ ...start.view, x: start.view.x + event.clientX - start.x, y: start.view.y + event.clientY - start.y });
  };
  const onPointerUp = (event: ReactPointerEvent) => {
    const start = drag.current;
    drag.current = null;
    setPanning(false);
    // In the overview a press that did not move is a click on whatever node is drawn there.
    if (!start || !overview || Math.hypot(event.clientX - start.x, event.clientY - start.y) > 4) return;
    const rect = frame.current!.getBoundingClientRect();
    const hit = nodeAt(visible, view, { x: event.clientX - rect.left, y: event.clientY - rect.top });
    if (hit) {
      setFocusedId(hit.id);
      selectNode(hit.id);
    }
  };

  const visible = visibleNodes(layout, viewRect(view, frameSize));
  const overview = visible.length > MAX_CARDS;
  const firstNode = layout.byId.get(order?.[0] ?? "");
  const visibleIds = new Set(visible.map((n) => n.id));
  const edges = overview ? [] : layout.edges.filter((e) => visibleIds.has(e.from) || visibleIds.has(e.to));

  return (
    <div className="tree-view">
      <div className="tree-toolbar" data-testid="tree-toolbar">
        <span className="tree-count" data-testid="tree-count" title={countTitle(layout.nodes.length, visible.length, overview)}>
          {layout.nodes.length} nodes · {visible.length} drawn{overview ? " (overview: zoom in for the cards)" : ""}
        </span>
        <EdgeLegend />
        <button
          type="button"
          data-testid="tree-fit"
          title="Show the whole tree"
          onClick={() => {
            setFollow(false);
            setFitting(true);
            setView(fitView(layout, frameSize, minimapCorner(layout)));
          }}
        >
          fit
        </button>
        {running && !follow && (
          <button type="button" className="follow" data-testid="follow" onClick={() => setFollow(true)}>
            follow
          </button>
        )}
        <form
          className="tree-jump"
          onSubmit={(event) => {
            event.preventDefault();
            const input = event.currentTarget.elements.namedItem("node") as HTMLInputElement;
            jumpTo(input.value);
          }}
        >
          <label>
            jump to node <input name="node" data-testid="tree-jump" placeholder="n12" size={6} onChange={() => setJumpMessage(null)} />
          </label>
        </form>
        {jumpMessage && (
          <span className="tree-jump-message" data-testid="tree-jump-message" role="status">
            {jumpMessage}
          </span>
        )}
      </div>
      <div
        className={`tree-frame ${panning ? "panning" : ""}`}
        ref={frame}
        data-testid="tree-view"
        data-run-id={runId}
        data-fitted={showsFit}
        role="tree"
        aria-label="Run tree: arrow keys move between nodes, Enter opens one"
        tabIndex={0}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onMouseDown={(event) => {
          // Starting a text selection is the browser's default for a press on the background: a drag pans instead.
          if (!interactive(event.target)) {
            event.preventDefault();
            frame.current?.focus({ preventScroll: true });
          }
        }}
        onKeyDown={onKeyDown}
      >
        <div
          className="tree-canvas"
          data-first-node={firstNode ? `${firstNode.x},${firstNode.y}` : undefined}
          style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.k})`, width: layout.width, height: layout.height }}
        >
          <svg className="tree-edges" width={layout.width} height={layout.height}>
            {edges.map((edge) => {
              const from = layout.byId.get(edge.from)!;
              const to = layout.byId.get(edge.to)!;
              const x1 = from.x + NODE_WIDTH / 2;
              const y1 = from.y + NODE_HEIGHT;
              const x2 = to.x + NODE_WIDTH / 2;
              const y2 = to.y;
              const onPath = selectedPath.has(edge.from) && selectedPath.has(edge.to);
              return (
                <g key={`${edge.from}-${edge.to}`}>
                  <path
                    d={`M${x1},${y1} C${x1},${(y1 + y2) / 2} ${x2},${(y1 + y2) / 2} ${x2},${y2}`}
                    className={`edge ${edge.primary ? "primary" : "extra"} ${onPath ? "on-path" : ""}`}
                  />
                  {edge.primary && <EdgeLabel runId={runId} childId={edge.to} x={(x1 + x2) / 2} y={(y1 + y2) / 2} />}
                </g>
              );
            })}
          </svg>
          {!overview &&
            visible.map((node) => (
              <div key={node.id} className="tree-slot" style={{ left: node.x, top: node.y, width: NODE_WIDTH, height: NODE_HEIGHT }}>
                <NodeCard
                  runId={runId}
                  nodeId={node.id}
                  onPath={selectedPath.has(node.id)}
                  hiddenChildren={node.hiddenChildren}
                  focused={node.id === focusedId}
                  onFocusCard={setFocusedId}
                />
              </div>
            ))}
        </div>
        {overview && (
          <TreeOverview layout={layout} nodes={visible} view={view} size={frameSize} run={() => store.getState().runs[runId]} selectedId={selectedId} />
        )}
        <Minimap
          layout={layout}
          view={view}
          size={frameSize}
          selectedId={selectedId}
          onCentre={(point) => {
            takeOver();
            setView((v) => centredOn(point, v, frameSize));
          }}
        />
      </div>
    </div>
  );
}

/** On the edge into a revision: the critique that led to it, with its score. */
function EdgeLabel({ runId, childId, x, y }: { runId: string; childId: string; x: number; y: number }) {
  const label = useAppState((s) => {
    const run = s.runs[runId];
    const child = run?.nodes[childId];
    if (!run || !child || child.role !== "refine" || child.parents.length < 2) return null;
    const critique = run.nodes[child.parents[1]!];
    const candidate = run.nodes[child.parents[0]!];
    const score = candidate?.scores.find((sc) => sc.byNodeId === critique?.id);
    if (!critique || !score) return "feedback";
    return `feedback ${score.value === null ? score.verdict : `${score.value}/10`}${score.firstErrorStep != null ? ` · step ${score.firstErrorStep + 1}` : ""}`;
  });
  if (!label) return null;
  return (
    <text x={x} y={y} className="edge-label" textAnchor="middle">
      {label}
    </text>
  );
}

/** A node's thinking, folded to one line with its length; open, it takes the card's text area. */
function ThoughtFold({ node, open, onToggle }: { node: RunNode; open: boolean; onToggle: () => void }) {
  const tokens = node.thoughtTokens > 0 ? `${node.thoughtTokens} tok` : `${node.thought.length} chars`;
  return (
    <div className={`node-thought ${open ? "open" : "folded"}`} data-testid="node-thought" data-open={open ? "true" : "false"}>
      <button
        type="button"
        className="thought-toggle"
        data-testid="thought-toggle"
        onClick={(event) => {
          event.stopPropagation();
          onToggle();
        }}
      >
        {open ? "▾" : "▸"} thought · {tokens}
        {node.thoughtCut ? " · budget reached" : ""}
      </button>
      {open && (
        <div className="thought-text" data-testid="node-thought-text">
          {node.thought}
        </div>
      )}
    </div>
  );
}

const NodeCard = memo(function NodeCard({
  runId,
  nodeId,
  onPath,
  hiddenChildren,
  focused,
  onFocusCard,
}: {
  runId: string;
  nodeId: string;
  onPath: boolean;
  hiddenChildren: number;
  focused: boolean;
  onFocusCard: (id: string) => void;
}) {
  const node = useAppState((s) => s.runs[runId]?.nodes[nodeId]) as RunNode | undefined;
  const hasChildren = useAppState((s) => (s.runs[runId]?.children[nodeId]?.length ?? 0) > 0);
  const selected = useAppState((s) => s.selectedNodeId === nodeId);
  // Replaying a search: this node's visits and Q at the chosen iteration (primitives, so cards re-render only on change).
  const searchIteration = useAppState((s) => (s.searchStep === null ? null : (s.runs[runId]?.snapshots[s.searchStep]?.iteration ?? null)));
  const searchStat = useAppState((s) => {
    const stat = s.searchStep === null ? undefined : s.runs[runId]?.snapshots[s.searchStep]?.stats[nodeId];
    return stat ? `Q ${formatReward(stat.value)} · n ${stat.visits}` : null;
  });
  const expanded = useAppState((s) => s.searchStep !== null && s.runs[runId]?.snapshots[s.searchStep]?.expandedNodeId === nodeId);
  const selectNode = useAppState((s) => s.selectNode);
  const toggle = useAppState((s) => s.toggleCollapsed);
  const [thoughtOpen, setThoughtOpen] = useState(false);
  if (!node) return null;
  const critic = latestScore(node, "critic");
  const vote = latestScore(node, "vote");
  // At a replayed iteration, what the search had not written yet is dimmed: answers it had not scored, and every
  // node (critique, refinement, the final selection) of a later iteration.
  const later = searchIteration !== null && (node.iteration > searchIteration || (!searchStat && (node.role === "draft" || node.role === "refine")));
  const running = node.status === "running";
  const text = running ? node.text.slice(-180) : node.text.slice(0, 180);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the tree (role="tree") takes the keys for all its items.
    <div
      data-node-id={node.id}
      data-testid="tree-node"
      role="treeitem"
      aria-selected={selected}
      data-role={node.role}
      data-status={node.status}
      title={node.pruned ? `pruned: ${node.pruned}` : undefined}
      tabIndex={focused ? 0 : -1}
      className={`node-card role-${node.role} status-${node.status} ${selected ? "selected" : ""} ${focused ? "focused" : ""} ${onPath ? "on-path" : ""} ${expanded ? "expanded" : ""} ${later ? "later" : ""} ${node.pruned ? "pruned" : ""}`}
      style={{ borderColor: critic ? verdictColor(critic, 10) : vote ? scoreColor(vote.value, 1) : undefined }}
      onClick={() => {
        selectNode(node.id);
        onFocusCard(node.id);
      }}
    >
      {searchStat && (
        <span className="search-stat" data-testid="search-stat">
          {searchStat}
        </span>
      )}
      <div className="node-head">
        <span className="node-id">{node.id}</span>
        <span className="node-role">
          {node.role}/{node.step}
        </span>
        {node.model && <span className="node-model">{node.model}</span>}
        <span className="node-iter">#{node.iteration}</span>
        {critic && <ScoreBadge score={critic} scale={10} />}
        {!critic && vote && <ScoreBadge score={vote} scale={1} />}
      </div>
      {critic?.steps && critic.steps.length > 0 && <StepStrip steps={critic.steps} firstError={critic.firstErrorStep ?? null} />}
      {node.confidence && <ConfidenceStrip encoded={node.confidence} bins={48} />}
      {(node.thought || node.thoughtTokens > 0) && <ThoughtFold node={node} open={thoughtOpen} onToggle={() => setThoughtOpen((open) => !open)} />}
      {!thoughtOpen &&
        (running || !text.trim() || looksLikeJson(text) ? (
          <div className="node-text" data-testid="node-text">
            {text.trim() || (running ? (node.thought ? "thinking…" : "…") : (whitespaceOnlyNote(node) ?? ""))}
          </div>
        ) : (
          <Markdown text={text} className="node-text" testId="node-text" />
        ))}
      <div className="node-foot">
        {node.answer !== null && <span className="node-answer">→ {node.answer}</span>}
        {node.status !== "done" && <span className={`node-status ${node.status}`}>{node.status}</span>}
        {running ? <LiveProgressLine node={node} testId="node-live" /> : node.tokensOut > 0 && <span className="node-tokens">{node.tokensOut} tok</span>}
        {hasChildren && (
          <button
            type="button"
            className="collapse"
            data-testid="collapse-toggle"
            onClick={(event) => {
              event.stopPropagation();
              toggle(node.id);
            }}
          >
            {hiddenChildren > 0 ? `+${hiddenChildren}` : "−"}
          </button>
        )}
      </div>
    </div>
  );
});
