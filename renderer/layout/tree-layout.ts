// Lays a run's DAG out top-down: d3-hierarchy's tree (Buchheim, linear time) over primary parents, with the
// extra parents of votes, distills and refinements drawn as additional edges. Collapsed subtrees are left out.
import { hierarchy, tree } from "d3-hierarchy";

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 112;
const GAP_X = 28;
const GAP_Y = 64;

export interface LaidOutNode {
  id: string;
  /** Left edge and top edge, in layout pixels. */
  x: number;
  y: number;
  hiddenChildren: number;
}

export interface LaidOutEdge {
  from: string;
  to: string;
  primary: boolean;
}

export interface TreeLayout {
  nodes: LaidOutNode[];
  byId: Map<string, LaidOutNode>;
  edges: LaidOutEdge[];
  width: number;
  height: number;
}

interface Datum {
  id: string;
  children: Datum[];
}

export function layoutRun(parentsOf: ReadonlyMap<string, readonly string[]>, order: readonly string[], collapsed: Readonly<Record<string, true>>): TreeLayout {
  const primaryChildren = new Map<string, string[]>();
  const roots: string[] = [];
  for (const id of order) {
    const primary = parentsOf.get(id)?.[0];
    if (primary === undefined || !parentsOf.has(primary)) roots.push(id);
    else primaryChildren.set(primary, [...(primaryChildren.get(primary) ?? []), id]);
  }
  const countDescendants = (id: string): number => (primaryChildren.get(id) ?? []).reduce((sum, child) => sum + 1 + countDescendants(child), 0);
  const build = (id: string): Datum => ({
    id,
    children: collapsed[id] ? [] : (primaryChildren.get(id) ?? []).map(build),
  });
  const root = hierarchy<Datum>({ id: "", children: roots.map(build) }, (d) => d.children);
  tree<Datum>().nodeSize([NODE_WIDTH + GAP_X, NODE_HEIGHT + GAP_Y])(root);
  const nodes: LaidOutNode[] = [];
  let minX = Infinity;
  let maxX = -Infinity;
  let maxY = 0;
  for (const node of root.descendants()) {
    if (node.depth === 0) continue;
    const x = node.x ?? 0;
    const y = (node.depth - 1) * (NODE_HEIGHT + GAP_Y);
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
    nodes.push({ id: node.data.id, x, y, hiddenChildren: collapsed[node.data.id] ? countDescendants(node.data.id) : 0 });
  }
  const offset = Number.isFinite(minX) ? -minX + NODE_WIDTH / 2 + GAP_X : 0;
  for (const node of nodes) node.x = node.x + offset - NODE_WIDTH / 2;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges: LaidOutEdge[] = [];
  for (const node of nodes) {
    (parentsOf.get(node.id) ?? []).forEach((parent, index) => {
      if (byId.has(parent)) edges.push({ from: parent, to: node.id, primary: index === 0 });
    });
  }
  return {
    nodes,
    byId,
    edges,
    width: Number.isFinite(maxX) ? maxX - minX + NODE_WIDTH + 2 * GAP_X : 0,
    height: nodes.length ? maxY + NODE_HEIGHT + GAP_Y : 0,
  };
}

/** Nodes whose box intersects the visible rectangle (layout coordinates): only these are rendered. */
export function visibleNodes(layout: TreeLayout, view: { x: number; y: number; width: number; height: number }, margin = 200): LaidOutNode[] {
  return layout.nodes.filter(
    (n) =>
      n.x + NODE_WIDTH >= view.x - margin &&
      n.x <= view.x + view.width + margin &&
      n.y + NODE_HEIGHT >= view.y - margin &&
      n.y <= view.y + view.height + margin,
  );
}
