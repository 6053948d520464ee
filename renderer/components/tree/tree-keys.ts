// Which node an arrow key moves to from a node of the drawn tree.
import type { TreeLayout } from "../../layout/tree-layout.ts";

export type TreeKey = "ArrowUp" | "ArrowDown" | "ArrowLeft" | "ArrowRight";
export const isTreeKey = (key: string): key is TreeKey => key === "ArrowUp" || key === "ArrowDown" || key === "ArrowLeft" || key === "ArrowRight";

/**
 * Up: the primary parent. Down: the first drawn child. Left and right: the previous and next node hanging from
 * the same primary parent (or the previous and next root), in the order they are drawn.
 */
export function neighbour(
  layout: TreeLayout,
  parentsOf: (id: string) => readonly string[],
  childrenOf: (id: string) => readonly string[],
  from: string,
  key: TreeKey,
): string | null {
  const drawn = (id: string | undefined) => (id !== undefined && layout.byId.has(id) ? id : null);
  if (key === "ArrowUp") return drawn(parentsOf(from)[0]);
  if (key === "ArrowDown") return childrenOf(from).find((id) => layout.byId.has(id)) ?? null;
  const parent = parentsOf(from)[0];
  const siblings = layout.nodes.filter((n) => parentsOf(n.id)[0] === parent).sort((a, b) => a.x - b.x || a.y - b.y);
  const index = siblings.findIndex((n) => n.id === from);
  return siblings[index + (key === "ArrowLeft" ? -1 : 1)]?.id ?? null;
}
