// The live refinement tree: layered layout (joins below all their parents), extra-parent edges dashed (a legend
// says what each line means), pan
// (drag) and zoom (wheel), fit, a minimap, jump to a node, arrow keys between nodes, collapsible subtrees, and
// only the nodes inside the viewport rendered. Each card subscribes to its own node, so a token delta
// re-renders one card, not the tree.
import { memo, useMemo, useState } from "react";
import type { NodeRole } from "../../native/protocol/events.ts";
import { ancestorsOf, latestScore, type RunNode } from "../../native/protocol/state.ts";
import { layoutRun, NODE_HEIGHT, NODE_WIDTH, type TreeLayout } from "../layout/tree-layout.ts";
import { useAppState, useAppStore } from "../store/context.tsx";
import { formatReward, scoreColor, ScoreBadge, StepStrip, verdictColor } from "./scores.tsx";
import { ConfidenceStrip } from "./ConfidenceStrip.tsx";
import { LiveProgressLine } from "./tree/LiveProgress.tsx";
import { whitespaceOnlyNote } from "./tree/whitespace.ts";
import { Markdown } from "./tree/Markdown.tsx";
import { looksLikeJson } from "./tree/markdown.ts";
import { Minimap } from "./tree/Minimap.tsx";
import { MAX_CARDS, TreeOverview } from "./tree/TreeOverview.tsx";
import { usePaced } from "./tree/use-paced.ts";
import { EdgeLegend } from "./tree/EdgeLegend.tsx";
import { JumpToNode } from "./tree/JumpToNode.tsx";
import { useViewport } from "./tree/use-viewport.ts";

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
  const running = useAppState((s) => s.runs[runId]?.status === "running");
  // While a large run streams, the layout (linear in the tree's size) is redone at a pace it can keep up with,
  // not on every batch of events; a finished run is laid out at once.
  const [layoutOrder, layoutDone] = usePaced(order, running);
  // The run as laid out: the selected path is read from the same nodes the layout placed.
  const { layout, laidOutRun } = useMemo(() => {
    const started = performance.now();
    const run = store.getState().runs[runId];
    const nodes = run?.nodes ?? {};
    const parents = new Map((layoutOrder ?? []).map((id) => [id, nodes[id]?.parents ?? []] as const));
    const layout: TreeLayout = layoutRun(parents, layoutOrder ?? [], collapsed, (id, of) => waitsForAllParents(nodes[id]?.role, of));
    layoutDone(performance.now() - started);
    return { layout, laidOutRun: run };
  }, [layoutOrder, collapsed, runId, store, layoutDone]);
  const selectedPath = useMemo(
    () => (laidOutRun && selectedPathEnd ? ancestorsOf(laidOutRun, selectedPathEnd) : new Set<string>()),
    [laidOutRun, selectedPathEnd],
  );
  const viewport = useViewport({ runId, layout, collapsed, order });
  const { view, size, visible, overview } = viewport;

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
        <button type="button" data-testid="tree-fit" title="Show the whole tree" onClick={viewport.fit}>
          fit
        </button>
        {running && !viewport.follow && (
          <button type="button" className="follow" data-testid="follow" onClick={viewport.followRun}>
            follow
          </button>
        )}
        <JumpToNode has={(id) => store.getState().runs[runId]?.nodes[id] !== undefined} onJump={viewport.jumpTo} />
      </div>
      <div
        className={`tree-frame ${viewport.panning ? "panning" : ""}`}
        ref={viewport.frame}
        data-testid="tree-view"
        data-run-id={runId}
        data-fitted={viewport.showsFit}
        role="tree"
        aria-label="Run tree: arrow keys move between nodes, Enter opens one"
        tabIndex={0}
        {...viewport.frameHandlers}
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
                  focused={node.id === viewport.focusedId}
                  onFocusCard={viewport.focus}
                />
              </div>
            ))}
        </div>
        {overview && <TreeOverview layout={layout} nodes={visible} view={view} size={size} run={() => store.getState().runs[runId]} selectedId={selectedId} />}
        <Minimap layout={layout} view={view} size={size} selectedId={selectedId} onCentre={viewport.centre} />
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
