// A tree too large to draw as cards where it stands (a fitted run of thousands of nodes): every node in view as a
// coloured box with its confidence strip (overview-confidence.ts) and every edge as a line, painted on one canvas in
// the frame's pixels. Thousands of cards would be thousands of React components and store subscriptions, each too
// small to read; a canvas repaints them all in a few milliseconds. A click selects the node under the pointer (the
// frame hit-tests it with nodeAt: the frame holds the pointer while it pans); zooming in past the overview brings
// the cards back.
import { useEffect, useRef } from "react";
import type { RunState } from "../../../native/protocol/state.ts";
import { latestScore } from "../../../native/protocol/state.ts";
import { NODE_HEIGHT, NODE_WIDTH, type LaidOutNode, type TreeLayout } from "../../layout/tree-layout.ts";
import { scoreColor, verdictColor } from "../scores.tsx";
import { paintConfidenceStrip } from "./overview-confidence.ts";
import type { Size, View } from "./viewport.ts";

/** More nodes than this in view and the tree is drawn as an overview rather than as cards. */
export const MAX_CARDS = 300;

const STATUS_FILL: Record<string, string> = { running: "#2f6fde", failed: "#c0392b", aborted: "#8a8f98", cancelled: "#8a8f98" };

function fillOf(run: RunState | undefined, id: string): string {
  const node = run?.nodes[id];
  if (!node) return "#c8ced8";
  const status = STATUS_FILL[node.status];
  if (status) return status;
  const critic = latestScore(node, "critic");
  // As the cards: the verdict first, then the score.
  if (critic) return verdictColor(critic, 10);
  const vote = latestScore(node, "vote");
  if (vote) return scoreColor(vote.value, 1);
  return node.role === "critique" ? "#b9c0cc" : "#d5dae2";
}

/** The node drawn under a point of the frame (frame pixels), if any. */
export function nodeAt(nodes: readonly LaidOutNode[], view: View, point: { x: number; y: number }): LaidOutNode | undefined {
  const x = (point.x - view.x) / view.k;
  const y = (point.y - view.y) / view.k;
  return nodes.find((n) => x >= n.x && x <= n.x + NODE_WIDTH && y >= n.y && y <= n.y + NODE_HEIGHT);
}

export function TreeOverview({
  layout,
  nodes,
  view,
  size,
  run,
  selectedId,
}: {
  layout: TreeLayout;
  nodes: readonly LaidOutNode[];
  view: View;
  size: Size;
  /** Read when painting: the overview follows the layout's pace, not every token. */
  run: () => RunState | undefined;
  selectedId: string | null;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext("2d");
    if (!element || !context) return;
    const ratio = window.devicePixelRatio || 1;
    element.width = Math.round(size.width * ratio);
    element.height = Math.round(size.height * ratio);
    context.setTransform(ratio * view.k, 0, 0, ratio * view.k, ratio * view.x, ratio * view.y);
    context.clearRect(-view.x / view.k, -view.y / view.k, size.width / view.k, size.height / view.k);
    const drawn = new Set(nodes.map((n) => n.id));
    context.beginPath();
    for (const edge of layout.edges) {
      if (!drawn.has(edge.from) && !drawn.has(edge.to)) continue;
      const from = layout.byId.get(edge.from)!;
      const to = layout.byId.get(edge.to)!;
      context.moveTo(from.x + NODE_WIDTH / 2, from.y + NODE_HEIGHT);
      context.lineTo(to.x + NODE_WIDTH / 2, to.y);
    }
    context.strokeStyle = "#9aa3b2";
    context.lineWidth = 1 / view.k;
    context.stroke();
    const state = run();
    for (const node of nodes) {
      context.fillStyle = fillOf(state, node.id);
      context.fillRect(node.x, node.y, NODE_WIDTH, NODE_HEIGHT);
      const data = state?.nodes[node.id];
      if (data) paintConfidenceStrip(context, node, data, view.k);
    }
    const selected = selectedId ? layout.byId.get(selectedId) : undefined;
    if (selected) {
      context.strokeStyle = "#2f6fde";
      context.lineWidth = 3 / view.k;
      context.strokeRect(selected.x, selected.y, NODE_WIDTH, NODE_HEIGHT);
    }
  });
  return <canvas ref={canvas} className="tree-overview" data-testid="tree-overview" style={{ width: size.width, height: size.height }} />;
}
