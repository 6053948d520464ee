// The pan and zoom of the tree: a translation and a scale from layout pixels to the frame's pixels.
import { NODE_HEIGHT, NODE_WIDTH, type LaidOutNode, type TreeLayout } from "../../layout/tree-layout.ts";

export interface View {
  x: number;
  y: number;
  k: number;
}

export interface Size {
  width: number;
  height: number;
}

/** Zoom limits for the wheel; fitting may go further out, so that any tree fits. */
export const MIN_ZOOM = 0.15;
export const MAX_ZOOM = 2.5;
const FIT_PADDING = 16;

/** The whole layout inside the frame, centred, never enlarged past 1:1. */
export function fitView(layout: TreeLayout, size: Size): View {
  if (layout.nodes.length === 0) return { x: 0, y: 0, k: 1 };
  const left = Math.min(...layout.nodes.map((n) => n.x));
  const top = Math.min(...layout.nodes.map((n) => n.y));
  const width = Math.max(...layout.nodes.map((n) => n.x + NODE_WIDTH)) - left;
  const height = Math.max(...layout.nodes.map((n) => n.y + NODE_HEIGHT)) - top;
  const k = Math.min(1, (size.width - 2 * FIT_PADDING) / width, (size.height - 2 * FIT_PADDING) / height);
  return { k, x: (size.width - width * k) / 2 - left * k, y: Math.max(FIT_PADDING, (size.height - height * k) / 2) - top * k };
}

/** The view that puts a layout point at the frame's centre, at the same zoom. */
export function centredOn(point: { x: number; y: number }, view: View, size: Size): View {
  return { k: view.k, x: size.width / 2 - point.x * view.k, y: size.height / 2 - point.y * view.k };
}

export const nodeCentre = (node: LaidOutNode) => ({ x: node.x + NODE_WIDTH / 2, y: node.y + NODE_HEIGHT / 2 });

/** Whether the node's whole box is inside the frame. */
export function isInView(node: LaidOutNode, view: View, size: Size): boolean {
  const left = node.x * view.k + view.x;
  const top = node.y * view.k + view.y;
  return left >= 0 && top >= 0 && left + NODE_WIDTH * view.k <= size.width && top + NODE_HEIGHT * view.k <= size.height;
}

/** The frame's rectangle in layout pixels. */
export const viewRect = (view: View, size: Size) => ({ x: -view.x / view.k, y: -view.y / view.k, width: size.width / view.k, height: size.height / view.k });
