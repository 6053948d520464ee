// The live refinement tree: layout over primary parents, extra-parent edges dashed, pan (drag) and zoom
// (wheel), collapsible subtrees, and only the nodes inside the viewport rendered. Each card subscribes to its
// own node, so a token delta re-renders one card, not the tree.
import { memo, useEffect, useMemo, useRef, useState, type PointerEvent as ReactPointerEvent } from "react";
import { ancestorsOf, latestScore, type RunNode } from "../../native/protocol/state.ts";
import { layoutRun, NODE_HEIGHT, NODE_WIDTH, visibleNodes, type TreeLayout } from "../layout/tree-layout.ts";
import { useAppState, useAppStore } from "../store/context.tsx";
import { scoreColor, ScoreBadge, StepStrip, verdictColor } from "./scores.tsx";

interface View {
  x: number;
  y: number;
  k: number;
}

export function TreeView({ runId }: { runId: string }) {
  const store = useAppStore();
  const order = useAppState((s) => s.runs[runId]?.order);
  const collapsed = useAppState((s) => s.collapsed);
  const selectedPathEnd = useAppState((s) => s.runs[runId]?.selectedNodeId ?? null);
  const layout = useMemo<TreeLayout>(() => {
    const nodes = store.getState().runs[runId]?.nodes ?? {};
    const parents = new Map(Object.values(nodes).map((n) => [n.id, n.parents] as const));
    return layoutRun(parents, order ?? [], collapsed);
  }, [order, collapsed, runId, store]);
  const selectedPath = useMemo(() => {
    const run = store.getState().runs[runId];
    return run && selectedPathEnd ? ancestorsOf(run, selectedPathEnd) : new Set<string>();
  }, [selectedPathEnd, runId, store, order]);

  const frame = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 800, height: 600 });
  const [view, setView] = useState<View>({ x: 0, y: 0, k: 1 });
  const drag = useRef<{ x: number; y: number; view: View } | null>(null);
  // Follow mode keeps the newest node in view while a run grows; panning or zooming by hand turns it off.
  const [follow, setFollow] = useState(true);
  const running = useAppState((s) => s.runs[runId]?.status === "running");

  useEffect(() => {
    setFollow(true);
    setView({ x: 0, y: 0, k: 1 });
  }, [runId]);

  useEffect(() => {
    if (!follow) return;
    const target = layout.byId.get((running ? order?.at(-1) : order?.[0]) ?? "");
    if (!target) return;
    setView((v) => {
      const left = target.x * v.k + v.x;
      const top = target.y * v.k + v.y;
      const inside = left >= 0 && top >= 0 && left + NODE_WIDTH * v.k <= size.width && top + NODE_HEIGHT * v.k <= size.height;
      if (inside) return v;
      return { k: v.k, x: size.width / 2 - (target.x + NODE_WIDTH / 2) * v.k, y: Math.min(24, size.height / 2 - (target.y + NODE_HEIGHT / 2) * v.k) };
    });
  }, [layout, follow, running, order, size]);

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
      setFollow(false);
      setView((v) => {
        const k = Math.min(2.5, Math.max(0.15, v.k * Math.exp(-event.deltaY * 0.0015)));
        return { k, x: px - ((px - v.x) * k) / v.k, y: py - ((py - v.y) * k) / v.k };
      });
    };
    element.addEventListener("wheel", onWheel, { passive: false });
    return () => element.removeEventListener("wheel", onWheel);
  }, []);

  const onPointerDown = (event: ReactPointerEvent) => {
    if ((event.target as HTMLElement).closest("[data-node-id]")) return;
    drag.current = { x: event.clientX, y: event.clientY, view };
    setFollow(false);
    (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
  };
  const onPointerMove = (event: ReactPointerEvent) => {
    const start = drag.current;
    if (!start) return;
    setView({ ...start.view, x: start.view.x + event.clientX - start.x, y: start.view.y + event.clientY - start.y });
  };
  const onPointerUp = () => {
    drag.current = null;
  };

  const visible = visibleNodes(layout, { x: -view.x / view.k, y: -view.y / view.k, width: size.width / view.k, height: size.height / view.k });
  const visibleIds = new Set(visible.map((n) => n.id));
  const edges = layout.edges.filter((e) => visibleIds.has(e.from) || visibleIds.has(e.to));

  return (
    <div className="tree-frame" ref={frame} data-testid="tree-view" onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp}>
      <div className="tree-canvas" style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.k})`, width: layout.width, height: layout.height }}>
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
        {visible.map((node) => (
          <div key={node.id} className="tree-slot" style={{ left: node.x, top: node.y, width: NODE_WIDTH, height: NODE_HEIGHT }}>
            <NodeCard runId={runId} nodeId={node.id} onPath={selectedPath.has(node.id)} hiddenChildren={node.hiddenChildren} />
          </div>
        ))}
      </div>
      <div className="tree-count" data-testid="tree-count">
        {layout.nodes.length} nodes · {visible.length} drawn
        {!follow && (
          <button type="button" className="follow" data-testid="follow" onClick={() => setFollow(true)}>
            follow
          </button>
        )}
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

const NodeCard = memo(function NodeCard({ runId, nodeId, onPath, hiddenChildren }: { runId: string; nodeId: string; onPath: boolean; hiddenChildren: number }) {
  const node = useAppState((s) => s.runs[runId]?.nodes[nodeId]) as RunNode | undefined;
  const hasChildren = useAppState((s) => (s.runs[runId]?.children[nodeId]?.length ?? 0) > 0);
  const selected = useAppState((s) => s.selectedNodeId === nodeId);
  // Replaying a search: this node's visits and Q at the chosen iteration (primitives, so cards re-render only on change).
  const searching = useAppState((s) => s.searchStep !== null);
  const searchStat = useAppState((s) => {
    const stat = s.searchStep === null ? undefined : s.runs[runId]?.snapshots[s.searchStep]?.stats[nodeId];
    return stat ? `Q ${stat.value} · n ${stat.visits}` : null;
  });
  const expanded = useAppState((s) => s.searchStep !== null && s.runs[runId]?.snapshots[s.searchStep]?.expandedNodeId === nodeId);
  const selectNode = useAppState((s) => s.selectNode);
  const toggle = useAppState((s) => s.toggleCollapsed);
  const [thoughtOpen, setThoughtOpen] = useState(false);
  if (!node) return null;
  const critic = latestScore(node, "critic");
  const vote = latestScore(node, "vote");
  const text = node.status === "running" ? node.text.slice(-180) : node.text.slice(0, 180);
  return (
    <div
      data-node-id={node.id}
      data-testid="tree-node"
      data-role={node.role}
      data-status={node.status}
      className={`node-card role-${node.role} status-${node.status} ${selected ? "selected" : ""} ${onPath ? "on-path" : ""} ${expanded ? "expanded" : ""} ${searching && !searchStat && (node.role === "draft" || node.role === "refine") ? "later" : ""}`}
      style={{ borderColor: critic ? verdictColor(critic, 10) : vote ? scoreColor(vote.value, 1) : undefined }}
      onClick={() => selectNode(node.id)}
    >
      <div className="node-head">
        <span className="node-id">{node.id}</span>
        <span className="node-role">
          {node.role}/{node.step}
        </span>
        {node.model && <span className="node-model">{node.model}</span>}
        <span className="node-iter">#{node.iteration}</span>
        {searchStat && (
          <span className="search-stat" data-testid="search-stat">
            {searchStat}
          </span>
        )}
        {critic && <ScoreBadge score={critic} scale={10} />}
        {!critic && vote && <ScoreBadge score={vote} scale={1} />}
      </div>
      {critic?.steps && critic.steps.length > 0 && <StepStrip steps={critic.steps} firstError={critic.firstErrorStep ?? null} />}
      {(node.thought || node.thoughtTokens > 0) && <ThoughtFold node={node} open={thoughtOpen} onToggle={() => setThoughtOpen((open) => !open)} />}
      {!thoughtOpen && (
        <div className="node-text" data-testid="node-text">
          {text || (node.status === "running" ? (node.thought ? "thinking…" : "…") : "")}
        </div>
      )}
      <div className="node-foot">
        {node.answer !== null && <span className="node-answer">→ {node.answer}</span>}
        {node.status !== "done" && <span className={`node-status ${node.status}`}>{node.status}</span>}
        {node.tokensOut > 0 && <span className="node-tokens">{node.tokensOut} tok</span>}
        {hasChildren && (
          <button
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
