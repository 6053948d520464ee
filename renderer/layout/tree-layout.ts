// Lays a run's DAG out top-down in layers. The nodes that follow one parent form trees (d3-hierarchy's tree,
// Buchheim, linear time) over primary parents. A join (a vote, selection or distill: several parents) starts a
// tree of its own, placed a layer below its deepest parent (and below what was written before it between its
// parents), centred under its parents, and pushed further down while it would overlap what is already placed: a join drawn under its first parent alone hides that it waits
// for all of them. Extra parents are drawn as additional edges. Collapsed subtrees are left out.
import { hierarchy, type HierarchyPointNode, tree } from "d3-hierarchy";

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 112;
const GAP_X = 28;
const GAP_Y = 64;
const LAYER = NODE_HEIGHT + GAP_Y;

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

/** A node waits for several parents: it is laid out below all of them, not under its first one. */
export type IsJoin = (id: string, parents: readonly string[]) => boolean;
const severalParents: IsJoin = (_id, parents) => parents.length > 1;

export function layoutRun(
  parentsOf: ReadonlyMap<string, readonly string[]>,
  order: readonly string[],
  collapsed: Readonly<Record<string, true>>,
  isJoin: IsJoin = severalParents,
): TreeLayout {
  const primaryChildren = new Map<string, string[]>();
  const roots: string[] = [];
  for (const id of order) {
    const primary = parentsOf.get(id)?.[0];
    if (primary === undefined || !parentsOf.has(primary)) roots.push(id);
    else {
      const siblings = primaryChildren.get(primary);
      if (siblings) siblings.push(id);
      else primaryChildren.set(primary, [id]);
    }
  }
  const rootSet = new Set(roots);
  const joins = new Set(order.filter((id) => !rootSet.has(id) && isJoin(id, parentsOf.get(id) ?? [])));
  const position = new Map(order.map((id, index) => [id, index] as const));
  const countDescendants = (id: string): number => (primaryChildren.get(id) ?? []).reduce((sum, child) => sum + 1 + countDescendants(child), 0);
  // Joins reached from a drawn parent. The earliest added goes next: every drawn parent of it is placed by then.
  const reachedJoins: string[] = [];
  const build = (id: string): Datum => {
    const children: Datum[] = [];
    if (!collapsed[id])
      for (const child of primaryChildren.get(id) ?? []) {
        if (joins.has(child)) reachedJoins.push(child);
        else children.push(build(child));
      }
    return { id, children };
  };

  const centre = new Map<string, number>();
  const depth = new Map<string, number>();
  // Every placed node as (x, depth, position) in one flat array: the join placement below scans it once per join,
  // and a plain array scan is several times cheaper than walking the maps (10,000 nodes: ~1,000 joins).
  const placedFlat: number[] = [];
  const occupied = new Map<number, Array<[number, number]>>();
  const halfSlot = (NODE_WIDTH + GAP_X) / 2;
  const fits = (placed: Array<HierarchyPointNode<Datum>>, dx: number, d0: number) =>
    placed.every((n) => (occupied.get(d0 + n.depth) ?? []).every(([lo, hi]) => n.x + dx + halfSlot <= lo || n.x + dx - halfSlot >= hi));
  const place = (placed: Array<HierarchyPointNode<Datum>>, dx: number, d0: number) => {
    for (const n of placed) {
      centre.set(n.data.id, n.x + dx);
      depth.set(n.data.id, d0 + n.depth);
      placedFlat.push(n.x + dx, d0 + n.depth, position.get(n.data.id) ?? -1);
      const layer = occupied.get(d0 + n.depth) ?? [];
      layer.push([n.x + dx - halfSlot, n.x + dx + halfSlot]);
      occupied.set(d0 + n.depth, layer);
    }
  };
  // Cousins a quarter slot apart, not d3's default of a whole one: wide runs (MAgICoRe's k samples) stay legible when fitted.
  const treeOf = (datum: Datum) =>
    tree<Datum>()
      .nodeSize([NODE_WIDTH + GAP_X, LAYER])
      .separation((a, b) => (a.parent === b.parent ? 1 : 1.25))(hierarchy<Datum>(datum, (d) => d.children));

  const forest = treeOf({ id: "", children: roots.map(build) });
  place(
    forest.descendants().filter((n) => n.depth > 0),
    0,
    -1,
  );
  while (reachedJoins.length > 0) {
    reachedJoins.sort((a, b) => position.get(b)! - position.get(a)!);
    const id = reachedJoins.pop()!;
    const parents = (parentsOf.get(id) ?? []).filter((p) => centre.has(p));
    const unit = treeOf(build(id)).descendants();
    const xs = parents.map((p) => centre.get(p)!);
    const dx = xs.reduce((sum, x) => sum + x, 0) / xs.length;
    // Below what was written before it between its parents too (Best-of-N's critiques): what it decided over.
    const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
    let d0 = Math.max(...parents.map((p) => depth.get(p)!)) + 1;
    const at = position.get(id)!;
    for (let i = 0; i < placedFlat.length; i += 3) {
      const x = placedFlat[i]!;
      if (x >= lo && x <= hi && placedFlat[i + 2]! < at) d0 = Math.max(d0, placedFlat[i + 1]! + 1);
    }
    while (!fits(unit, dx, d0)) d0++;
    place(unit, dx, d0);
  }

  let minX = Infinity;
  let maxX = -Infinity;
  let maxDepth = 0;
  for (const [id, x] of centre) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    maxDepth = Math.max(maxDepth, depth.get(id)!);
  }
  const offset = Number.isFinite(minX) ? -minX + GAP_X : 0;
  const nodes: LaidOutNode[] = order
    .filter((id) => centre.has(id))
    .map((id) => ({ id, x: centre.get(id)! + offset, y: depth.get(id)! * LAYER, hiddenChildren: collapsed[id] ? countDescendants(id) : 0 }));
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
    height: nodes.length ? maxDepth * LAYER + NODE_HEIGHT + GAP_Y : 0,
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
